#include "counter.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr CounterField kCounters[] = {
    {"count", offsetof(Counter::State, count)},
    {"byte_count", offsetof(Counter::State, byte_count)},
};

bool write_reset(const void*, void* state, std::string_view, std::string&) {
  auto& st = *static_cast<Counter::State*>(state);
  st.count = 0;
  st.byte_count = 0;
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    {"count", HandlerSpec::Kind::Field, "packets seen", offsetof(Counter::State, count)},
    {"byte_count", HandlerSpec::Kind::Field, "bytes seen", offsetof(Counter::State, byte_count)},
    {"rate", HandlerSpec::Kind::Rate, "packets per second over the last second", offsetof(Counter::State, count)},
    {"reset", HandlerSpec::Kind::Custom, "write (any value): sets count and byte_count to 0", 0, nullptr,
     &write_reset},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(Counter, kCounters, {});

constinit const ElementSpec Counter::spec{
    .class_name = "Counter",
    .ports = "1/1",
    .params = {},
    .brief = "counts packets and bytes",
    .description =
        "Counts the packets and bytes that pass through it and passes every packet on unchanged.\n"
        "\n"
        "Handlers: count (packets seen), byte_count (bytes seen: each packet's length as it "
        "arrives here), rate (arrival rate over the last second, in packets per second) and "
        "reset (write: zeroes count and byte_count).\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the same packets.",
    .example = "FromDump(in.pcap) -> c :: Counter -> Discard;\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(Counter::spec);

}  // namespace nb::elements

#include "counter.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

bool write_reset(const Counter::Config&, Counter::State& st, std::string_view, std::string&) {
  st.count = 0;
  st.byte_count = 0;
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(Counter, count, "packets seen"),
    NB_COUNTER(Counter, byte_count, "bytes seen: each packet's length as it arrives here"),
    NB_RATE(Counter, "rate", count, "packets per second over the last second"),
    handler<Counter, nullptr, &write_reset>("reset", "write (any value): sets count and byte_count to 0"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(Counter);

constinit const ElementSpec Counter::spec{
    .class_name = "Counter",
    .ports = "1/1",
    .params = {},
    .brief = "counts packets and bytes",
    .description =
        "Counts the packets and bytes that pass through it and passes every packet on unchanged.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the same packets.",
    .example = "FromDump(in.pcap) -> c :: Counter -> Discard;\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(Counter::spec);

}  // namespace nb::elements

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
        "arrives here) and rate (recent arrival rate, in packets per second).\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the same packets.",
    .example = "FromDump(in.pcap) -> c :: Counter -> Discard;\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(Counter::spec);

}  // namespace nb::elements

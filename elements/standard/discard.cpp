#include "discard.hpp"

#include <cstddef>
#include <iterator>

namespace nb::elements {

namespace {

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(Discard, count, "packets discarded (Click's count handler)"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(Discard);

constinit const ElementSpec Discard::spec{
    .class_name = "Discard",
    .ports = "1/0",
    .params = {},
    .brief = "drops all packets",
    .description =
        "Frees every packet that arrives on its input. Use it to terminate paths whose packets "
        "are not needed.\n"
        "\n"
        "Each packet counts as a drop too, besides the count counter.\n"
        "\n"
        "Input 0 (push): packets to drop.",
    .example = "FromDump(in.pcap) -> Discard;\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(Discard::spec);

}  // namespace nb::elements

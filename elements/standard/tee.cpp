#include "tee.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"N", ParamType::Unsigned, ParamKind::Positional, false, "",
     "The number of outputs, from 1 to 64. When absent, it is taken from the connections.", 1, 64},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(Tee, copies, "copies sent (one per packet per output but the last)"),
    NB_COUNTER(Tee, copy_failures, "copies not made: no free buffer; that output missed the packet"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(Tee);

constinit const ElementSpec Tee::spec{
    .class_name = "Tee",
    .ports = "1/1-",
    .params = kParams,
    .brief = "duplicates packets",
    .description =
        "Sends every packet that arrives on its input to each of its outputs: one output gets the "
        "packet itself and each of the others gets a copy of it. Outputs 0 to N-2 get copies, in "
        "order, and output N-1 gets the original last, as in Click. Copies are deep: an element "
        "that changes one does not change the others. When no buffer is free for a copy, that "
        "output misses the packet.\n"
        "\n"
        "The sum of copies and copy_failures is the element's `generated` in the statistics (a failed copy is also a `no buffers` drop), "
        "so that rx + generated == tx + dropped holds (docs/control.md).\n"
        "\n"
        "Tee(N) has N outputs, and each must be connected. Without N, the number of outputs is "
        "taken from the connections: one more than the highest connected output port.\n"
        "\n"
        "Input 0 (push): any packets. Outputs 0 to N-1 (push): one copy of each packet per "
        "output.",
    .example =
        "t :: Tee(2);\n"
        "FromDump(in.pcap) -> t;\n"
        "t[0] -> ToDump(copy.pcap);\n"
        "t[1] -> Counter -> Discard;\n",
    .output_count = OutputCount::FromParam,
    .output_count_param = "N",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",  // push only, as in Click
    .copies_packets = true,
};

NB_REGISTER_ELEMENT(Tee::spec);

}  // namespace nb::elements

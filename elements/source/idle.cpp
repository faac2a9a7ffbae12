#include "idle.hpp"

namespace nb::elements {

NB_ELEMENT_KERNEL(Idle);

constinit const ElementSpec Idle::spec{
    .class_name = "Idle",
    .ports = "-/-",
    .params = {},
    .brief = "never sends a packet; drops what is pushed to it",
    .description =
        "Has any number of inputs and outputs and does nothing: it sends no packet and gives none "
        "when pulled, and drops (and counts) what is pushed to it. Use it to fill ports that must "
        "be connected.\n"
        "\n"
        "Inputs (push or pull): ignored; pushed packets are dropped. Outputs (push or pull): "
        "nothing.",
    .example = "Idle -> Discard;\nFromDump(in.pcap) -> Idle;\n",
    .ops = &kOps,
    .processing = "a/a",
};

NB_REGISTER_ELEMENT(Idle::spec);

}  // namespace nb::elements

#include "pull_tee.hpp"

namespace nb::elements {

NB_ELEMENT_PULL(PullTee);

constinit const ElementSpec PullTee::spec{
    .class_name = "PullTee",
    .ports = "1/1-",
    .params = {},
    .brief = "sends pulled packets on, and pushes a copy of each out of its other outputs",
    .description =
        "When pulled, pulls from its input and gives the packets to whatever pulled; a copy of "
        "each is pushed out of outputs 1 to N-1 first (a copy that finds no free buffer is "
        "counted as a drop, reason no_buffers).\n"
        "\n"
        "Input 0 (pull): packets. Output 0 (pull): the packets. Outputs 1 to N-1 (push): copies.",
    .example =
        "FromDump(in.pcap) -> Queue -> t :: PullTee -> ToDump(out.pcap);\n"
        "t[1] -> Counter -> Discard;\n",
    .ops = &kOps,
    .processing = "l/lh",
    .copies_packets = true,
};

NB_REGISTER_ELEMENT(PullTee::spec);

}  // namespace nb::elements

#include "round_robin_sched.hpp"

namespace nb::elements {

NB_ELEMENT_PULL(RoundRobinSched);

constinit const ElementSpec RoundRobinSched::spec{
    .class_name = "RoundRobinSched",
    .ports = "-/1",
    .params = {},
    .brief = "pulls from its inputs in turn",
    .description =
        "When pulled, takes one packet from each input in turn, skipping inputs that have none, "
        "so that every input gets an equal share of what is pulled. The turn is per worker.\n"
        "\n"
        "Inputs 0 to N-1 (pull): packets, usually from Queues. Output 0 (pull): the packets.",
    .example =
        "a :: FromDump(a.pcap); b :: FromDump(b.pcap);\n"
        "s :: RoundRobinSched;\n"
        "a -> Queue -> [0] s; b -> Queue -> [1] s;\n"
        "s -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .processing = "l/l",
};

NB_REGISTER_ELEMENT(RoundRobinSched::spec);

}  // namespace nb::elements

#include "prio_sched.hpp"

namespace nb::elements {

NB_ELEMENT_PULL(PrioSched);

constinit const ElementSpec PrioSched::spec{
    .class_name = "PrioSched",
    .ports = "-/1",
    .params = {},
    .brief = "pulls from its inputs in priority order",
    .description =
        "When pulled, takes packets from input 0 while it has any, then from input 1, and so on: "
        "a lower input always goes first, and a higher one gets only what room it leaves (strict "
        "priority; a busy input 0 starves the others).\n"
        "\n"
        "Inputs 0 to N-1 (pull): packets, usually from Queues, most important first. Output 0 "
        "(pull): the packets.",
    .example =
        "hi :: FromDump(hi.pcap); lo :: FromDump(lo.pcap);\n"
        "s :: PrioSched;\n"
        "hi -> Queue -> [0] s; lo -> Queue -> [1] s;\n"
        "s -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .processing = "l/l",
};

NB_REGISTER_ELEMENT(PrioSched::spec);

}  // namespace nb::elements

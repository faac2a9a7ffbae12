#include "round_robin_switch.hpp"

namespace nb::elements {

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(RoundRobinSwitch);

constinit const ElementSpec RoundRobinSwitch::spec{
    .class_name = "RoundRobinSwitch",
    .ports = "1/1-",
    .params = {},
    .brief = "sends packets to its outputs in turn",
    .description =
        "Sends the first packet to output 0, the next to output 1, and so on, starting again at "
        "output 0 after the last; for example to spread load over several paths. Packets are not "
        "changed. With several workers, each worker takes its own turns.\n"
        "\n"
        "The number of outputs is taken from the connections: one more than the highest "
        "connected output port.\n"
        "\n"
        "Input 0 (push): any packets. Outputs 0 to N-1 (push): every N-th packet each.",
    .example =
        "rr :: RoundRobinSwitch;\n"
        "FromDump(in.pcap) -> rr;\n"
        "rr[0] -> ToDump(even.pcap);\n"
        "rr[1] -> ToDump(odd.pcap);\n",
    .ops = &kOps,
    .processing = "h/h",  // push only, as in Click
};

NB_REGISTER_ELEMENT(RoundRobinSwitch::spec);

}  // namespace nb::elements

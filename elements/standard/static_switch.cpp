#include "static_switch.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"K", ParamType::Integer, ParamKind::Positional, true, "",
     "The output every packet goes to, from 0 to the number of outputs minus 1; -1 drops every "
     "packet.",
     -1, 0x7ffffffe},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(StaticSwitch);

constinit const ElementSpec StaticSwitch::spec{
    .class_name = "StaticSwitch",
    .ports = "1/-",
    .params = kParams,
    .brief = "sends packets to one output, fixed by the configuration",
    .description =
        "Sends every packet to output K, or drops it when K is -1. Unlike Switch, K cannot change "
        "while the graph runs (a hot reload can change it), so the JIT compiles the element "
        "down to a plain connection. Packets are not changed.\n"
        "\n"
        "The number of outputs is taken from the connections: one more than the highest "
        "connected output port.\n"
        "\n"
        "Input 0 (push): any packets. Outputs 0 to N-1 (push): the packets, all on output K.",
    .example =
        "sw :: StaticSwitch(0);\n"
        "FromDump(in.pcap) -> sw;\n"
        "sw[0] -> ToDump(out.pcap);\n"
        "sw[1] -> Discard;\n",
    .ops = &kOps,
    .processing = "h/h",  // push only, as in Click
};

NB_REGISTER_ELEMENT(StaticSwitch::spec);

}  // namespace nb::elements

#include "hash_switch.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"OFFSET", ParamType::Unsigned, ParamKind::Positional, true, "",
     "Where the hashed bytes start, counted from the packet's data start.", 0, 65535},
    {"LENGTH", ParamType::Unsigned, ParamKind::Positional, true, "", "How many bytes are hashed (at least 1).", 1,
     65535},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(HashSwitch);

constinit const ElementSpec HashSwitch::spec{
    .class_name = "HashSwitch",
    .ports = "1/1-",
    .params = kParams,
    .brief = "chooses each packet's output by a hash of LENGTH bytes at OFFSET",
    .description =
        "Sends each packet to an output chosen by a hash of the LENGTH bytes starting OFFSET "
        "bytes into it, so that packets alike in those bytes (a flow's, with the addresses "
        "hashed) always take the same output; for example HashSwitch(30, 4) after a 14-byte "
        "Ethernet header hashes the IP destination address. The hash is Click's: the sum of the "
        "bytes, folded as SUM ^ (SUM >> 4) and masked with 2, 4 or 8 outputs, else SUM modulo the "
        "number of outputs, so a configuration splits traffic exactly as under Click. A packet "
        "shorter than OFFSET + LENGTH goes to output 0. Packets are not changed.\n"
        "\n"
        "The number of outputs is taken from the connections: one more than the highest "
        "connected output port.\n"
        "\n"
        "Input 0 (push): any packets. Outputs 0 to N-1 (push): the packets, each on its hash's "
        "output.",
    .example =
        "hs :: HashSwitch(30, 4);\n"
        "FromDump(in.pcap) -> hs;\n"
        "hs[0] -> ToDump(a.pcap);\n"
        "hs[1] -> ToDump(b.pcap);\n",
    .ops = &kOps,
    .processing = "h/h",  // push only, as in Click
};

NB_REGISTER_ELEMENT(HashSwitch::spec);

}  // namespace nb::elements

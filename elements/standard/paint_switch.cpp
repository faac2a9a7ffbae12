#include "paint_switch.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"ANNO", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "Byte offset of the one-byte annotation to switch on, from 0 to 15. 0, the default, is the "
     "paint annotation; 1 to 15 are the user annotation bytes (as Paint's ANNO).",
     0, 15},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(PaintSwitch);

constinit const ElementSpec PaintSwitch::spec{
    .class_name = "PaintSwitch",
    .ports = "1/-",
    .params = kParams,
    .brief = "sends packets to the output their paint annotation names",
    .description =
        "Sends each packet to the output whose number is its paint annotation (or the one-byte "
        "annotation at offset ANNO): a packet painted 0 to output 0, 1 to output 1, and so on. "
        "A packet whose color is not the number of an output is dropped. Packets are not "
        "changed.\n"
        "\n"
        "The number of outputs is taken from the connections: one more than the highest "
        "connected output port.\n"
        "\n"
        "Input 0 (push): any packets. Outputs 0 to N-1 (push): the packets of each color.",
    .example =
        "ps :: PaintSwitch;\n"
        "FromDump(in.pcap) -> Paint(1) -> ps;\n"
        "ps[0] -> Discard;\n"
        "ps[1] -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .processing = "h/h",  // push only, as in Click
};

NB_REGISTER_ELEMENT(PaintSwitch::spec);

}  // namespace nb::elements

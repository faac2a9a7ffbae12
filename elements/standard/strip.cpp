#include "strip.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"LENGTH", ParamType::Unsigned, ParamKind::Positional, true, "",
     "The number of bytes to remove from the front of each packet."},
};

}  // namespace

constinit const ElementSpec Strip::spec{
    .class_name = "Strip",
    .ports = "1/1",
    .params = kParams,
    .brief = "strips bytes from the front of packets",
    .description =
        "Removes the first LENGTH bytes of each packet, typically a link-layer header. The bytes "
        "stay in the packet's headroom, so Unstrip(LENGTH) puts them back unchanged.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the packets, LENGTH bytes shorter.",
    .example = "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14) -> ToDump(out.pcap);\n",
};

NB_REGISTER_ELEMENT(Strip::spec);

}  // namespace nb::elements

#include "unstrip.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"LENGTH", ParamType::Unsigned, ParamKind::Positional, true, "",
     "The number of bytes to add back at the front of each packet."},
};

}  // namespace

constinit const ElementSpec Unstrip::spec{
    .class_name = "Unstrip",
    .ports = "1/1",
    .params = kParams,
    .brief = "puts stripped bytes back on the front of packets",
    .description =
        "Extends each packet by LENGTH bytes at the front, undoing Strip(LENGTH): the bytes a "
        "previous Strip removed reappear with their old contents.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the packets, LENGTH bytes longer.",
    .example = "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14) -> ToDump(out.pcap);\n",
};

NB_REGISTER_ELEMENT(Unstrip::spec);

}  // namespace nb::elements

#include "ether_encap.hpp"

#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"ETHERTYPE", ParamType::Unsigned, ParamKind::Positional, true, "", "The Ethernet type, e.g. 0x0800 for IPv4.", 0,
     0xffff},
    {"SRC", ParamType::EtherAddress, ParamKind::Positional, true, "", "The source Ethernet address."},
    {"DST", ParamType::EtherAddress, ParamKind::Positional, true, "", "The destination Ethernet address."},
};


}  // namespace

NB_ELEMENT_KERNEL(EtherEncap);

constinit const ElementSpec EtherEncap::spec{
    .class_name = "EtherEncap",
    .ports = "1/1",
    .params = kParams,
    .brief = "encapsulates packets in an Ethernet header",
    .description =
        "Puts a 14-byte Ethernet header with the given type, source and destination in front of "
        "each packet, in the packet's headroom (a packet without 14 bytes of headroom is dropped). "
        " The network offset annotation moves with the data.\n"
        "\n"
        "Input 0 (push): packets, usually IP. Output 0 (push): Ethernet frames.",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> "
        "ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(EtherEncap::spec);

}  // namespace nb::elements

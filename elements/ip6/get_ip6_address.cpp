#include "get_ip6_address.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"OFFSET", ParamType::Unsigned, ParamKind::Positional, true, "",
     "Where the sixteen bytes start, from the packet's data start: 24 is an IPv6 header's "
     "destination address when the packet starts with it (38 after an Ethernet header).",
     0, 65519},
};

}  // namespace

NB_ELEMENT_KERNEL(GetIP6Address);

constinit const ElementSpec GetIP6Address::spec{
    .class_name = "GetIP6Address",
    .ports = "1/1",
    .params = kParams,
    .brief = "sets the destination IPv6 annotation from packet data",
    .description =
        "Copies sixteen bytes of each packet, from OFFSET, into the destination IPv6 address "
        "annotation, which IP6NDSolicitor resolves to an Ethernet address. The packet is not "
        "changed. A packet too short for the sixteen bytes is dropped (Click reads past it).\n"
        "\n"
        "nb's LookupIP6Route looks up the IPv6 header's destination itself and sets the "
        "annotation to the route's gateway, or to that destination when the route has none, so "
        "GetIP6Address(24) before it, as Click's configurations write it, changes nothing there. "
        "The annotation shares its bytes with the IPv4 next hop and Paint's user bytes 4 to 15 "
        "(as Click's overlaps its IPv4 one): setting it changes them.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the same packets, annotated.",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> CheckIP6Header -> GetIP6Address(24)\n"
        "    -> IP6NDSolicitor(2001:db8::1, 02:00:00:00:00:01) -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(GetIP6Address::spec);

}  // namespace nb::elements

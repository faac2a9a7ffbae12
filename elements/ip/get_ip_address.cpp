#include "get_ip_address.hpp"

#include <cstddef>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"OFFSET", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "Where the four bytes start, from the packet's data start: 16 is an IP header's destination "
     "address when the packet starts with it (30 after an Ethernet header). Give this or IP.",
     0, 65531},
    {"IP", ParamType::String, ParamKind::Keyword, false, "",
     "src or dst: take the address from the IP header that CheckIPHeader or MarkIPHeader marked "
     "instead (its source or destination). Give this or OFFSET."},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(GetIPAddress);

constinit const ElementSpec GetIPAddress::spec{
    .class_name = "GetIPAddress",
    .ports = "1/1",
    .params = kParams,
    .brief = "sets the destination IP annotation from packet data",
    .description =
        "Copies four bytes of each packet, at OFFSET or the marked IP header's source or "
        "destination address (IP src, IP dst), into the destination IP address annotation, which "
        "ARPQuerier resolves and LookupIPRoute overwrites with the next hop. The packet is not "
        "changed. A packet too short for the four bytes is dropped (Click reads past it).\n"
        "\n"
        "Click's ANNO argument, which names another four-byte annotation, is not taken: nb has "
        "one address annotation.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the same packets, annotated.",
    .example = "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> GetIPAddress(16) -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(GetIPAddress::spec);

}  // namespace nb::elements

#include "mark_ip_header.hpp"

#include <cstddef>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"OFFSET", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "The byte offset at which the IP header starts, e.g. 14 after an Ethernet header.", 0, 65534},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(MarkIPHeader);

constinit const ElementSpec MarkIPHeader::spec{
    .class_name = "MarkIPHeader",
    .ports = "1/1",
    .params = kParams,
    .brief = "marks where the IP header starts",
    .description =
        "Marks each packet's IP header as starting OFFSET bytes in, for later IP elements such as "
        "DecIPTTL, SetIPChecksum or CheckUDPHeader, and passes it on unchanged. Unlike "
        "CheckIPHeader it checks nothing and trims nothing: use it where the headers are known "
        "to be good, for example on packets the router built itself.\n"
        "\n"
        "Elements that read the mark check that a header fits there before they touch it, so a "
        "packet too short for one is dropped by them, not here. Click's MarkIPHeader also marks "
        "the transport header; nb keeps no transport annotation, and its TCP and UDP elements "
        "find that header from the IP header length.\n"
        "\n"
        "Input 0 (push): packets with an IPv4 header at OFFSET. Output 0 (push): the same "
        "packets, marked.",
    .example = "FromDump(in.pcap) -> MarkIPHeader(14) -> DecIPTTL -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(MarkIPHeader::spec);

}  // namespace nb::elements

#include "strip_ip_header.hpp"

#include <cstddef>

namespace nb::elements {

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(StripIPHeader);

constinit const ElementSpec StripIPHeader::spec{
    .class_name = "StripIPHeader",
    .ports = "1/1",
    .params = {},
    .brief = "strips the IP header from the front of packets",
    .description =
        "Removes everything up to the end of each packet's IP header, options included, so that "
        "the packet starts with its transport header (UDP, TCP, ICMP). The IP header is the one "
        "CheckIPHeader or MarkIPHeader marked; a packet that no element marked is taken to start "
        "with its IP header. A packet without a whole IPv4 header there is dropped (Click does "
        "not check).\n"
        "\n"
        "The stripped bytes stay in the packet's headroom and the packet remembers where its IP "
        "header starts, so that UnstripIPHeader can put it back; elements that look for the IP "
        "header in between find none marked.\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): their transport-layer part.",
    .example = "FromDump(in.pcap) -> CheckIPHeader(14) -> StripIPHeader -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(StripIPHeader::spec);

}  // namespace nb::elements

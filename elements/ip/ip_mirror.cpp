#include "ip_mirror.hpp"

#include <cstddef>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"DST_ANNO", ParamType::Bool, ParamKind::Positional, false, "true",
     "Also set the destination IP annotation to the new destination (the old source), for "
     "LookupIPRoute or ARPQuerier after it."},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(IPMirror);

constinit const ElementSpec IPMirror::spec{
    .class_name = "IPMirror",
    .ports = "1/1",
    .params = kParams,
    .brief = "swaps the source and destination of IP packets",
    .description =
        "Swaps each packet's IP source and destination addresses, and for TCP and UDP in a first "
        "fragment (or an unfragmented packet) with 8 bytes of transport header present, the "
        "source and destination ports; for TCP also the sequence and acknowledgement numbers "
        "(when those 12 bytes are there). Checksums stay correct without recomputing: swapping "
        "words keeps their sum. The IP header is the one CheckIPHeader or MarkIPHeader marked, or "
        "the packet's start when none did. With DST_ANNO (the default), the destination IP "
        "annotation becomes the new destination address.\n"
        "\n"
        "A packet with fewer than 20 bytes at the IP header's place is dropped as malformed "
        "(Click does not check).\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): the same packets, mirrored.",
    .example = "FromDump(in.pcap) -> CheckIPHeader(14) -> IPMirror -> EtherMirror -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(IPMirror::spec);

}  // namespace nb::elements

#include "udp_ip_encap.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"SRC", ParamType::IPv4Address, ParamKind::Positional, true, "", "The IP source address."},
    {"SPORT", ParamType::Unsigned, ParamKind::Positional, true, "", "The UDP source port.", 0, 65535},
    {"DST", ParamType::String, ParamKind::Positional, true, "",
     "The IP destination address, or DST_ANNO for each packet's destination IP annotation.", INT64_MIN, UINT64_MAX,
     &ip_encap::validate_dst},
    {"DPORT", ParamType::Unsigned, ParamKind::Positional, true, "", "The UDP destination port.", 0, 65535},
    {"CHECKSUM", ParamType::Bool, ParamKind::Positional, false, "true",
     "Compute the UDP checksum; false leaves it 0 (none, RFC 768)."},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(UDPIPEncap);

constinit const ElementSpec UDPIPEncap::spec{
    .class_name = "UDPIPEncap",
    .ports = "1/1",
    .params = kParams,
    .brief = "puts UDP and IPv4 headers in front of each packet",
    .description =
        "Puts an 8-byte UDP header (ports SPORT and DPORT, its length, and its checksum unless "
        "CHECKSUM is false) and in front of it a 20-byte IPv4 header (source SRC, destination "
        "DST or, with DST_ANNO, the packet's destination IP annotation, TTL 250, TOS 0, no "
        "flags, an identification counting up from 0 per worker, a correct checksum) in front "
        "of each packet. The IP header is marked as the packet's, and the destination IP "
        "annotation becomes the destination. A packet without 28 bytes of headroom is dropped.\n"
        "\n"
        "A computed UDP checksum of 0 is sent as 0xFFFF, as RFC 768 asks (0 means none). Click's "
        "handlers `src`, `sport`, `dst` and `dport` write through reconfiguration: in nb, change "
        "them with a hot reload. Ports are numbers (Click also takes service names).\n"
        "\n"
        "Input 0 (push): any packets (the UDP payload). Output 0 (push): UDP/IPv4 packets.",
    .example = "FromDump(in.pcap) -> UDPIPEncap(10.0.0.1, 1234, 10.0.0.2, 5678) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(UDPIPEncap::spec);

}  // namespace nb::elements

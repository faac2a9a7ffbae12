#include "check_udp_header.hpp"

#include <cstddef>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"VERBOSE", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Print a message on nbrun's standard error for every bad packet, naming the element and the "
     "reason (\"chk: UDP header check failed: bad checksum\"), rate-limited as CheckIPHeader's "
     "VERBOSE is. Without it, bad packets are only counted, per reason."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(CheckUDPHeader, bad, "bad packets, dropped or sent to output 1"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(CheckUDPHeader);

constinit const ElementSpec CheckUDPHeader::spec{
    .class_name = "CheckUDPHeader",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "checks UDP headers",
    .description =
        "Checks the UDP header of each UDP/IP packet: its length field and, unless it is 0 (no "
        "checksum, RFC 768), its checksum over the pseudo-header, header and data. The IP header "
        "is the one CheckIPHeader or MarkIPHeader marked (a packet no element marked is taken to "
        "start with it), so put CheckIPHeader first.\n"
        "\n"
        "A packet is bad for one of these reasons, checked in this order: not UDP (no whole IPv4 "
        "header at the mark, protocol not 17, or a fragment other than the first), bad length "
        "(fewer than 8 bytes after the IP header, or a UDP length below 8 or beyond the IP "
        "datagram or the packet) or bad checksum. These are also the drop reasons. The counter "
        "bad counts every bad packet, dropped or not. Click's DETAILS keyword is not needed: the "
        "drop_reasons handler counts dropped packets per reason. Click prints the first bad "
        "packet even without VERBOSE; nb stays silent and counts.\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): the valid packets, unchanged. Output 1 "
        "(push, optional): the bad packets, unchanged. When output 1 is not connected, bad "
        "packets are dropped.",
    .example =
        "udp :: CheckUDPHeader;\n"
        "FromDump(in.pcap) -> CheckIPHeader(14) -> udp -> ToDump(good.pcap);\n"
        "udp[1] -> ToDump(bad.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(CheckUDPHeader::spec);

}  // namespace nb::elements

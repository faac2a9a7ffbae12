#include "check_icmp_header.hpp"

#include <cstddef>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"VERBOSE", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Print a message on nbrun's standard error for every bad packet, naming the element and the "
     "reason (\"chk: ICMP header check failed: bad checksum\"), rate-limited as CheckIPHeader's "
     "VERBOSE is. Without it, bad packets are only counted, per reason."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(CheckICMPHeader, bad, "bad packets, dropped or sent to output 1"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(CheckICMPHeader);

constinit const ElementSpec CheckICMPHeader::spec{
    .class_name = "CheckICMPHeader",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "checks ICMP headers",
    .description =
        "Checks the ICMP header of each ICMP/IP packet: that the message holds at least its "
        "8-byte header and that its checksum over the whole message is correct (RFC 792). The IP "
        "header is the one CheckIPHeader or MarkIPHeader marked (a packet no element marked is "
        "taken to start with it), so put CheckIPHeader first.\n"
        "\n"
        "A packet is bad for one of these reasons, checked in this order: not ICMP (no whole IPv4 "
        "header at the mark, protocol not 1, or a fragment other than the first), bad length (the "
        "IP datagram's payload shorter than 8 bytes or not all in the packet) or bad checksum. "
        "These are also the drop reasons. The counter bad counts every bad packet, dropped or "
        "not. Click's DETAILS keyword is not needed: the drop_reasons handler counts dropped "
        "packets per reason. Click prints the first bad packet even without VERBOSE; nb stays "
        "silent and counts.\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): the valid packets, unchanged. Output 1 "
        "(push, optional): the bad packets, unchanged. When output 1 is not connected, bad "
        "packets are dropped.",
    .example =
        "icmp :: CheckICMPHeader;\n"
        "FromDump(in.pcap) -> CheckIPHeader(14) -> icmp -> ToDump(good.pcap);\n"
        "icmp[1] -> ToDump(bad.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(CheckICMPHeader::spec);

}  // namespace nb::elements

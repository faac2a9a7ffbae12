#include "icmp_ping_responder.hpp"

namespace nb::elements {

namespace {

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ICMPPingResponder, replies, "echo replies sent"),
};

}  // namespace

NB_ELEMENT_KERNEL(ICMPPingResponder);

constinit const ElementSpec ICMPPingResponder::spec{
    .class_name = "ICMPPingResponder",
    .ports = "1/1-2",
    .params = {},
    .brief = "answers ICMP echo requests",
    .description =
        "Turns each ICMP echo request into its echo reply, in place: source and destination "
        "addresses swapped, TTL 255, the fragment flags and offset cleared, ICMP type 0 and code 0, "
        "both checksums updated incrementally (RFC 1624); identifier, sequence number and data "
        "stay. The reply's destination IP annotation is its new destination and its paint "
        "annotation is 0, as Click sets them. The IP header is at the network offset annotation "
        "(CheckIPHeader sets it), else at 0; what is in front of it (an Ethernet header) is left "
        "as it is.\n"
        "\n"
        "Anything else (not IPv4, not ICMP, not an echo request, a later fragment, fewer than the "
        "echo header's 8 bytes) goes to output 1, or is dropped when output 1 is not connected. "
        "Like Click's, it does not follow source-route options.\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): echo replies. Output 1 (push, optional): the "
        "other packets.",
    .example = "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> ICMPPingResponder -> ToDump(replies.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(ICMPPingResponder::spec);

}  // namespace nb::elements

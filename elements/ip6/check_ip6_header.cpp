#include "check_ip6_header.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"BADADDRS", ParamType::String, ParamKind::Positional, false, "",
     "A space-separated list of at most 15 IPv6 addresses that are bad as a source address "
     "(ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff always is). Default is empty.",
     INT64_MIN, UINT64_MAX, &ip6_text::validate_address_list},
    {"OFFSET", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "The byte offset at which the IPv6 header starts, e.g. 14 after an Ethernet header.", 0, 65534},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(CheckIP6Header, bad, "bad packets, dropped or sent to output 1 (Click's drops)"),
};

}  // namespace

NB_ELEMENT_KERNEL(CheckIP6Header);

constinit const ElementSpec CheckIP6Header::spec{
    .class_name = "CheckIP6Header",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "checks IPv6 headers",
    .description =
        "Checks that each packet holds an IPv6 header starting OFFSET bytes in, and marks where "
        "that header is (the network offset annotation) for DecIP6HLIM, LookupIP6Route and "
        "ICMP6Error. Packets longer than the header's payload length says (Ethernet padding) are "
        "trimmed to it.\n"
        "\n"
        "A packet is bad for one of these reasons, checked in this order, as Click's "
        "CheckIP6Header does: too short (fewer than 40 bytes from OFFSET on), bad version (not "
        "6), bad payload length (more than the bytes after the header) or bad source (the "
        "all-ones address, or one on the BADADDRS list). These are also the drop reasons. The "
        "counter bad counts every bad packet, dropped or not. As in Click, a payload length of 0 "
        "(a jumbogram's) is taken as it is: the packet is trimmed to its 40-byte header. Click "
        "prints a message for the first bad packet; nb counts.\n"
        "\n"
        "Input 0 (push): packets with an IPv6 header at OFFSET. Output 0 (push): the valid "
        "packets. Output 1 (push, optional): the bad packets, unchanged. When output 1 is not "
        "connected, bad packets are dropped and counted by the drops handler.\n"
        "\n"
        "Compatibility: as in Click the positional arguments are BADADDRS then OFFSET, so an "
        "offset alone is given by keyword: CheckIP6Header(OFFSET 14).",
    .example =
        "chk :: CheckIP6Header(OFFSET 14);\n"
        "FromDump(in.pcap) -> Classifier(12/86dd) -> chk -> ToDump(good.pcap);\n"
        "chk[1] -> ToDump(bad.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(CheckIP6Header::spec);

}  // namespace nb::elements

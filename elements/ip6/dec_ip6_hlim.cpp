#include "dec_ip6_hlim.hpp"

namespace nb::elements {

namespace {

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(DecIP6HLIM, expired, "packets whose hop limit had run out, dropped or sent to output 1 (Click's drops)"),
};

}  // namespace

NB_ELEMENT_KERNEL(DecIP6HLIM);

constinit const ElementSpec DecIP6HLIM::spec{
    .class_name = "DecIP6HLIM",
    .ports = "1/1-2",
    .params = {},
    .brief = "decrements the IPv6 hop limit",
    .description =
        "Decrements the hop limit of each packet's IPv6 header, as Click's DecIP6HLIM does. The "
        "header is the one CheckIP6Header found (the network offset annotation), else at offset "
        "0. A packet whose hop limit is 0 or 1 has expired: it goes unchanged to output 1, or is "
        "dropped (reason \"expired\") when output 1 is not connected; the counter expired counts "
        "both. IPv6 has no header checksum, so nothing else changes. A packet too short for an "
        "IPv6 header is dropped (\"malformed\").\n"
        "\n"
        "Input 0 (push): IPv6 packets. Output 0 (push): packets with the hop limit decremented. "
        "Output 1 (push, optional): expired packets, usually to ICMP6Error(SRC, 3, 0).",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> CheckIP6Header -> hl :: DecIP6HLIM -> Unstrip(14) -> ToDump(out.pcap);\n"
        "hl[1] -> ICMP6Error(2001:db8::1, 3, 0) -> EtherEncap(0x86dd, 02:00:00:00:00:01, 02:00:00:00:00:02) "
        "-> ToDump(errors.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(DecIP6HLIM::spec);

}  // namespace nb::elements

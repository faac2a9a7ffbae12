#include "protocol_translator.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"MAPPED", ParamType::Bool, ParamKind::Keyword, false, "true",
     "true: the IPv6 addresses are IPv4-mapped, ::ffff:a.b.c.d, as Click's IP6Address makes "
     "them now; false: IPv4-compatible, ::a.b.c.d, as Click made them when GNAT and its "
     "configurations (conf/ip64-nat*.click, whose AddressTranslator maps ::1.0.0.1) were written. "
     "An nb addition."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ProtocolTranslator46, translated, "IPv4 packets translated to IPv6"),
};

}  // namespace

bool ProtocolTranslator46::configure(const Args& args, Config& config, std::string&) {
  config.mapped = args.get_bool("MAPPED");
  return true;
}

NB_ELEMENT_KERNEL(ProtocolTranslator46);

constinit const ElementSpec ProtocolTranslator46::spec{
    .class_name = "ProtocolTranslator46",
    .ports = "1/1",
    .params = kParams,
    .brief = "translates IPv4 packets into IPv6 packets (SIIT)",
    .description =
        "Translates each IPv4 packet into an IPv6 packet, as Click's ProtocolTranslator46 does "
        "(SIIT, RFC 2765), for Click's GNAT with AddressTranslator. The IPv6 addresses are the "
        "IPv4 ones embedded: ::ffff:a.b.c.d, or ::a.b.c.d with MAPPED false.\n"
        "\n"
        "The IPv6 header: version 6, traffic class and flow label 0 (as Click), payload length = "
        "the IPv4 total length less its header, next header 6, 17 or 58, hop limit = the TTL. IP "
        "options are left out. TCP and UDP keep their payload and get their checksum recomputed "
        "over the IPv6 pseudo-header (a UDP checksum of 0, optional in IPv4, is computed as IPv6 "
        "requires). ICMP becomes ICMPv6 with Click's mapping: echo request/reply 8/0 -> 128/129 "
        "(identifier and sequence kept); destination unreachable 3 -> 1 with code 0, 1, 6, 7, 8, "
        "11, 12 -> 0, 3 -> 4, 5 -> 2, 9 and 10 -> 1 (others 0), except code 2 -> parameter "
        "problem 4 code 1 pointer 6 and code 4 -> packet too big 2 (the MTU field left 0, as "
        "Click); time exceeded 11 -> 3, same code; parameter problem 12 -> 4 code 0 with the "
        "pointer mapped (IPv4 offset 0, 2, 8, 9, 12, 16 -> 0, 4, 7, 6, 8, 24, others "
        "0xffffffff). The ICMPv6 checksum covers the pseudo-header. As in Click, the packet an "
        "ICMP error quotes is copied unchanged (it stays IPv4).\n"
        "\n"
        "The IPv4 header is the one CheckIPHeader found (the network offset annotation), else at "
        "offset 0; anything in front of it is removed, and so is anything past its total length. "
        "The output starts with its IPv6 header (network offset 0). The 20 more bytes come from "
        "the packet's headroom.\n"
        "\n"
        "Differences from Click, which computes the hop limit as TTL + 64 - 255, writes the "
        "parameter problem pointers in host byte order, takes every header as 20 bytes long and "
        "would crash on an ICMP type it has no mapping for: nb copies the TTL, writes the "
        "pointers in network order, skips options, and drops what it cannot translate. Dropped: "
        "no complete IPv4 header, a total length past the end, a TCP header under 20 bytes or a "
        "UDP or ICMP one under 8 (\"malformed\"); a fragment (\"fragment\": its transport "
        "checksum cannot be recomputed); a protocol other than TCP, UDP or ICMP (\"unsupported "
        "protocol\"); an ICMP type without an ICMPv6 counterpart, e.g. timestamp or redirect "
        "(\"unsupported ICMP\"); no headroom (\"no headroom\").\n"
        "\n"
        "Input 0 (push): IPv4 packets. Output 0 (push): IPv6 packets.",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> ProtocolTranslator46 -> CheckIP6Header "
        "-> EtherEncap(0x86dd, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(ProtocolTranslator46::spec);

}  // namespace nb::elements

#include "protocol_translator.hpp"

namespace nb::elements {

namespace {

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ProtocolTranslator64, translated, "IPv6 packets translated to IPv4"),
};

}  // namespace

NB_ELEMENT_KERNEL(ProtocolTranslator64);

constinit const ElementSpec ProtocolTranslator64::spec{
    .class_name = "ProtocolTranslator64",
    .ports = "1/1",
    .params = {},
    .brief = "translates IPv6 packets into IPv4 packets (SIIT)",
    .description =
        "Translates each IPv6 packet into an IPv4 packet, as Click's ProtocolTranslator64 does "
        "(SIIT, RFC 2765), for Click's GNAT with AddressTranslator. Both addresses must carry an "
        "IPv4 address: IPv4-mapped ::ffff:a.b.c.d or IPv4-compatible ::a.b.c.d (the two forms "
        "Click accepted when GNAT and its configurations were written; Click since 2014 takes "
        "only the mapped one); the IPv4 addresses are those last 32 bits.\n"
        "\n"
        "The IPv4 header: version 4, header length 20, TOS 0, total length 20 + the IPv6 payload "
        "length, identification 0, Don't Fragment set, TTL = the hop limit (not decremented), "
        "protocol 6, 17 or 1, header checksum. TCP and UDP keep their payload and get their "
        "checksum recomputed over the IPv4 pseudo-header. ICMPv6 becomes ICMP with Click's "
        "mapping: echo request/reply 128/129 -> 8/0 (identifier and sequence kept); destination "
        "unreachable 1 -> 3 with code 0->0, 1->10, 2->5, 3->1, 4->3 (others 0); packet too big "
        "2 -> 3 code 4 (the MTU field left 0, as Click); time exceeded 3 -> 11, same code; "
        "parameter problem 4 code 0 or 2 -> 12 code 0 with the pointer mapped (IPv6 offset 0, 4, "
        "7, 6, 8, 24 -> 0, 2, 8, 9, 12, 255; code 2: 255), code 1 -> 3 code 2. The ICMP checksum "
        "is recomputed. As in Click, the packet an ICMP error quotes is copied unchanged (it "
        "stays IPv6).\n"
        "\n"
        "The IPv6 header is the one CheckIP6Header found (the network offset annotation), else at "
        "offset 0; anything in front of it is removed, and so is anything past its payload "
        "length. The output starts with its IPv4 header (network offset 0), ready for "
        "CheckIPHeader.\n"
        "\n"
        "Dropped (Click would send garbage, read past the packet or crash on them): no complete "
        "IPv6 header or a payload length past the end, a TCP header under 20 bytes or a UDP or "
        "ICMPv6 one under 8 (\"malformed\"); an address without an IPv4 address in it (\"not "
        "IPv4-embedded\", as Click drops it); a next header other than TCP, UDP or ICMPv6, "
        "extension headers included (\"unsupported protocol\"); an ICMPv6 type or code without an "
        "ICMP counterpart, e.g. neighbor discovery (\"unsupported ICMP\"); a payload over 65515 "
        "bytes (\"too long\").\n"
        "\n"
        "Input 0 (push): IPv6 packets. Output 0 (push): IPv4 packets.",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> CheckIP6Header -> ProtocolTranslator64 -> CheckIPHeader "
        "-> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(ProtocolTranslator64::spec);

}  // namespace nb::elements

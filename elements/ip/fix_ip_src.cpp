#include "fix_ip_src.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"IPADDR", ParamType::IPv4Address, ParamKind::Positional, true, "",
     "The router's address on the interface the packets leave by."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(FixIPSrc, fixed, "packets whose source address was rewritten"),
};

}  // namespace

NB_ELEMENT_KERNEL(FixIPSrc);

constinit const ElementSpec FixIPSrc::spec{
    .class_name = "FixIPSrc",
    .ports = "1/1",
    .params = kParams,
    .brief = "sets the source of ICMP errors to the outgoing interface's address",
    .description =
        "A packet whose fix-IP-src annotation is set (ICMPError sets it on every error message: "
        "Click's FIX_IP_SRC_ANNO, nb's user annotation byte 3) gets IPADDR as its IP source "
        "address and a new header checksum, and the annotation is cleared; other packets pass "
        "unchanged. RFC 1812 (4.3.2.4) wants an ICMP error's source to be the address of the "
        "interface it leaves by: put a FixIPSrc with that address on each interface's output "
        "path, after the routing lookup. The IP header is at the network offset annotation (0 "
        "when unset); a marked packet without a complete one is sent on unchanged, its mark "
        "cleared.\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): the same packets.",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> dt :: DecIPTTL -> Discard;\n"
        "dt [1] -> ICMPError(10.0.0.1, timeexceeded) -> FixIPSrc(10.0.1.1) -> ToDump(errors.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(FixIPSrc::spec);

}  // namespace nb::elements

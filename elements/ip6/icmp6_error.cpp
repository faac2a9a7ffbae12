#include "icmp6_error.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"SRC", ParamType::String, ParamKind::Positional, true, "",
     "The IPv6 source address of the error messages: the router's address on the interface the "
     "offending packet came in on.",
     INT64_MIN, UINT64_MAX, &ip6_text::validate_address},
    {"TYPE", ParamType::Unsigned, ParamKind::Positional, true, "",
     "The ICMPv6 type, an error type as Click requires: 1 (destination unreachable), 2 (packet "
     "too big), 3 (time exceeded) or 4 (parameter problem).",
     1, 4},
    {"CODE", ParamType::Unsigned, ParamKind::Positional, true, "",
     "The ICMPv6 code, e.g. 0 (hop limit exceeded) for type 3, 4 (port unreachable) for type 1.", 0, 255},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ICMP6Error, errors, "error messages sent"),
    NB_COUNTER(ICMP6Error, suppressed, "packets that must not get an error message, dropped"),
};

}  // namespace

bool ICMP6Error::configure(const Args& args, Config& config, std::string& error) {
  const std::string src = args.get_string("SRC");
  if (!ip6_text::parse_address(src, config.src)) {  // the validator has said so already
    error = "SRC '" + src + "' is not an IPv6 address";
    return false;
  }
  config.type = static_cast<std::uint8_t>(args.get_unsigned("TYPE"));
  config.code = static_cast<std::uint8_t>(args.get_unsigned("CODE"));
  return true;
}

NB_ELEMENT_KERNEL(ICMP6Error);

constinit const ElementSpec ICMP6Error::spec{
    .class_name = "ICMP6Error",
    .ports = "1/1",
    .params = kParams,
    .brief = "generates ICMPv6 error packets",
    .description =
        "Turns each packet into the ICMPv6 error message about it (RFC 4443): a new IPv6 header "
        "from SRC to the packet's source (hop limit 255), an ICMPv6 header of type TYPE and code "
        "CODE, and the offending packet from its IPv6 header on, as much as fits in a 1280-byte "
        "message (the IPv6 minimum MTU, RFC 4443 2.4(c): up to 1232 bytes quoted). The ICMPv6 "
        "checksum covers the pseudo-header (RFC 8200 8.1). The message is built in the packet's "
        "own buffer: the new headers go in its headroom. The IPv6 header is the one "
        "CheckIP6Header found (the network offset annotation), else at offset 0; anything in "
        "front of it is removed. The output packet starts with its IPv6 header and its network "
        "offset annotation is 0, ready for LookupIP6Route.\n"
        "\n"
        "No error is sent (the packet is dropped, \"no error allowed\") about an ICMPv6 error "
        "message (next header 58, type below 128), a fragment other than the first (next header "
        "44), a packet to a multicast address (except for packet too big and parameter problem "
        "code 2), or a packet from ::, ::1 or a multicast address (RFC 4443 2.4(e)). Extension "
        "headers other than a first fragment header are not looked through. A packet without an "
        "IPv6 header is dropped (\"malformed\").\n"
        "\n"
        "Differences from Click: Click quotes at most 568 bytes (its comment says 576-byte "
        "messages); nb quotes up to the 1280-byte minimum MTU as RFC 4443 asks. Click also "
        "accepts type 137 (redirect), whose target is the destination IPv6 annotation nb does "
        "not have, so nb refuses it. Packet too big (type 2) carries MTU 1500, as Click's; the "
        "parameter problem pointer is 0 (Click reads it from an annotation nb does not have). "
        "The destination IPv6 annotation is not set (no room in nb's annotations).\n"
        "\n"
        "Input 0 (push): IPv6 packets. Output 0 (push): ICMPv6 error packets.",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> CheckIP6Header -> hl :: DecIP6HLIM -> Discard;\n"
        "hl [1] -> ICMP6Error(2001:db8::1, 3, 0) -> EtherEncap(0x86dd, 02:00:00:00:00:01, "
        "02:00:00:00:00:02) -> ToDump(errors.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(ICMP6Error::spec);

}  // namespace nb::elements

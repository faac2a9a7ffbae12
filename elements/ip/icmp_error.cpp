#include "icmp_error.hpp"

#include "ip_text.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"SRC", ParamType::IPv4Address, ParamKind::Positional, true, "",
     "The source address of the error messages: the router's address on the interface the "
     "offending packet came in on."},
    {"TYPE", ParamType::String, ParamKind::Positional, true, "",
     "The ICMP type: a number or a name (unreachable, timeexceeded, parameterproblem, redirect, "
     "sourcequench)."},
    {"CODE", ParamType::String, ParamKind::Positional, false, "0",
     "The ICMP code: a number or Click's name: for unreachable, net, host, protocol, port, needfrag, "
     "srcroute (srcroutefail), netunknown, hostunknown, isolated, netprohibited, hostprohibited, tosnet, "
     "toshost, filterprohibited, hostprecedence, precedencecutoff; for timeexceeded, transit or reassembly; "
     "for redirect, net, host, tosnet or toshost; for parameterproblem, erroratptr, missingopt or length."},
    {"BADADDRS", ParamType::IPv4AddressList, ParamKind::Positional, false, "",
     "Addresses (space-separated, at most 16) that get no error: a packet whose source or "
     "destination is one of them is dropped (\"no error allowed\"). Usually the subnets' "
     "directed broadcast addresses."},
    {"MTU", ParamType::Unsigned, ParamKind::Keyword, false, "576",
     "The largest error message in bytes, its IP header included: the message quotes as much of "
     "the offending datagram as fits (RFC 1812 4.3.2.3). At least 96, so that an IP header with "
     "options and 8 bytes of its data (RFC 792) always fit.",
     96, 65535},
};

struct Name {
  std::string_view name;
  std::uint8_t value;
};
constexpr Name kTypes[] = {
    {"unreachable", 3}, {"sourcequench", 4}, {"redirect", 5}, {"timeexceeded", 11}, {"parameterproblem", 12}};
// Click's names for the codes (RFC 792, 1122, 1812), so that its configurations read the same.
constexpr Name kUnreachableCodes[] = {
    {"net", 0},           {"host", 1},           {"protocol", 2},         {"port", 3},
    {"needfrag", 4},      {"srcroute", 5},       {"srcroutefail", 5},     {"netunknown", 6},
    {"hostunknown", 7},   {"isolated", 8},       {"netprohibited", 9},    {"hostprohibited", 10},
    {"tosnet", 11},       {"toshost", 12},       {"filterprohibited", 13}, {"hostprecedence", 14},
    {"precedencecutoff", 15}};
constexpr Name kTimeExceededCodes[] = {{"transit", 0}, {"reassembly", 1}};
constexpr Name kRedirectCodes[] = {{"net", 0}, {"host", 1}, {"tosnet", 2}, {"toshost", 3}};
constexpr Name kParameterProblemCodes[] = {{"erroratptr", 0}, {"missingopt", 1}, {"length", 2}};

template <std::size_t N>
bool lookup(std::string_view text, const Name (&names)[N], std::uint8_t& v) {
  std::uint64_t n;
  if (ip_text::parse_uint(text, 255, n)) {
    v = static_cast<std::uint8_t>(n);
    return true;
  }
  for (const Name& x : names)
    if (x.name == text) {
      v = x.value;
      return true;
    }
  return false;
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ICMPError, errors, "error messages sent"),
    NB_COUNTER(ICMPError, suppressed, "packets that must not get an error message, dropped"),
};

}  // namespace

bool ICMPError::configure(const Args& args, Config& config, std::string& error) {
  config.src = args.get_ipv4("SRC");
  config.mtu = static_cast<std::uint32_t>(args.get_unsigned("MTU"));
  const std::string bad = args.get_string("BADADDRS");
  for (std::string_view w : ip_text::words(bad)) {
    if (config.nbad == kMaxBadAddrs) {
      error = "BADADDRS lists more than " + std::to_string(kMaxBadAddrs) + " addresses";
      return false;
    }
    if (!ip_text::parse_ipv4(w, config.bad[config.nbad++])) {  // the compiler checked each word
      error = "bad address '" + std::string(w) + "' in BADADDRS";
      return false;
    }
  }
  const std::string type = args.get_string("TYPE");
  if (!lookup(type, kTypes, config.type)) {
    error = "unknown ICMP type '" + type + "' (a number, or unreachable, timeexceeded, parameterproblem, redirect)";
    return false;
  }
  const std::string code = args.get_string("CODE");
  bool ok = false;
  if (config.type == 3)
    ok = lookup(code, kUnreachableCodes, config.code);
  else if (config.type == 11)
    ok = lookup(code, kTimeExceededCodes, config.code);
  else if (config.type == 5)
    ok = lookup(code, kRedirectCodes, config.code);
  else if (config.type == 12)
    ok = lookup(code, kParameterProblemCodes, config.code);
  else {
    const Name none[] = {{"", 0}};
    ok = lookup(code, none, config.code);
  }
  if (!ok) {
    error = "unknown ICMP code '" + code + "' for type " + type;
    return false;
  }
  return true;
}

NB_ELEMENT_KERNEL(ICMPError);

constinit const ElementSpec ICMPError::spec{
    .class_name = "ICMPError",
    .ports = "1/1",
    .params = kParams,
    .brief = "generates ICMP error packets",
    .description =
        "Turns each packet into the ICMP error message about it (RFC 792): a new IP header from "
        "SRC to the packet's source (TTL 255), an ICMP header of type TYPE and code CODE, and the "
        "offending datagram from its IP header on, as much as fits in an MTU-byte message (576 by "
        "default: 548 bytes quoted, as Click and RFC 1812 4.3.2.3 do; RFC 792's header and 8 bytes "
        "are the least). Both checksums are computed. The message is built in the packet's own buffer (the quoted part "
        "stays where it "
        "is, the new headers go in its headroom), so no buffer is allocated. The IP header is the "
        "one CheckIPHeader found (the network offset annotation), else at offset 0; anything in "
        "front of it is removed. The output packet starts with its IP header, its network offset "
        "annotation is 0 and its destination IP annotation is the new destination, ready for "
        "LookupIPRoute. Its fix-IP-src annotation is set (Click's FIX_IP_SRC_ANNO, nb's user "
        "annotation byte 3), so that a FixIPSrc on the way out puts the outgoing interface's address "
        "in the source. A parameter problem with code 0 points (its ICMP pointer) at the byte that "
        "IPGWOptions found wrong (Click's ICMP_PARAMPROB_ANNO, nb's user annotation byte 1).\n"
        "\n"
        "As RFC 1812 (4.3.2.7) requires, no error is sent about an ICMP error message, a fragment "
        "other than the first, a packet to a broadcast or multicast address, or a packet whose "
        "source is not a unicast address, or whose source or destination is one of BADADDRS: those "
        "are dropped. A packet without a complete IPv4 "
        "header is dropped.\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): ICMP error packets.",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> ttl :: DecIPTTL -> Discard;\n"
        "ttl [1] -> ICMPError(10.1.0.1, timeexceeded, transit) -> EtherEncap(0x0800, 02:00:00:00:00:01, "
        "02:00:00:00:00:02) -> ToDump(errors.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(ICMPError::spec);

}  // namespace nb::elements

#include "ip_encap.hpp"

#include "ip_text.hpp"

#include <string>
#include <string_view>

namespace nb::elements {

namespace {

struct ProtoName {
  std::string_view name;
  std::uint8_t number;
};
// Click's IP protocol names (those below 256; its pseudo-protocols are not protocols).
constexpr ProtoName kProtoNames[] = {{"dccp", 33}, {"gre", 47},   {"icmp", 1}, {"igmp", 2},
                                     {"ipip", 4},  {"sctp", 132}, {"tcp", 6},  {"udp", 17}};

bool validate_proto(std::string_view text, ParamError& error) {
  std::uint8_t p = 0;
  if (IPEncap::parse_proto(text, p)) return true;
  error = {0, text.size() ? text.size() : 1, "expected an IP protocol number from 0 to 255 or a name such as udp",
           "names: dccp, gre, icmp, igmp, ipip, sctp, tcp, udp"};
  return false;
}

bool validate_ect(std::string_view text, ParamError& error) {
  bool b = false;
  if (parse_handler_bool(text, b) || ip_encap::trimmed(text) == "2") return true;
  error = {0, text.size() ? text.size() : 1, "expected true, false or 2", ""};
  return false;
}

constexpr ParamSpec kParams[] = {
    {"PROTO", ParamType::String, ParamKind::Positional, true, "",
     "The protocol field: a number from 0 to 255, or dccp, gre, icmp, igmp, ipip, sctp, tcp or udp.", INT64_MIN,
     UINT64_MAX, &validate_proto},
    {"SRC", ParamType::IPv4Address, ParamKind::Positional, true, "", "The source address."},
    {"DST", ParamType::String, ParamKind::Positional, true, "",
     "The destination address, or DST_ANNO for each packet's destination IP annotation.", INT64_MIN, UINT64_MAX,
     &ip_encap::validate_dst},
    {"TOS", ParamType::Unsigned, ParamKind::Keyword, false, "", "The whole TOS byte (not with DSCP, ECT or CE).", 0,
     255},
    {"DSCP", ParamType::Unsigned, ParamKind::Keyword, false, "",
     "The differentiated services code point: the TOS byte's upper six bits (0 to 62, as Click).", 0, 62},
    {"ECT", ParamType::String, ParamKind::Keyword, false, "",
     "ECN-capable transport: true (or 1) sets ECT(1), 2 sets ECT(0); false neither.", INT64_MIN, UINT64_MAX,
     &validate_ect},
    {"CE", ParamType::Bool, ParamKind::Keyword, false, "false", "Sets the ECN congestion-experienced code point."},
    {"TTL", ParamType::Unsigned, ParamKind::Keyword, false, "250", "The time to live.", 0, 255},
    {"DF", ParamType::Bool, ParamKind::Keyword, false, "false", "Sets the don't-fragment flag."},
};

}  // namespace

bool IPEncap::parse_proto(std::string_view text, std::uint8_t& proto) {
  text = ip_encap::trimmed(text);
  for (const ProtoName& n : kProtoNames)
    if (text == n.name) return proto = n.number, true;
  std::uint64_t v = 0;
  if (!ip_text::parse_uint(text, 255, v)) return false;
  proto = static_cast<std::uint8_t>(v);
  return true;
}

bool IPEncap::configure(const Args& args, Config& config, std::string& error) {
  if (!parse_proto(args.get_string("PROTO"), config.proto)) {
    error = "PROTO must be an IP protocol number or name";
    return false;
  }
  config.src = args.get_ipv4("SRC");
  if (!ip_encap::parse_dst(args.get_string("DST"), config.dst, config.dst_anno)) {
    error = "DST must be an IPv4 address or DST_ANNO";
    return false;
  }
  int ect = 0;
  if (args.given("ECT")) {
    const std::string text = args.get_string("ECT");  // the view below must not outlive it
    const std::string_view e = ip_encap::trimmed(text);
    bool b = false;
    if (parse_handler_bool(e, b))
      ect = b ? 1 : 0;
    else if (e == "2")
      ect = 2;
    else {
      error = "ECT must be true, false or 2";
      return false;
    }
  }
  const bool ce = args.get_bool("CE");
  const bool tos = args.given("TOS"), dscp = args.given("DSCP");
  if (tos && dscp) {
    error = "give TOS or DSCP, not both";
    return false;
  }
  if (tos && (ect != 0 || ce)) {
    error = "TOS sets the ECN bits too: give ECT or CE with DSCP instead";
    return false;
  }
  if (ect != 0 && ce) {
    error = "give at most one of ECT and CE";
    return false;
  }
  std::uint8_t t = 0;
  if (tos) t = static_cast<std::uint8_t>(args.get_unsigned("TOS"));
  if (dscp) t = static_cast<std::uint8_t>(args.get_unsigned("DSCP") << 2);
  if (ect != 0) t |= ect == 1 ? 0x01 : 0x02;  // RFC 3168: ECT(1) is 01, ECT(0) is 10
  if (ce) t |= 0x03;
  config.tos = t;
  config.ttl = static_cast<std::uint8_t>(args.get_unsigned("TTL"));
  config.frag = args.get_bool("DF") ? 0x4000 : 0;
  return true;
}

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(IPEncap);

constinit const ElementSpec IPEncap::spec{
    .class_name = "IPEncap",
    .ports = "1/1",
    .params = kParams,
    .brief = "puts an IPv4 header in front of each packet",
    .description =
        "Puts a 20-byte IPv4 header in front of each packet: protocol PROTO, source SRC, "
        "destination DST (or, with DST_ANNO, the packet's destination IP annotation), TTL 250 "
        "unless TTL says otherwise, the TOS byte from TOS, or from DSCP, ECT and CE, the "
        "don't-fragment flag with DF, a total length covering the whole packet, a correct "
        "checksum, and an identification that counts up from 0 (per worker: two workers' "
        "packets may share one, as ICMPError's). The new header is marked as the packet's IP "
        "header, and the destination IP annotation becomes DST. A packet without 20 bytes of "
        "headroom is dropped.\n"
        "\n"
        "Click's ECT 2 sets ECT(0), ECT true ECT(1) (RFC 3168), as here. Click's `src` and `dst` "
        "handlers write through reconfiguration: in nb, change them with a hot reload.\n"
        "\n"
        "Input 0 (push): any packets (the payload). Output 0 (push): IPv4 packets.",
    .example = "FromDump(in.pcap) -> Strip(14) -> IPEncap(ipip, 10.0.0.1, 10.0.0.2) -> ToDump(tunnel.pcap);\n",
    .ops = &kOps,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(IPEncap::spec);

}  // namespace nb::elements

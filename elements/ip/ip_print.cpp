#include "ip_print.hpp"

namespace nb::elements {

namespace {

// PAYLOAD as Click reads it: no/false, yes/true/hex or ascii, in any case.
bool parse_payload(std::string_view text, std::uint8_t& out) {
  const std::string u = print_line::upper(text);
  if (u == "NO" || u == "FALSE") return out = print_line::kNone, true;
  if (u == "YES" || u == "TRUE" || u == "HEX") return out = print_line::kHex, true;
  if (u == "ASCII") return out = print_line::kAscii, true;
  return false;
}

bool validate_payload(std::string_view text, ParamError& error) {
  std::uint8_t c = 0;
  if (parse_payload(text, c)) return true;
  error = {0, text.size() ? text.size() : 1, "should be false, HEX or ASCII", ""};
  return false;
}

using print_line::Line;

std::uint16_t be16(const ByteView& v, std::uint32_t at) {
  return static_cast<std::uint16_t>(v.byte(at) << 8 | v.byte(at + 1));
}
std::uint32_t be32(const ByteView& v, std::uint32_t at) {
  return std::uint32_t{be16(v, at)} << 16 | be16(v, at + 2);
}

void address_pair(Line& line, std::uint32_t src, std::uint32_t dst) {
  line.ipv4(src);
  line.put(" > ");
  line.ipv4(dst);
}

// "SRC.SPORT > DST.DPORT: "; the ports are the transport header's first four bytes.
void port_pair(Line& line, std::uint32_t src, std::uint32_t dst, const ByteView& t, std::uint32_t at) {
  line.ipv4(src);
  line.put('.');
  line.dec(be16(t, at));
  line.put(" > ");
  line.ipv4(dst);
  line.put('.');
  line.dec(be16(t, at + 2));
  line.put(": ");
}

void protocol(Line& line, std::uint8_t proto, bool prepend) {
  const std::string_view name = IPPrint::protocol_name(proto);
  if (!name.empty()) return line.put(name);
  if (prepend) line.put("protocol ");
  line.dec(proto);
}

}  // namespace

bool IPPrint::configure(const Args& args, Config& config, std::string& error) {
  if (!print_line::configure_label(args, config.label, error)) return false;
  std::uint8_t contents = 0, payload = 0;
  print_line::parse_contents(args.get_string("CONTENTS"), contents);  // validated
  parse_payload(args.get_string("PAYLOAD"), payload);
  if (contents && payload) {
    error = "specify at most one of PAYLOAD and CONTENTS";
    return false;
  }
  config.contents = payload ? payload : contents;
  config.payload = payload != 0;
  config.maxlength = static_cast<std::int32_t>(args.get_integer("MAXLENGTH"));
  config.print_id = args.get_bool("ID");
  config.print_ttl = args.get_bool("TTL");
  config.print_tos = args.get_bool("TOS");
  config.print_length = args.get_bool("LENGTH");
  config.print_paint = args.get_bool("PAINT");
  config.swap = args.get_bool("SWAP");
  config.active = args.get_bool("ACTIVE");
  if (args.get_bool("TIMESTAMP")) {
    error = "nb keeps no arrival timestamp with its packets: TIMESTAMP must be false (nb's default)";
    return false;
  }
  if (args.get_bool("AGGREGATE")) {
    error = "nb has no aggregate annotation: AGGREGATE must be false";
    return false;
  }
  return true;
}

void IPPrint::print(const Config& config, const State& state, const Context& ctx, const Packet& p NB_PARAM_OWNED) {
  Line line(ctx, &state);
  if (config.label.size) {
    line.put(config.label.view());
    line.put(": ");
  }
  if (config.print_paint) {
    line.put("paint ");
    line.dec(p.anno().paint);
    line.put(": ");
  }
  const std::uint32_t net = p.network_offset();
  ByteView ip = p.bytes_from(net);
  if (ip.size() < 20) {
    line.put("truncated-ip");
    return line.end();
  }
  const std::int32_t hl = (ip.byte(0) & 0x0f) * 4;
  const std::int32_t ip_len = be16(ip, 2);
  const std::int32_t payload_len = ip_len - hl;
  std::int32_t transport_length = static_cast<std::int32_t>(ip.size()) - hl;
  if (transport_length > payload_len) transport_length = payload_len;
  const std::uint16_t frag = be16(ip, 6);
  const bool first_fragment = (frag & 0x1fff) == 0;
  const std::uint8_t proto = ip.byte(9);
  const std::uint32_t src = be32(ip, 12), dst = be32(ip, 16);

  if (config.print_id) line.put("id "), line.dec(be16(ip, 4)), line.put(' ');
  if (config.print_ttl) line.put("ttl "), line.dec(ip.byte(8)), line.put(' ');
  if (config.print_tos) line.put("tos "), line.dec(ip.byte(1)), line.put(' ');
  if (config.print_length) line.put("length "), line.dec(static_cast<std::uint32_t>(ip_len)), line.put(' ');

  // The transport header, where the IP header says it starts (empty past the packet's end).
  const std::uint32_t th = static_cast<std::uint32_t>(hl);
  if (proto == 6) {  // TCP
    if (transport_length < 4 || !first_fragment) {
      address_pair(line, src, dst);
      line.put(first_fragment ? ": truncated-tcp" : ": tcp");
    } else {
      port_pair(line, src, dst, ip, th);
      if (transport_length < 14) {
        line.put("truncated-tcp");
      } else {
        const std::uint8_t flags = ip.byte(th + 13);
        std::int32_t seqlen = ip_len - hl - (ip.byte(th + 12) >> 4) * 4;
        if (flags & 0x02) line.put('S'), ++seqlen;
        if (flags & 0x01) line.put('F'), ++seqlen;
        if (flags & 0x04) line.put('R');
        if (flags & 0x08) line.put('P');
        if (!(flags & 0x0f)) line.put('.');
        const std::uint32_t seq = be32(ip, th + 4);
        line.put(' ');
        line.dec(seq);
        line.put(':');
        line.dec(static_cast<std::uint32_t>(seq + static_cast<std::uint32_t>(seqlen)));
        line.put('(');
        line.dec_signed(seqlen);
        line.put(',');
        line.dec(p.length());
        line.put(',');
        line.dec(static_cast<std::uint32_t>(ip_len));
        line.put(')');
        if (flags & 0x10) line.put(" ack "), line.dec(be32(ip, th + 8));
        if (transport_length < 16)
          line.put("truncated-tcp");
        else
          line.put(" win "), line.dec(be16(ip, th + 14));
      }
    }
  } else if (proto == 17) {  // UDP
    if (transport_length < 4 || !first_fragment) {
      address_pair(line, src, dst);
      line.put(first_fragment ? ": truncated-udp" : ": udp");
    } else {
      port_pair(line, src, dst, ip, th);
      if (transport_length < 8)
        line.put("truncated-udp");
      else
        line.put("udp "), line.dec(be16(ip, th + 4));
    }
  } else if (proto == 1) {  // ICMP
    address_pair(line, src, dst);
    line.put(": ");
    const std::uint8_t type = ip.byte(th), code = ip.byte(th + 1);
    bool truncated = false;
    if (!first_fragment) {
      line.put("icmp");
    } else if (transport_length < 2) {
      truncated = true;
    } else if (type == 0 || type == 8) {
      line.put(type == 0 ? "icmp echo-reply " : "icmp echo ");
      if (transport_length < 8) {
        truncated = true;
      } else {
        // Click reads both as host-order words and swaps them when SWAP is true: on the
        // little-endian hosts nb runs on, SWAP true is network order.
        auto field = [&](std::uint32_t at) {
          const std::uint16_t be = be16(ip, at);
          return config.swap ? be : static_cast<std::uint16_t>(be >> 8 | (be & 0xff) << 8);
        };
        line.put('(');
        line.dec(field(th + 4));
        line.put(", ");
        line.dec(field(th + 6));
        line.put(')');
      }
    } else if (type == 3) {
      const std::string_view code_name = icmp_code_name(type, code);
      auto put_code = [&] {
        if (code_name.empty())
          line.put("code "), line.dec(code);
        else
          line.put(code_name);
      };
      const std::int32_t quoted_len = transport_length - 8;
      if (quoted_len < 20) {
        line.put("icmp unreachable ");
        put_code();
        line.put(' ');
        truncated = true;
      } else {
        const std::uint32_t quoted = th + 8;
        const std::int32_t quoted_hl = (ip.byte(quoted) & 0x0f) * 4;
        const std::uint8_t quoted_proto = ip.byte(quoted + 9);
        line.put("icmp ");
        line.ipv4(be32(ip, quoted + 16));
        line.put(" unreachable ");
        put_code();
        if (code == 2) {
          line.put(' ');
          protocol(line, quoted_proto, false);
        } else if (code == 3) {
          line.put(' ');
          protocol(line, quoted_proto, true);
          if (quoted_len - quoted_hl < 4) {
            truncated = true;
          } else {
            line.put('/');
            line.dec(be16(ip, quoted + static_cast<std::uint32_t>(quoted_hl) + 2));
          }
        } else if (code == 4) {
          const std::uint16_t mtu = be16(ip, th + 6);
          if (mtu) line.put(" (mtu "), line.dec(mtu), line.put(')');
        }
      }
    } else {
      line.put("icmp ");
      const std::string_view type_name = icmp_type_name(type);
      if (type_name.empty())
        line.put("type "), line.dec(type);
      else
        line.put(type_name);
      const std::string_view code_name = icmp_code_name(type, code);
      if (!code_name.empty())
        line.put(' '), line.put(code_name);
      else if (code)
        line.put(" code "), line.dec(code);
    }
    if (truncated) line.put("truncated-icmp");
  } else {
    address_pair(line, src, dst);
    line.put(": ip-proto-");
    line.dec(proto);
  }

  if (frag & 0x3fff) {
    line.put(" (frag ");
    line.dec(be16(ip, 4));
    line.put(':');
    line.dec_signed(payload_len);
    line.put('@');
    line.dec((frag & 0x1fffu) << 3);
    if (frag & 0x2000) line.put('+');
    line.put(')');
  }

  if (config.contents != print_line::kNone) {
    // From the packet's start, or (PAYLOAD) after the TCP or UDP header of a first fragment,
    // else from the transport header.
    std::uint32_t from = 0;
    if (config.payload) {
      from = net + th;
      if (first_fragment && proto == 6)
        from += (ip.byte(th + 12) >> 4) * 4u;
      else if (first_fragment && proto == 17)
        from += 8;
    }
    std::uint32_t bytes = 0;
    if (from < p.length()) {
      const std::uint32_t rest = p.length() - from;
      bytes = config.maxlength < 0 || rest < static_cast<std::uint32_t>(config.maxlength)
                  ? rest
                  : static_cast<std::uint32_t>(config.maxlength);
    }
    ByteView data = p.bytes_from(0);
    print_line::dump(line, data, from, bytes, config.contents, 24);
  }
  line.end();
}

namespace {

constexpr ParamSpec kParams[] = {
    {"LABEL", ParamType::String, ParamKind::Positional, false, "",
     "Text at the start of each line, followed by \": \" (nothing when empty)."},
    {"CONTENTS", ParamType::String, ParamKind::Keyword, false, "NONE",
     "Prints the packet's bytes after the line: HEX (24 bytes a line in groups of four), ASCII "
     "(48 characters a line, '.' for what is not printable) or NONE; true is HEX, false NONE.",
     INT64_MIN, UINT64_MAX, &print_line::validate_contents},
    {"PAYLOAD", ParamType::String, ParamKind::Keyword, false, "false",
     "Like CONTENTS (false, HEX or ASCII; true is HEX), but prints only the transport payload: the "
     "bytes after the TCP or UDP header, or after the IP header for other protocols and later "
     "fragments. At most one of CONTENTS and PAYLOAD.",
     INT64_MIN, UINT64_MAX, &validate_payload},
    {"MAXLENGTH", ParamType::Integer, ParamKind::Keyword, false, "1500",
     "The most bytes CONTENTS or PAYLOAD prints; negative prints them all.", INT32_MIN, INT32_MAX},
    {"ID", ParamType::Bool, ParamKind::Keyword, false, "false", "true: prints \"id ID \" (the IP identification)."},
    {"TTL", ParamType::Bool, ParamKind::Keyword, false, "false", "true: prints \"ttl TTL \"."},
    {"TOS", ParamType::Bool, ParamKind::Keyword, false, "false", "true: prints \"tos TOS \"."},
    {"LENGTH", ParamType::Bool, ParamKind::Keyword, false, "false",
     "true: prints \"length LENGTH \" (the IP total length)."},
    {"PAINT", ParamType::Bool, ParamKind::Keyword, false, "false",
     "true: prints \"paint COLOR: \" (the paint annotation) after the label."},
    {"SWAP", ParamType::Bool, ParamKind::Keyword, false, "true",
     "true: ICMP echo identifiers and sequence numbers are read in network byte order; false: in "
     "little-endian order (as old Linux pings wrote them)."},
    {"TIMESTAMP", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Click prints each packet's arrival time, by default; nb keeps no timestamps with its packets, "
     "so its default is false and true is refused."},
    {"AGGREGATE", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Click prints the aggregate annotation with true; nb has none and refuses true."},
    {"ACTIVE", ParamType::Bool, ParamKind::Keyword, false, "true",
     "false: prints nothing until the active handler is written true."},
};

constexpr HandlerSpec kHandlers[] = {
    print_line::active_handler<IPPrint>(),
};

}  // namespace

NB_ELEMENT_KERNEL(IPPrint);

constinit const ElementSpec IPPrint::spec{
    .class_name = "IPPrint",
    .ports = "1/1",
    .params = kParams,
    .brief = "prints a tcpdump-like line per IP packet to stderr",
    .description =
        "Writes one line per IP packet to nbrun's standard error, in Click's IPPrint format: LABEL "
        "and \": \", then the addresses and what the transport header says:\n"
        "\n"
        "    in: 10.0.0.1.1234 > 10.0.0.2.53: udp 28\n"
        "    in: 10.0.0.1.40000 > 10.0.0.2.80: S 1000:1000(0,54,40) win 8192\n"
        "    in: 10.0.0.1 > 10.0.0.2: icmp echo (1, 7)\n"
        "    in: 10.0.0.2 > 10.0.0.1: icmp 10.0.0.2 unreachable port udp/53\n"
        "\n"
        "TCP lines give the flags (S, F, R, P, or '.'), SEQ:SEQ+LEN(LEN,PACKET LENGTH,IP LENGTH), "
        "the acknowledgement and the window; fragments end in \" (frag ID:LEN@OFFSET+)\", short "
        "headers in truncated-ip, truncated-tcp and so on. The IP header is found by the network "
        "header annotation (place IPPrint after CheckIPHeader or MarkIPHeader): a packet without "
        "one passes unprinted, as in Click. Protocol and ICMP names are Click's built-in ones.\n"
        "\n"
        "Unlike Click, nb keeps no arrival timestamps, so TIMESTAMP defaults to false, and OUTFILE "
        "and CHANNEL are not available (lines go to stderr). Lines are not rate-limited: keep "
        "IPPrint off paths that carry much traffic, or switch it off with the active handler. With "
        "several workers each prints the packets it runs and their lines interleave. The packet is "
        "not changed.\n"
        "\n"
        "Input 0: IP packets, network header marked. Output 0: the same packets.",
    .example = "FromDump(in.pcap) -> CheckIPHeader(14) -> IPPrint(in) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(IPPrint::spec);

}  // namespace nb::elements

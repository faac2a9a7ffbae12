// What IPEncap and UDPIPEncap share: Click's DST argument (an address or DST_ANNO), Click's
// protocol names, and the 20-byte header they put in front.
#pragma once

#include <nb/element.hpp>
#include <nb/text.hpp>

#include <cstdint>
#include <string_view>

namespace nb::elements::ip_encap {

inline std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// DST: a dotted quad, or DST_ANNO (the destination IP annotation's address, per packet).
inline bool parse_dst(std::string_view text, std::uint32_t& addr, bool& use_anno) {
  text = trimmed(text);
  use_anno = text == "DST_ANNO";
  addr = 0;
  return use_anno || text::parse_ipv4(text, addr);
}

inline bool validate_dst(std::string_view text, ParamError& error) {
  std::uint32_t a = 0;
  bool anno = false;
  if (parse_dst(text, a, anno)) return true;
  error = {0, text.size() ? text.size() : 1, "expected an IPv4 address or DST_ANNO", ""};
  return false;
}

// Fills the fixed IPv4 header at the packet's start (version 4, no options) and its checksum.
inline void fill(const IPv4View& ip, std::uint8_t tos, std::uint16_t length, std::uint16_t id, std::uint16_t frag,
                 std::uint8_t ttl, std::uint8_t proto, std::uint32_t src, std::uint32_t dst) {
  ip.set_version_ihl(4, 5);
  ip.set_tos(tos);
  ip.set_total_length(length);
  ip.set_id(id);
  ip.set_fragment_word(frag);
  ip.set_ttl(ttl);
  ip.set_protocol(proto);
  ip.set_src(src);
  ip.set_dst(dst);
  ip.update_checksum();
}

// What every encapsulated packet carries on output 0: a valid, checksummed IPv4 header at 0 that
// spans the whole packet, marked as the network header.
inline void establish_header(FactSheet& sheet) {
  sheet.establish_port = 0;
  sheet.establish({Fact::Kind::IPv4Header, 0});
  sheet.establish({Fact::Kind::IPv4Checksum, 0});
  sheet.establish({Fact::Kind::IPv4Trimmed, 0});
  sheet.establish({Fact::Kind::NetworkOffset, 0});
}

}  // namespace nb::elements::ip_encap

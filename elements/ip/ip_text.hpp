// Parsing helpers for the IP elements' textual arguments (route lines, address lists). Header
// only, shared by LookupIPRoute, ARPResponder, ARPQuerier and ICMPError; no DPDK, no allocation
// beyond std::string, so configure() can use them under `nbc check`.
#pragma once

#include <nb/element.hpp>
#include <nb/text.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nb::elements::ip_text {

// Splits on white space.
inline std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
    std::size_t j = i;
    while (j < s.size() && !(s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Decimal, no sign, at most `max`.
inline bool parse_uint(std::string_view s, std::uint64_t max, std::uint64_t& v) {
  if (s.empty() || s.size() > 20) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  return true;
}

// Dotted quads and masks are the SDK's (nb/text.hpp), as the compiler reads them.
using nb::text::parse_ipv4;
using nb::text::prefix_mask;

// ADDR/LEN, ADDR/MASK (contiguous; ADDR may be abbreviated as in Click: 10/8, 0/0) or a bare ADDR
// (a /32).
inline bool parse_prefix(std::string_view s, std::uint32_t& addr, unsigned& len) {
  if (s.find('/') != std::string_view::npos) return nb::text::scan_ipv4_prefix(s, addr, len);
  len = 32;
  return parse_ipv4(s, addr);
}

// 00:11:22:33:44:55 (also with '-'), as the compiler reads an Ethernet address argument.
inline bool parse_ether(std::string_view s, EtherAddress& e) {
  return nb::text::scan_ether(s, e);
}

// One route in Click's LookupIPRoute syntax: `ADDR/LEN [GW] OUT`.
struct Route {
  std::uint32_t addr;     // host order, masked to its prefix
  std::uint32_t gateway;  // 0: none (the packet's own destination is the next hop)
  std::uint32_t port;
  std::uint8_t length;
};

// Parses `text` into `r`; on failure says why in `error`.
inline bool parse_route(std::string_view text, Route& r, std::string& error) {
  const auto w = words(text);
  if (w.size() < 2 || w.size() > 3) {
    error = "expected 'ADDR/LEN [GATEWAY] OUTPUT', got '" + std::string(text) + "'";
    return false;
  }
  unsigned len = 0;
  if (!parse_prefix(w[0], r.addr, len)) {
    error = "bad prefix '" + std::string(w[0]) + "' (expected ADDR/LEN, e.g. 10.0.0.0/8)";
    return false;
  }
  r.length = static_cast<std::uint8_t>(len);
  r.addr &= prefix_mask(len);
  r.gateway = 0;
  if (w.size() == 3 && !parse_ipv4(w[1], r.gateway)) {
    error = "bad gateway '" + std::string(w[1]) + "' (expected an IPv4 address)";
    return false;
  }
  std::uint64_t port;
  if (!parse_uint(w.back(), 0xffff, port)) {
    error = "bad output '" + std::string(w.back()) + "' (expected an output number)";
    return false;
  }
  r.port = static_cast<std::uint32_t>(port);
  return true;
}

}  // namespace nb::elements::ip_text

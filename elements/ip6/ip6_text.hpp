// Parsing helpers for the IPv6 elements' textual arguments: addresses, prefixes, address lists
// and route lines, read with inet_pton (RFC 4291's text forms, as Click's cp_ip6_address
// accepts them). Header only, no DPDK, so configure() and the validators run under `nbc check`.
#pragma once

#include "../ip/ip_text.hpp"

#include <nb/element.hpp>

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace nb::elements::ip6_text {

using IP6Address = std::array<std::uint8_t, 16>;  // network byte order, as on the wire
using ip_text::words;

inline bool parse_address(std::string_view s, IP6Address& a) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (s.empty() || s.size() >= sizeof buf) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return ::inet_pton(AF_INET6, buf, a.data()) == 1;
}

inline std::string format(const IP6Address& a) {
  char buf[INET6_ADDRSTRLEN];
  return ::inet_ntop(AF_INET6, a.data(), buf, sizeof buf) ? std::string(buf) : std::string("?");
}

// The prefix length of a contiguous mask, or -1.
inline int mask_length(const IP6Address& m) {
  int len = 0;
  std::size_t i = 0;
  for (; i < 16 && m[i] == 0xff; ++i) len += 8;
  if (i < 16) {
    const std::uint8_t b = m[i];
    while (len % 8 < 8 && (b << (len % 8) & 0x80)) ++len;
    if (static_cast<std::uint8_t>(b << (len % 8)) != 0) return -1;
    for (++i; i < 16; ++i)
      if (m[i]) return -1;
  }
  return len;
}

// ADDR/LEN (0-128), ADDR/MASK (a contiguous mask written as an address) or a bare ADDR (/128).
// The address is masked to its prefix, as Click's cp_ip6_prefix does.
inline bool parse_prefix(std::string_view s, IP6Address& addr, unsigned& len) {
  const std::size_t slash = s.find('/');
  if (!parse_address(s.substr(0, slash), addr)) return false;
  if (slash == std::string_view::npos) {
    len = 128;
    return true;
  }
  const std::string_view l = s.substr(slash + 1);
  std::uint64_t v = 0;
  IP6Address mask{};
  if (ip_text::parse_uint(l, 128, v)) {
    len = static_cast<unsigned>(v);
  } else if (parse_address(l, mask) && mask_length(mask) >= 0) {
    len = static_cast<unsigned>(mask_length(mask));
  } else {
    return false;
  }
  for (unsigned bit = len; bit < 128; ++bit) addr[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  return true;
}

struct Route {
  IP6Address addr;
  IP6Address gateway;  // :: when the route has none
  std::uint32_t port;
  std::uint8_t length;
};

// Click's route syntax `ADDR/LEN [GATEWAY] OUTPUT`; `why` says what is wrong.
inline bool parse_route(std::string_view text, Route& r, std::string& why) {
  const auto w = words(text);
  if (w.size() < 2 || w.size() > 3) {
    why = "expected a route 'ADDR/LEN [GATEWAY] OUTPUT', e.g. 2001:db8::/32 1";
    return false;
  }
  unsigned len = 0;
  if (!parse_prefix(w[0], r.addr, len)) {
    why = "bad prefix '" + std::string(w[0]) + "' (expected ADDR/LEN, LEN 0 to 128, e.g. 2001:db8::/32)";
    return false;
  }
  r.length = static_cast<std::uint8_t>(len);
  r.gateway = {};
  if (w.size() == 3 && !parse_address(w[1], r.gateway)) {
    why = "bad gateway '" + std::string(w[1]) + "' (expected an IPv6 address)";
    return false;
  }
  std::uint64_t port = 0;
  if (!ip_text::parse_uint(w.back(), 65535, port)) {
    why = "bad output '" + std::string(w.back()) + "' (expected an output number, 0 to 65535)";
    return false;
  }
  r.port = static_cast<std::uint32_t>(port);
  return true;
}

// Validators for String parameters, so that `nbc check` points at the offending word.
inline bool fail_at(std::string_view text, std::string_view word, std::string message, ParamError& error) {
  error.offset = static_cast<std::size_t>(word.data() - text.data());
  error.length = word.empty() ? 1 : word.size();
  error.message = std::move(message);
  return false;
}

inline bool validate_address(std::string_view text, ParamError& error) {
  IP6Address a{};
  if (parse_address(text, a)) return true;
  fail_at(text, text, "'" + std::string(text) + "' is not an IPv6 address like 2001:db8::1", error);
  error.offset = 0;
  return false;
}

inline bool validate_address_list(std::string_view text, ParamError& error) {
  for (std::string_view w : words(text)) {
    IP6Address a{};
    if (!parse_address(w, a)) {
      fail_at(text, w, "'" + std::string(w) + "' is not an IPv6 address like 2001:db8::1", error);
      std::uint64_t n = 0;
      if (ip_text::parse_uint(w, UINT64_MAX / 10, n))
        error.message += " (the first positional argument is BADADDRS, as in Click: give an offset as OFFSET " +
                         std::string(w) + ")";
      return false;
    }
  }
  return true;
}

inline bool validate_route(std::string_view text, ParamError& error) {
  Route r{};
  std::string why;
  if (parse_route(text, r, why)) return true;
  const auto w = words(text);
  if (w.size() < 2 || w.size() > 3) {
    error.offset = 0;
    error.length = text.empty() ? 1 : text.size();
    error.message = why;
    return false;
  }
  unsigned len = 0;
  if (!parse_prefix(w[0], r.addr, len)) return fail_at(text, w[0], why, error);
  if (w.size() == 3 && !parse_address(w[1], r.gateway)) return fail_at(text, w[1], why, error);
  return fail_at(text, w.back(), why, error);
}

}  // namespace nb::elements::ip6_text

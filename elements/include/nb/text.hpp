// Parsing the textual forms that arguments share, once for the compiler and every element: IPv4
// dotted quads, prefix masks and Ethernet addresses. The compiler (`nbc check`) turns the scan errors into its
// messages; element code (route lines, rules, address lists in configure()) uses the same
// scanner, so an address means the same wherever it is written. Plain C++: no DPDK, no
// allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nb::text {

// Why a dotted quad did not scan, and where (offsets in the text passed to scan_ipv4).
struct Ipv4ScanError {
  enum class Kind : std::uint8_t {
    Empty,                  // nothing at all
    TooFewParts,            // ended after `parts` parts
    ExpectedDot,            // another character where a '.' belongs
    ExpectedDigitAfterDot,  // ended just after a '.'
    ExpectedDigit,          // another character where a part starts
    ByteTooLarge,           // a part over 255 (the span covers its digits)
    TooManyParts,           // a fifth part (the span covers the rest)
    ExpectedEnd,            // another character after the fourth part
  };
  Kind kind = Kind::Empty;
  std::size_t offset = 0;
  std::size_t length = 0;  // 0: at the end of the range
  unsigned parts = 0;      // TooFewParts: how many there were
};

// Parses exactly text[begin, end) as four decimal parts from 0 to 255 separated by '.' (leading
// zeros allowed, as in Click), into `addr` in host byte order. On failure fills `error` when
// given. Never reads outside [begin, end).
//
// `min_parts` below 4 lets the quad stop early, as the address of a Click prefix may (10/8, 0/0,
// 18.26.4/24): the parts given are the leading bytes and the rest are 0; `parts` says how many
// were given.
inline bool scan_ipv4(std::string_view text, std::size_t begin, std::size_t end, std::uint32_t& addr,
                      Ipv4ScanError* error, unsigned min_parts, unsigned& parts) {
  using Kind = Ipv4ScanError::Kind;
  auto fail = [&](Kind kind, std::size_t offset, std::size_t length, unsigned parts = 0) {
    if (error) *error = {kind, offset, length, parts};
    return false;
  };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  addr = 0;
  parts = 0;
  std::size_t p = begin;
  if (p == end) return fail(Kind::Empty, p, 0);
  for (unsigned part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p == end && part >= min_parts) {
        addr <<= 8 * (4 - part);
        return true;
      }
      if (p == end) return fail(Kind::TooFewParts, p, 0, part);
      if (text[p] != '.') return fail(Kind::ExpectedDot, p, 1);
      ++p;
    }
    const std::size_t start = p;
    if (p == end) return fail(Kind::ExpectedDigitAfterDot, p, 0);
    if (!digit(text[p])) return fail(Kind::ExpectedDigit, p, 1);
    unsigned value = 0;
    for (; p < end && digit(text[p]); ++p) {
      value = value * 10 + static_cast<unsigned>(text[p] - '0');
      if (value > 1000) value = 1000;  // any number of digits, no overflow
    }
    if (value > 255) return fail(Kind::ByteTooLarge, start, p - start);
    addr = addr << 8 | value;
    parts = part + 1;
  }
  if (p < end) {
    if (text[p] == '.') return fail(Kind::TooManyParts, p, end - p);
    return fail(Kind::ExpectedEnd, p, 1);
  }
  return true;
}

inline bool scan_ipv4(std::string_view text, std::size_t begin, std::size_t end, std::uint32_t& addr,
                      Ipv4ScanError* error = nullptr) {
  unsigned parts = 0;
  return scan_ipv4(text, begin, end, addr, error, 4, parts);
}

// The whole of `text` as a dotted quad; host byte order.
inline bool parse_ipv4(std::string_view text, std::uint32_t& addr) {
  return scan_ipv4(text, 0, text.size(), addr);
}

// The netmask of a prefix length (0 to 32).
constexpr std::uint32_t prefix_mask(unsigned length) {
  return length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
}

// Whether `mask` is a run of 1 bits followed by 0 bits, and its length.
constexpr bool mask_length(std::uint32_t mask, unsigned& length) {
  const std::uint32_t inverted = ~mask;
  if ((inverted & (inverted + 1)) != 0) return false;
  length = 0;
  for (std::uint32_t m = mask; m != 0; m <<= 1) ++length;
  return true;
}

// Whether a prefix of `length` bits keeps within the `parts` leading bytes an abbreviated address
// gave: Click refuses 10/16 (one byte given, a 16-bit mask) and takes 10/8 and 10.1/16.
constexpr bool prefix_within_parts(unsigned length, unsigned parts) {
  return length <= 8 * parts;
}

// ADDR/LEN or ADDR/MASK (a contiguous mask) as Click's IPPrefixArg reads it, ADDR possibly
// abbreviated (10/8, 0/0; see scan_ipv4's `min_parts`). `addr` keeps any host bits as written.
inline bool scan_ipv4_prefix(std::string_view text, std::uint32_t& addr, unsigned& length) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return false;
  unsigned parts = 0;
  if (!scan_ipv4(text, 0, slash, addr, nullptr, 1, parts)) return false;
  const std::string_view rest = text.substr(slash + 1);
  bool digits = rest.size() <= 2;
  unsigned value = 0;
  for (char c : rest) {
    if (c < '0' || c > '9') digits = false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (digits) {
    if (value > 32) return false;
    length = value;
  } else {
    std::uint32_t mask = 0;
    if (!scan_ipv4(rest, 0, rest.size(), mask) || !mask_length(mask, length)) return false;
  }
  return prefix_within_parts(length, parts);
}

// Why an Ethernet address did not scan, and where (offsets in the text passed to scan_ether).
struct EtherScanError {
  enum class Kind : std::uint8_t {
    Empty,                  // nothing at all
    TooFewBytes,            // ended after `bytes` bytes
    ExpectedSeparator,      // another character where `separator` belongs
    ExpectedHexDigitAfter,  // ended just after a separator
    ExpectedHexDigit,       // another character where a byte starts
    ByteTooLong,            // more than 2 hex digits (the span covers them)
    TooManyBytes,           // a seventh byte (the span covers the rest)
    ExpectedEnd,            // another character after the sixth byte
  };
  Kind kind = Kind::Empty;
  std::size_t offset = 0;
  std::size_t length = 0;  // 0: at the end of the text
  unsigned bytes = 0;      // TooFewBytes: how many there were
  char separator = ':';    // the one the address started with (':' before the first)
};

// Parses the whole of `text` as six bytes of one or two hex digits separated by ':' or by '-'
// (one kind throughout), e.g. 00:11:22:33:44:55. On failure fills `error` when given.
inline bool scan_ether(std::string_view text, std::array<std::uint8_t, 6>& ether, EtherScanError* error = nullptr) {
  using Kind = EtherScanError::Kind;
  char sep = 0;
  auto fail = [&](Kind kind, std::size_t offset, std::size_t length, unsigned bytes = 0) {
    if (error) *error = {kind, offset, length, bytes, sep == 0 ? ':' : sep};
    return false;
  };
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::size_t p = 0;
  if (text.empty()) return fail(Kind::Empty, 0, 0);
  for (unsigned i = 0; i < 6; ++i) {
    if (i > 0) {
      if (p == text.size()) return fail(Kind::TooFewBytes, p, 0, i);
      const char c = text[p];
      if (sep == 0 && (c == ':' || c == '-')) sep = c;
      if (c != sep) return fail(Kind::ExpectedSeparator, p, 1);
      ++p;
    }
    const std::size_t start = p;
    unsigned value = 0;
    for (; p < text.size() && hex(text[p]) >= 0; ++p)
      value = (value * 16 + static_cast<unsigned>(hex(text[p]))) & 0xfff;
    if (p == start) {
      if (p == text.size()) return fail(Kind::ExpectedHexDigitAfter, p, 0);
      return fail(Kind::ExpectedHexDigit, p, 1);
    }
    if (p - start > 2) return fail(Kind::ByteTooLong, start, p - start);
    ether[i] = static_cast<std::uint8_t>(value);
  }
  if (p < text.size()) {
    if (text[p] == sep) return fail(Kind::TooManyBytes, p, text.size() - p);
    return fail(Kind::ExpectedEnd, p, 1);
  }
  return true;
}

}  // namespace nb::text

// Click Classifier's byte-pattern language: `[!]offset/value[%mask]` clauses, '?' wildcard
// nibbles, '-' for every packet. It lives with the element, not in the compiler: the compiler
// calls Classifier's PATTERN validate_all hook to check it, and configure() parses it again.
#pragma once

#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nb::elements::byte_pattern {

// One clause. value and mask have the same length; a '?' nibble in value clears the
// corresponding mask nibble, and value bits outside the mask are cleared.
struct Clause {
  std::uint32_t offset = 0;
  std::vector<std::uint8_t> value;
  std::vector<std::uint8_t> mask;
  bool negated = false;
  bool operator==(const Clause&) const = default;
};

// A whole pattern: clauses that must all match, or `-` (matches everything).
struct Pattern {
  bool match_all = false;
  std::vector<Clause> clauses;
  bool operator==(const Pattern&) const = default;
};

namespace detail {

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
// How a character reads inside a message: 'G', a space, byte 0x07 (as the compiler says it).
inline std::string describe(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (c == ' ') return "a space";
  if (c == '\t') return "a tab";
  if (c == '\n' || c == '\r') return "a line break";
  if (u < 0x20 || u >= 0x7f) {
    static constexpr char digits[] = "0123456789abcdef";
    return std::string("byte 0x") + digits[u >> 4] + digits[u & 0xf];
  }
  if (c == '\'') return "\"'\"";
  return std::string("'") + c + "'";
}

inline constexpr std::string_view kClauseHint = "a clause looks like 12/0800, 12/0800%ffff or !23/06";

// Parses text[begin, end) into `clause`; false with `error` set on the first problem.
inline bool parse_clause(std::string_view text, std::size_t begin, std::size_t end, bool alone, Clause& clause,
                         ParamError& error) {
  constexpr std::size_t npos = std::string_view::npos;
  auto fail = [&](std::size_t offset, std::size_t length, std::string message, std::string_view hint = kClauseHint) {
    error = ParamError{offset, length, std::move(message), std::string(hint)};
    return false;
  };
  auto found = [&](std::size_t p) { return p < end ? describe(text[p]) : std::string("the end of the clause"); };
  auto at = [&](std::size_t p) -> std::size_t { return p < end ? 1 : 0; };
  auto num = [](std::size_t v) { return std::to_string(v); };

  std::size_t p = begin;
  if (text[p] == '!') {
    clause.negated = true;
    ++p;
  }
  if (text.substr(p, end - p) == "-")
    return fail(p, 1,
                alone ? "'-' matches every packet and cannot be negated"
                      : "'-' matches every packet and must be the whole pattern",
                "'-' alone is a pattern that matches every packet");

  const std::size_t offset_start = p;
  std::uint64_t offset = 0;
  for (; p < end && text[p] >= '0' && text[p] <= '9'; ++p)
    offset = std::min<std::uint64_t>(offset * 10 + static_cast<unsigned>(text[p] - '0'), std::uint64_t{1} << 40);
  if (p == offset_start) return fail(p, at(p), "expected a decimal offset, found " + found(p));
  if (offset > std::numeric_limits<std::uint32_t>::max())
    return fail(offset_start, p - offset_start,
                "offset " + std::string(text.substr(offset_start, p - offset_start)) + " is out of range");
  clause.offset = static_cast<std::uint32_t>(offset);
  if (p == end || text[p] != '/') return fail(p, at(p), "expected '/' after the offset, found " + found(p));
  ++p;

  const std::size_t value_start = p;
  for (; p < end && (hex_value(text[p]) >= 0 || text[p] == '?'); ++p) {
  }
  const std::size_t value_digits = p - value_start;
  if (value_digits == 0) return fail(p, at(p), "expected a hex digit, found " + found(p));
  if (p < end && text[p] != '%') return fail(p, 1, "expected a hex digit, found " + describe(text[p]));
  if (value_digits % 2 != 0)
    return fail(value_start, value_digits, "value has " + num(value_digits) + " hex digits; it needs an even number",
                "each byte takes two hex digits: write 0f, not f");

  std::size_t mask_start = npos;
  if (p < end) {  // text[p] == '%'
    ++p;
    mask_start = p;
    for (; p < end && hex_value(text[p]) >= 0; ++p) {
    }
    if (p < end)
      return fail(p, 1, "expected a hex digit, found " + describe(text[p]),
                  text[p] == '?' ? "'?' wildcards go in the value, not the mask" : kClauseHint);
    const std::size_t mask_digits = p - mask_start;
    if (mask_digits == 0) return fail(mask_start - 1, 1, "expected a hex mask after '%'", {});
    if (mask_digits != value_digits)
      return fail(mask_start, mask_digits,
                  "value has " + num(value_digits) + " hex digits but mask has " + num(mask_digits),
                  "the mask needs one hex digit for each hex digit of the value");
  }

  const std::size_t n = value_digits / 2;
  clause.value.assign(n, 0);
  clause.mask.assign(n, 0xff);
  for (std::size_t i = 0; i < value_digits; ++i) {
    const unsigned shift = i % 2 == 0 ? 4 : 0;
    const char v = text[value_start + i];
    auto& value_byte = clause.value[i / 2];
    auto& mask_byte = clause.mask[i / 2];
    if (mask_start != npos) {
      const auto m = static_cast<unsigned>(hex_value(text[mask_start + i]));
      mask_byte = static_cast<std::uint8_t>((mask_byte & ~(0xfu << shift)) | (m << shift));
    }
    if (v == '?')
      mask_byte = static_cast<std::uint8_t>(mask_byte & ~(0xfu << shift));
    else
      value_byte = static_cast<std::uint8_t>(value_byte | (static_cast<unsigned>(hex_value(v)) << shift));
  }
  // Bits outside the mask never take part in matching; clearing them makes equal patterns equal.
  for (std::size_t i = 0; i < n; ++i) clause.value[i] &= clause.mask[i];
  return true;
}

}  // namespace detail

// Parses a whole pattern. Every bad clause is reported (one error each), so that one `nbc check`
// shows them all; true when there were none.
inline bool parse(std::string_view text, Pattern& pattern, std::vector<ParamError>& errors) {
  std::vector<std::pair<std::size_t, std::size_t>> words;
  for (std::size_t p = 0; p < text.size();) {
    if (detail::is_space(text[p])) {
      ++p;
      continue;
    }
    const std::size_t start = p;
    while (p < text.size() && !detail::is_space(text[p])) ++p;
    words.emplace_back(start, p);
  }
  pattern = Pattern{};
  if (words.empty()) {
    errors.push_back({0, text.size(), "a byte pattern cannot be empty", "use '-' to match every packet"});
    return false;
  }
  if (words.size() == 1 && text.substr(words[0].first, words[0].second - words[0].first) == "-") {
    pattern.match_all = true;
    return true;
  }
  const std::size_t before = errors.size();
  for (auto [begin, end] : words) {
    Clause clause;
    ParamError error;
    if (detail::parse_clause(text, begin, end, words.size() == 1, clause, error))
      pattern.clauses.push_back(std::move(clause));
    else
      errors.push_back(std::move(error));
  }
  return errors.size() == before;
}

// ParamSpec::validate_all for Classifier's PATTERN.
inline bool validate(std::string_view text, std::vector<ParamError>& errors) {
  Pattern pattern;
  return parse(text, pattern, errors);
}

// The canonical spelling: '?' for masked-out nibbles, a %mask only where a nibble is partly
// masked; parse(format(p)) == p.
inline std::string format(const Pattern& pattern) {
  static constexpr char digits[] = "0123456789abcdef";
  if (pattern.match_all) return "-";
  std::string out;
  for (const Clause& clause : pattern.clauses) {
    if (!out.empty()) out += ' ';
    if (clause.negated) out += '!';
    out += std::to_string(clause.offset) + "/";
    bool partial_mask = false;
    std::string mask;
    for (std::size_t i = 0; i < clause.value.size(); ++i) {
      const std::uint8_t m = i < clause.mask.size() ? clause.mask[i] : 0xff;
      for (unsigned shift : {4u, 0u}) {
        const unsigned mn = (m >> shift) & 0xf;
        const unsigned vn = (clause.value[i] >> shift) & 0xf;
        out += mn == 0 ? '?' : digits[vn & mn];
        mask += digits[mn];
        if (mn != 0 && mn != 0xf) partial_mask = true;
      }
    }
    if (partial_mask) out += "%" + mask;
  }
  return out;
}

}  // namespace nb::elements::byte_pattern

// Times as Click's handlers read and write them: seconds with up to six decimals ("0.5").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nb::elements::seconds {

inline std::string format(std::uint64_t us) {
  std::string frac = std::to_string(us % 1000000);
  return std::to_string(us / 1000000) + "." + std::string(6 - frac.size(), '0') + frac;
}

// A handler's value: seconds between 0 and a day, up to six decimals. `allow_zero` for delays.
inline bool parse(std::string_view value, std::uint64_t& us, std::string& error, bool allow_zero) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\n'))
    value.remove_suffix(1);
  std::uint64_t whole = 0, frac = 0;
  std::size_t i = 0, digits = 0, frac_digits = 0;
  for (; i < value.size() && value[i] >= '0' && value[i] <= '9' && whole <= 86400; ++i, ++digits)
    whole = whole * 10 + static_cast<std::uint64_t>(value[i] - '0');
  if (i < value.size() && value[i] == '.') {
    for (++i; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i, ++digits) {
      if (frac_digits < 6) {
        frac = frac * 10 + static_cast<std::uint64_t>(value[i] - '0');
        ++frac_digits;
      }
    }
  }
  for (std::size_t k = frac_digits; k < 6; ++k) frac *= 10;
  const std::uint64_t total = whole * 1000000 + frac;
  if (digits == 0 || i != value.size() || (total == 0 && !allow_zero) || total > 86400ull * 1000000) {
    error = std::string("expected seconds between ") + (allow_zero ? "0" : "0.000001") +
            " and 86400 (e.g. 0.25), not '" + std::string(value) + "'";
    return false;
  }
  us = total;
  return true;
}

}  // namespace nb::elements::seconds

// Parsing configuration arguments by ParamType, with errors that point at the offending
// character. Every scanner works on indices checked against text.size(), so no input can make
// it read outside the argument.
#include <nb/compiler/values.hpp>
#include <nb/text.hpp>

#include <fmt/format.h>

#include <limits>
#include <optional>
#include <utility>
#include <variant>

namespace nb::compiler {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// How a character reads inside a message: 'G', a space, byte 0x07.
std::string describe(char c) {
  auto u = static_cast<unsigned char>(c);
  if (c == ' ') return "a space";
  if (c == '\t') return "a tab";
  if (c == '\n' || c == '\r') return "a line break";
  if (u < 0x20 || u >= 0x7f) return fmt::format("byte 0x{:02x}", u);
  if (c == '\'') return "\"'\"";
  return fmt::format("'{}'", c);
}

ValueError make_error(std::size_t offset, std::size_t length, std::string message, std::string hint = {}) {
  return ValueError{offset, length, std::move(message), std::move(hint)};
}

ValueResult fail(ValueError error) {
  ValueResult result;
  result.errors.push_back(std::move(error));
  return result;
}

ValueResult succeed(Value value) {
  return ValueResult{std::move(value), {}};
}

// ---- integers ----

constexpr std::string_view kIntegerHint = "an integer looks like 42, -3 or 0x2a";
constexpr std::string_view kUnsignedHint = "an unsigned integer looks like 42 or 0x2a";

ValueResult parse_integer(std::string_view text, bool is_signed) {
  const std::string_view what = is_signed ? "an integer" : "an unsigned integer";
  const std::string hint{is_signed ? kIntegerHint : kUnsignedHint};
  if (text.empty()) return fail(make_error(0, 0, fmt::format("expected {}", what), hint));

  std::size_t pos = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    if (!is_signed) {
      if (text[0] == '-') return fail(make_error(0, 1, "an unsigned integer cannot be negative"));
      return fail(make_error(0, 1, "expected a digit, found '+'", "an unsigned integer has no sign"));
    }
    negative = text[0] == '-';
    pos = 1;
    if (pos == text.size()) return fail(make_error(0, 1, fmt::format("expected a digit after '{}'", text[0]), hint));
  }

  unsigned base = 10;
  if (text[pos] == '0' && pos + 1 < text.size() && (text[pos + 1] == 'x' || text[pos + 1] == 'X')) {
    base = 16;
    pos += 2;
    if (pos == text.size()) return fail(make_error(pos - 2, 2, "expected a hex digit after '0x'", hint));
  } else if (text[pos] == '0' && pos + 1 < text.size() && (text[pos + 1] == 'b' || text[pos + 1] == 'B')) {
    base = 2;  // Click's IntArg reads 0b101 as binary
    pos += 2;
    if (pos == text.size()) return fail(make_error(pos - 2, 2, "expected a binary digit after '0b'", hint));
  }

  const std::size_t digits_start = pos;
  std::uint64_t magnitude = 0;
  bool overflow = false;
  for (; pos < text.size(); ++pos) {
    // Click's IntArg takes an underscore between digits: 1_000_000.
    if (text[pos] == '_' && pos > digits_start && text[pos - 1] != '_' && pos + 1 < text.size()) continue;
    int d = base == 16 ? hex_value(text[pos]) : (is_digit(text[pos]) ? text[pos] - '0' : -1);
    if (d < 0 || d >= static_cast<int>(base)) break;
    if (magnitude > (std::numeric_limits<std::uint64_t>::max() - static_cast<unsigned>(d)) / base) overflow = true;
    magnitude = magnitude * base + static_cast<unsigned>(d);
  }
  if (pos < text.size() || pos == digits_start) {
    if (pos == text.size()) return fail(make_error(pos, 0, fmt::format("expected {}", what), hint));
    const char c = text[pos];
    if (base == 2 && is_digit(c))
      return fail(make_error(pos, 1, fmt::format("expected a binary digit, found {}", describe(c)),
                             "a binary integer (0b prefix) has only the digits 0 and 1"));
    std::string message = fmt::format("expected {}, found {}", base == 16 ? "a hex digit" : "a digit", describe(c));
    std::string why = hint;
    if (base == 10 && hex_value(c) >= 0)
      why = "write a hexadecimal integer with a 0x prefix, like 0x2a";
    else if (c == '.' && pos != digits_start)
      why = "an integer has no fractional part";
    else if (c == '-' && !is_signed)
      why = "an unsigned integer cannot be negative";
    return fail(make_error(pos, 1, std::move(message), std::move(why)));
  }

  // Click reads a leading 0 as octal (016 is 14). Where that reading and the decimal one differ,
  // nb refuses to guess: the config was written for one of them.
  if (base == 10 && text[digits_start] == '0' && pos - digits_start > 1 && magnitude >= 8) {
    std::uint64_t octal = 0;
    bool octal_ok = true;
    for (std::size_t i = digits_start; i < pos; ++i) {
      if (text[i] == '_') continue;
      if (text[i] > '7') octal_ok = false;
      octal = octal * 8 + static_cast<unsigned>(text[i] - '0');
    }
    const std::string_view number = text.substr(digits_start, pos - digits_start);
    std::size_t first = 0;
    while (first + 1 < number.size() && (number[first] == '0' || number[first] == '_')) ++first;
    const std::string_view sign = digits_start > 0 ? text.substr(0, digits_start) : std::string_view();
    const std::string decimal = fmt::format("{}{}", sign == "+" ? "" : sign, number.substr(first));
    if (!octal_ok || overflow || number.size() > 22)
      return fail(
          make_error(digits_start, pos - digits_start,
                     fmt::format("'{}' has a leading 0, which Click reads as octal, but it is not an octal number",
                                 number.size() <= 24 ? number : number.substr(0, 24)),
                     fmt::format("write {} without the leading 0 for the decimal number", decimal)));
    return fail(make_error(
        digits_start, pos - digits_start,
        fmt::format("'{}' has a leading 0: Click reads it as octal {}, not decimal {}", number, octal, magnitude),
        fmt::format("write {}{} for Click's meaning, or {} for the decimal one", sign == "-" ? "-" : "", octal,
                    decimal)));
  }

  constexpr auto int_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  // The number as the message shows it: a thousand digits are not worth repeating.
  const std::string shown =
      text.size() <= 24 ? std::string(text) : fmt::format("{}... ({} digits)", text.substr(0, 12), pos - digits_start);
  if (!is_signed) {
    if (overflow) {
      ValueError e = make_error(0, text.size(), fmt::format("integer {} is out of range", shown),
                                "the largest unsigned integer is 2^64 - 1 (18446744073709551615)");
      e.out_of_range = true;
      return fail(std::move(e));
    }
    return succeed(magnitude);
  }
  if (overflow || magnitude > int_max + (negative ? 1 : 0)) {
    ValueError e = make_error(0, text.size(), fmt::format("integer {} is out of range", shown),
                              "an integer must be between -2^63 and 2^63 - 1");
    e.out_of_range = true;
    return fail(std::move(e));
  }
  std::int64_t value = 0;
  if (negative)
    value = magnitude == int_max + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(magnitude);
  else
    value = static_cast<std::int64_t>(magnitude);
  return succeed(value);
}

// ---- durations ----

constexpr std::string_view kDurationHint = "a time looks like 30 (seconds), 1.5s, 100ms, 250us, 5min, 2h or 1d";

// Click's SecondsArg units, in nanoseconds; a bare number is seconds.
struct TimeUnit {
  std::string_view name;
  std::uint64_t ns;
};
constexpr TimeUnit kTimeUnits[] = {
    {"s", 1'000'000'000},
    {"sec", 1'000'000'000},
    {"ms", 1'000'000},
    {"msec", 1'000'000},
    {"us", 1'000},
    {"usec", 1'000},
    {"ns", 1},
    {"nsec", 1},
    {"m", 60'000'000'000},
    {"min", 60'000'000'000},
    {"h", 3'600'000'000'000},
    {"hr", 3'600'000'000'000},
    {"d", 86'400'000'000'000},
    {"day", 86'400'000'000'000},
};

__extension__ typedef unsigned __int128 u128;  // a time's nanoseconds before rounding

// A decimal number with an optional fraction (`1.5`), as times and bandwidths start: its digits
// as one integer and how many of them follow the point. Digits past 2^100 are not kept
// (`too_long` when they are before the point; after it they change nothing).
struct Decimal {
  u128 mantissa = 0;
  unsigned fraction_digits = 0;
  bool too_long = false;
  std::size_t end = 0;  // where the number stops (its unit starts)
};

// Reads the decimal at the start of `text` (after a '+'), or fails with "expected a digit" /
// "expected a `what`".
std::variant<Decimal, ValueError> scan_decimal(std::string_view text, std::string_view what, const std::string& hint) {
  Decimal d;
  std::size_t pos = text[0] == '+' ? 1 : 0;
  bool any_digit = false, dot = false;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (!is_digit(c)) break;
    any_digit = true;
    if (d.mantissa > u128{1} << 100) {
      if (!dot) d.too_long = true;
      continue;
    }
    d.mantissa = d.mantissa * 10 + static_cast<unsigned>(c - '0');
    if (dot) ++d.fraction_digits;
  }
  d.end = pos;
  if (!any_digit) {
    if (pos < text.size())
      return make_error(pos, 1, fmt::format("expected a digit, found {}", describe(text[pos])), hint);
    return make_error(0, text.size(), fmt::format("expected a {}", what), hint);
  }
  return d;
}

// The value is in microseconds (nb's resolution); a time that is not 0 but rounds to 0 us is an
// error rather than a silent 0.
ValueResult parse_duration(std::string_view text) {
  const std::string hint{kDurationHint};
  if (text.empty()) return fail(make_error(0, 0, "expected a time", hint));
  if (text[0] == '-') return fail(make_error(0, 1, "a time cannot be negative", hint));
  auto scanned = scan_decimal(text, "time", hint);
  if (auto* e = std::get_if<ValueError>(&scanned)) return fail(std::move(*e));
  const auto [mantissa, fraction_digits, too_long, pos] = std::get<Decimal>(scanned);
  const std::size_t unit_start = pos;
  std::uint64_t unit_ns = 1'000'000'000;
  if (unit_start < text.size()) {
    const std::string_view unit = text.substr(unit_start);
    const TimeUnit* found = nullptr;
    for (const TimeUnit& u : kTimeUnits)
      if (u.name == unit) found = &u;
    if (!found) {
      std::string why = "the units are s (sec), ms (msec), us (usec), ns (nsec), m (min), h (hr) and d (day)";
      if (unit.front() == 'e' || unit.front() == 'E') why = "nb does not read an exponent in a time: " + hint;
      if (unit.front() == ' ' || unit.front() == '\t') why = "write the unit right after the number: 5min";
      return fail(make_error(unit_start, text.size() - unit_start,
                             fmt::format("unknown time unit '{}'", unit.size() <= 24 ? unit : unit.substr(0, 24)),
                             std::move(why)));
    }
    unit_ns = found->ns;
  }
  u128 ns = too_long ? ~u128{0} : mantissa * unit_ns;
  u128 scale = 1;
  for (unsigned i = 0; i < fraction_digits; ++i) scale *= 10;
  if (too_long || ns / unit_ns != mantissa) {
    ValueError e = make_error(0, text.size(), "time is out of range", "a time is at most about 584,000 years");
    e.out_of_range = true;
    return fail(std::move(e));
  }
  const u128 us = (ns + scale * 500) / (scale * 1000);  // to the nearest microsecond
  if (us > std::numeric_limits<std::uint64_t>::max()) {
    ValueError e = make_error(0, text.size(), "time is out of range", "a time is at most about 584,000 years");
    e.out_of_range = true;
    return fail(std::move(e));
  }
  if (us == 0 && mantissa != 0)
    return fail(
        make_error(0, text.size(), "time is shorter than a microsecond, nb's resolution", "give 0 or at least 1us"));
  return succeed(static_cast<std::uint64_t>(us));
}

// ---- bandwidths ----

constexpr std::string_view kBandwidthHint =
    "a bandwidth looks like 131072B/s, 1Mbps, 10kBps or 125000 (bytes a second): bits a second are bps, b/s or "
    "baud, bytes a second Bps or B/s, after an optional k or K (1000), M (10^6) or G (10^9)";

// Click's BandwidthArg: the value is in bytes a second, bits rounded to the nearest byte; a bare
// number is bytes a second.
ValueResult parse_bandwidth(std::string_view text) {
  const std::string hint{kBandwidthHint};
  if (text.empty()) return fail(make_error(0, 0, "expected a bandwidth", hint));
  if (text[0] == '-') return fail(make_error(0, 1, "a bandwidth cannot be negative", hint));
  auto scanned = scan_decimal(text, "bandwidth", hint);
  if (auto* e = std::get_if<ValueError>(&scanned)) return fail(std::move(*e));
  const auto [mantissa, fraction_digits, too_long, pos] = std::get<Decimal>(scanned);
  // The value is mantissa / 10^fraction_digits x multiplier / divisor bytes a second.
  u128 multiplier = 1, divisor = 1;
  if (pos < text.size()) {
    const std::size_t unit_start = pos;
    std::string_view unit = text.substr(pos);
    auto unknown = [&](std::string why) {
      return fail(make_error(unit_start, text.size() - unit_start,
                             fmt::format("unknown bandwidth unit '{}'", unit.size() <= 24 ? unit : unit.substr(0, 24)),
                             std::move(why)));
    };
    if (unit.front() == ' ' || unit.front() == '\t') return unknown("write the unit right after the number: 1Mbps");
    if (unit.front() == 'e' || unit.front() == 'E')
      return unknown("nb does not read an exponent in a bandwidth: " + hint);
    std::string_view rest = unit;
    switch (rest.front()) {
      case 'k':
      case 'K':
        multiplier = 1000;
        rest.remove_prefix(1);
        break;
      case 'M':
        multiplier = 1'000'000;
        rest.remove_prefix(1);
        break;
      case 'G':
        multiplier = 1'000'000'000;
        rest.remove_prefix(1);
        break;
      default:
        break;
    }
    if (rest == "bps" || rest == "b/s" || rest == "baud") {
      divisor = 8;
    } else if (rest != "Bps" && rest != "B/s") {
      std::string why = hint;
      if (rest.empty())
        why = fmt::format("a prefix needs a unit after it: {}bps (bits) or {}Bps (bytes)", unit, unit);
      else if (unit.front() == 'm')
        why = "Click's units are case-sensitive: mega is M (Mbps, MBps); m is no prefix";
      else if (unit.front() == 'g')
        why = "Click's units are case-sensitive: giga is G (Gbps, GBps)";
      else if (rest == "bit/s" || rest == "bits/s" || rest == "bit" || rest == "bits")
        why = "bits a second are bps: " + hint;
      return unknown(std::move(why));
    }
  }
  u128 scale = divisor;
  for (unsigned i = 0; i < fraction_digits; ++i) scale *= 10;
  const u128 scaled = mantissa * multiplier;
  if (too_long || scaled / multiplier != mantissa ||
      (scaled + scale / 2) / scale > std::numeric_limits<std::uint64_t>::max()) {
    ValueError e = make_error(0, text.size(), "bandwidth is out of range", hint);
    e.out_of_range = true;
    return fail(std::move(e));
  }
  const u128 bytes = (scaled + scale / 2) / scale;  // to the nearest byte a second
  if (bytes == 0 && mantissa != 0)
    return fail(make_error(0, text.size(), "bandwidth is less than a byte a second, nb's resolution",
                           "give 0 or at least 8bps"));
  return succeed(static_cast<std::uint64_t>(bytes));
}

// ---- bool ----

ValueResult parse_bool(std::string_view text) {
  // Click's BoolArg also takes the one-letter forms t/f/y/n; ported configs may use them.
  if (text == "true" || text == "yes" || text == "1" || text == "t" || text == "y") return succeed(true);
  if (text == "false" || text == "no" || text == "0" || text == "f" || text == "n") return succeed(false);
  std::string hint = "a bool is true, false, yes, no, 1 or 0";
  std::string lower{text};
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (lower != text && (lower == "true" || lower == "false" || lower == "yes" || lower == "no"))
    hint = fmt::format("bools are lower case: write {}", lower);
  return fail(make_error(0, text.size(), "expected 'true' or 'false'", std::move(hint)));
}

// ---- strings ----

// Where an escape sequence starting at text[i] == '\\' ends; appends its expansion to out.
// Follows Click's cp_process_backslash.
std::size_t process_backslash(std::string_view text, std::size_t i, std::string& out) {
  if (i + 1 >= text.size()) {
    out += '\\';
    return text.size();
  }
  const char c = text[i + 1];
  switch (c) {
    case '\r':
      return i + 2 < text.size() && text[i + 2] == '\n' ? i + 3 : i + 2;
    case '\n':
      return i + 2;
    case 'a':
      out += '\a';
      return i + 2;
    case 'b':
      out += '\b';
      return i + 2;
    case 'f':
      out += '\f';
      return i + 2;
    case 'n':
      out += '\n';
      return i + 2;
    case 'r':
      out += '\r';
      return i + 2;
    case 't':
      out += '\t';
      return i + 2;
    case 'v':
      out += '\v';
      return i + 2;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      unsigned v = 0;
      std::size_t p = i + 1;
      for (int d = 0; p < text.size() && text[p] >= '0' && text[p] <= '7' && d < 3; ++p, ++d)
        v = v * 8 + static_cast<unsigned>(text[p] - '0');
      out += static_cast<char>(v & 0xff);
      return p;
    }
    case 'x': {
      unsigned v = 0;
      std::size_t p = i + 2;
      for (; p < text.size() && hex_value(text[p]) >= 0; ++p)
        v = (v * 16 + static_cast<unsigned>(hex_value(text[p]))) & 0xff;
      out += static_cast<char>(v);
      return p;
    }
    case '<': {
      // \<48 65 6c> is binary data; spaces and comments inside are ignored.
      unsigned v = 0;
      int nibbles = 0;
      std::size_t p = i + 2;
      while (p < text.size()) {
        const char h = text[p];
        if (h == '>') return p + 1;
        if (h == '/' && p + 1 < text.size() && text[p + 1] == '/') {
          while (p < text.size() && text[p] != '\n') ++p;
          continue;
        }
        if (h == '/' && p + 1 < text.size() && text[p + 1] == '*') {
          const std::size_t close = text.find("*/", p + 2);
          p = close == npos ? text.size() : close + 2;
          continue;
        }
        if (int d = hex_value(h); d >= 0) {
          v = v * 16 + static_cast<unsigned>(d);
          if (++nibbles == 2) {
            out += static_cast<char>(v);
            v = 0;
            nibbles = 0;
          }
        }
        ++p;
      }
      return p;
    }
    default:
      out += c;
      return i + 2;
  }
}

// The offset of a quote that is never closed, or npos.
std::size_t unterminated_quote(std::string_view text) {
  char quote = 0;
  std::size_t open = npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == 0) {
      if (c == '"' || c == '\'') {
        quote = c;
        open = i;
      }
    } else if (c == quote) {
      quote = 0;
    } else if (quote == '"' && c == '\\') {
      ++i;  // an escaped character never closes the string
    }
  }
  return quote == 0 ? npos : open;
}

// The offset of the first whitespace character outside quotes, or npos.
std::size_t unquoted_space(std::string_view text) {
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == 0) {
      if (c == '"' || c == '\'')
        quote = c;
      else if (is_space(c))
        return i;
    } else if (c == quote) {
      quote = 0;
    } else if (quote == '"' && c == '\\') {
      ++i;
    }
  }
  return npos;
}

ValueResult parse_string(std::string_view text, ParamType type) {
  if (std::size_t open = unterminated_quote(text); open != npos)
    return fail(make_error(open, 1, fmt::format("this {} starts a string that is never closed", describe(text[open])),
                           "add the closing quote"));
  if (type == ParamType::String) return succeed(unquote(text));

  const bool is_file = type == ParamType::Filename;
  const std::string_view what = is_file ? "file name" : "device name";
  const std::string hint = is_file ? "a file name looks like in.pcap or \"my traces/in.pcap\""
                                   : "a device is a DPDK port index (0), a PCI address (0000:01:00.0) "
                                     "or a vdev spec (\"net_tap0,iface=nb0\")";
  if (std::size_t space = unquoted_space(text); space != npos)
    return fail(make_error(space, 1, fmt::format("{} contains an unquoted space", what),
                           fmt::format("quote a {} that contains spaces", what)));
  std::string value = unquote(text);
  if (value.empty())
    return fail(make_error(0, text.size(), fmt::format("expected a {}, found an empty string", what), hint));
  return succeed(std::move(value));
}

// ---- IPv4 ----

constexpr std::string_view kAddressHint = "an IPv4 address looks like 10.0.0.1";
constexpr std::string_view kPrefixHint = "an IPv4 prefix looks like 10.0.0.0/8 or 10.0.0.0/255.0.0.0";

struct AddressScan {
  std::uint32_t addr = 0;
  unsigned parts = 0;
  std::optional<ValueError> error;
};

// Parses exactly text[begin, end) as a dotted quad (nb::text::scan_ipv4, which elements use
// too) and says what went wrong. `what` names it in messages.
// `min_parts` below 4 takes an abbreviated address (Click's prefixes: 10/8); `parts` says how many
// parts there were.
AddressScan scan_ipv4(std::string_view text, std::size_t begin, std::size_t end, std::string_view what,
                      std::string_view hint, unsigned min_parts = 4) {
  using Kind = nb::text::Ipv4ScanError::Kind;
  AddressScan scan;
  nb::text::Ipv4ScanError e;
  if (nb::text::scan_ipv4(text, begin, end, scan.addr, &e, min_parts, scan.parts)) return scan;
  std::string message;
  switch (e.kind) {
    case Kind::Empty: message = fmt::format("expected an {}", what); break;
    case Kind::TooFewParts: message = fmt::format("{} has only {} parts; expected 4", what, e.parts); break;
    case Kind::ExpectedDot: message = fmt::format("expected '.', found {}", describe(text[e.offset])); break;
    case Kind::ExpectedDigitAfterDot: message = "expected a digit after '.'"; break;
    case Kind::ExpectedDigit: message = fmt::format("expected a digit, found {}", describe(text[e.offset])); break;
    case Kind::ByteTooLarge:
      message = fmt::format("{} byte {} is larger than 255", what, text.substr(e.offset, e.length));
      break;
    case Kind::TooManyParts: message = fmt::format("{} has more than 4 parts", what); break;
    case Kind::ExpectedEnd:
      message = fmt::format("expected the end of the {}, found {}", what, describe(text[e.offset]));
      break;
  }
  scan.error = make_error(e.offset, e.length, std::move(message), std::string(hint));
  return scan;
}

using nb::text::prefix_mask;

ValueResult parse_ipv4_address(std::string_view text) {
  if (text.find('/') != npos) {
    const std::size_t slash = text.find('/');
    return fail(
        make_error(slash, text.size() - slash, "expected an IPv4 address, not a prefix", std::string(kAddressHint)));
  }
  AddressScan scan = scan_ipv4(text, 0, text.size(), "IPv4 address", kAddressHint);
  if (scan.error) return fail(std::move(*scan.error));
  return succeed(IPv4Address{scan.addr});
}

ValueResult parse_ipv4_prefix(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::size_t addr_end = slash == npos ? text.size() : slash;
  // As Click, an address before a '/' may leave out trailing parts (10/8, 0/0).
  AddressScan scan = scan_ipv4(text, 0, addr_end, "IPv4 address", kPrefixHint, slash == npos ? 4 : 1);
  if (scan.error) return fail(std::move(*scan.error));
  if (slash == npos) return succeed(IPv4Prefix{scan.addr, 32, scan.addr});

  const std::size_t p = slash + 1;
  if (p == text.size())
    return fail(make_error(slash, 1, "expected a prefix length or netmask after '/'", std::string(kPrefixHint)));

  unsigned length = 0;
  if (text.find('.', p) != npos) {
    AddressScan mask = scan_ipv4(text, p, text.size(), "netmask", kPrefixHint);
    if (mask.error) return fail(std::move(*mask.error));
    if (!nb::text::mask_length(mask.addr, length))
      return fail(make_error(p, text.size() - p, fmt::format("netmask {} is not contiguous", text.substr(p)),
                             "a netmask is a run of 1 bits followed by 0 bits, like 255.255.255.0"));
  } else {
    std::size_t q = p;
    for (; q < text.size() && is_digit(text[q]); ++q)
      length = std::min(length * 10 + static_cast<unsigned>(text[q] - '0'), 1000u);
    if (q == text.size() && q == p)
      return fail(make_error(q, 0, "expected a prefix length after '/'", std::string(kPrefixHint)));
    if (q < text.size())
      return fail(
          make_error(q, 1, fmt::format("expected a digit, found {}", describe(text[q])), std::string(kPrefixHint)));
    if (length > 32)
      return fail(make_error(p, q - p, fmt::format("prefix length {} is larger than 32", text.substr(p, q - p)),
                             std::string(kPrefixHint)));
  }
  if (!nb::text::prefix_within_parts(length, scan.parts)) {
    std::string full(text.substr(0, slash));
    for (unsigned k = scan.parts; k < 4; ++k) full += ".0";
    return fail(make_error(0, slash,
                           fmt::format("'{}' gives {} of the address's 4 parts, fewer than the /{} covers",
                                       text.substr(0, slash), scan.parts, length),
                           fmt::format("write all four: {}{}", full, text.substr(slash))));
  }
  // Click accepts host bits under the mask (10.0.0.1/8) and means the network.
  return succeed(IPv4Prefix{scan.addr & prefix_mask(length), static_cast<std::uint8_t>(length), scan.addr});
}

// ---- Ethernet ----

// Scanned by nb::text::scan_ether, which elements use too (ARPResponder's entries).
ValueResult parse_ether(std::string_view text) {
  using Kind = nb::text::EtherScanError::Kind;
  EtherAddress ether;
  nb::text::EtherScanError e;
  if (nb::text::scan_ether(text, ether.bytes, &e)) return succeed(ether);
  std::string message;
  switch (e.kind) {
    case Kind::Empty:
      message = "expected an Ethernet address";
      break;
    case Kind::TooFewBytes:
      message = fmt::format("Ethernet address has only {} bytes; expected 6", e.bytes);
      break;
    case Kind::ExpectedSeparator:
      message = fmt::format("expected '{}', found {}", e.separator, describe(text[e.offset]));
      break;
    case Kind::ExpectedHexDigitAfter:
      message = fmt::format("expected a hex digit after '{}'", e.separator);
      break;
    case Kind::ExpectedHexDigit:
      message = fmt::format("expected a hex digit, found {}", describe(text[e.offset]));
      break;
    case Kind::ByteTooLong:
      message = fmt::format("Ethernet address byte '{}' has more than 2 hex digits", text.substr(e.offset, e.length));
      break;
    case Kind::TooManyBytes:
      message = "Ethernet address has more than 6 bytes";
      break;
    case Kind::ExpectedEnd:
      message = fmt::format("expected the end of the Ethernet address, found {}", describe(text[e.offset]));
      break;
  }
  return fail(make_error(e.offset, e.length, std::move(message), "an Ethernet address looks like 00:11:22:33:44:55"));
}

// ---- rendering ----

bool is_bare_word(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(is_alpha(c) || is_digit(c) || std::string_view("_.-:+=@%/~").find(c) != npos)) return false;
  // "//" and "/*" would start a comment.
  return s.find("//") == npos && s.find("/*") == npos;
}

// Click's cp_quote: a double-quoted string that unquote() turns back into `s`.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\\':
      case '"':
      case '$':
        out += '\\';
        out += c;
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (u < 0x20 || u == 0x7f)
          out += fmt::format("\\{:03o}", u);
        else
          out += c;
    }
  }
  out += '"';
  return out;
}

std::string format_ipv4(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

}  // namespace

ValueResult parse_value(ParamType type, std::string_view text) {
  switch (type) {
    case ParamType::Integer:
      return parse_integer(text, true);
    case ParamType::Unsigned:
      return parse_integer(text, false);
    case ParamType::Bool:
      return parse_bool(text);
    case ParamType::Duration:
      return parse_duration(text);
    case ParamType::Bandwidth:
      return parse_bandwidth(text);
    case ParamType::String:
    case ParamType::Filename:
    case ParamType::Device:
      return parse_string(text, type);
    case ParamType::IPv4Address:
      return parse_ipv4_address(text);
    case ParamType::IPv4Prefix:
      return parse_ipv4_prefix(text);
    case ParamType::EtherAddress:
      return parse_ether(text);
    case ParamType::BytePattern:
      // The language is Classifier's own (elements/classifier/byte_pattern.hpp); its
      // validate_all hook checks the text.
      return succeed(std::string(text));
    case ParamType::IPv4AddressList: {
      // Each word must be an address; the value stays the text, which the element splits.
      ValueResult all;
      std::size_t i = 0;
      if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {  // "10.0.0.1 10.0.0.2"
        text = text.substr(0, text.size() - 1);
        i = 1;
      }
      const std::size_t first = i;
      while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
        std::size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\n' && text[j] != '\r') ++j;
        if (j > i) {
          ValueResult one = parse_ipv4_address(text.substr(i, j - i));
          for (ValueError e : one.errors) {
            e.offset += i;
            all.errors.push_back(std::move(e));
          }
        }
        i = j;
      }
      if (!all.ok()) return all;
      return succeed(std::string(text.substr(first)));
    }
  }
  return fail(make_error(0, text.size(), "unknown parameter type"));
}

std::string unquote(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char quote_char = 0;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (quote_char == 0) {
      if (c == '"' || c == '\'') {
        quote_char = c;
        ++i;
      } else if (c == '\\' && i + 1 < text.size() && text[i + 1] == '<') {
        i = process_backslash(text, i, out);
      } else {
        out += c;
        ++i;
      }
    } else if (c == quote_char) {
      quote_char = 0;
      ++i;
    } else if (quote_char == '"' && c == '\\') {
      i = process_backslash(text, i, out);
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

std::string_view type_name(ParamType type) {
  switch (type) {
    case ParamType::Integer:
      return "integer";
    case ParamType::Unsigned:
      return "unsigned integer";
    case ParamType::Bool:
      return "bool";
    case ParamType::String:
      return "string";
    case ParamType::IPv4Address:
      return "IPv4 address";
    case ParamType::IPv4Prefix:
      return "IPv4 prefix";
    case ParamType::EtherAddress:
      return "Ethernet address";
    case ParamType::BytePattern:
      return "byte pattern";
    case ParamType::Filename:
      return "file name";
    case ParamType::Device:
      return "device";
    case ParamType::IPv4AddressList:
      return "IPv4 address list";
    case ParamType::Duration:
      return "time";
    case ParamType::Bandwidth:
      return "bandwidth";
  }
  return "value";
}

std::string to_string(const Value& value) {
  struct Render {
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(std::int64_t v) const { return fmt::format("{}", v); }
    std::string operator()(std::uint64_t v) const { return fmt::format("{}", v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return is_bare_word(v) ? v : quote(v); }
    std::string operator()(const IPv4Address& v) const { return format_ipv4(v.addr); }
    std::string operator()(const IPv4Prefix& v) const { return fmt::format("{}/{}", format_ipv4(v.addr), v.length); }
    std::string operator()(const EtherAddress& v) const {
      return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", v.bytes[0], v.bytes[1], v.bytes[2], v.bytes[3],
                         v.bytes[4], v.bytes[5]);
    }
  };
  return std::visit(Render{}, value);
}

std::string format_duration(std::uint64_t us) {
  if (us == 0) return "0s";
  constexpr std::pair<std::uint64_t, std::string_view> kUnits[] = {
      {86'400'000'000, "d"}, {3'600'000'000, "h"}, {60'000'000, "min"}, {1'000'000, "s"}, {1'000, "ms"}, {1, "us"}};
  for (const auto& [size, name] : kUnits)
    if (us % size == 0) return fmt::format("{}{}", us / size, name);
  return fmt::format("{}us", us);
}

}  // namespace nb::compiler

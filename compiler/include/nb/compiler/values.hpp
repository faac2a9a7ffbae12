// Typed configuration values: parsing an argument's raw text by its ParamType.
#pragma once

#include <nb/element.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace nb::compiler {

struct IPv4Address {
  std::uint32_t addr = 0;  // host byte order: 10.0.0.1 == 0x0a000001
  bool operator==(const IPv4Address&) const = default;
};

struct IPv4Prefix {
  std::uint32_t addr = 0;  // host byte order, host bits cleared
  std::uint8_t length = 0;
  // The address as written, host bits kept: FromHost(fake0, 192.0.0.1/8) gives the interface
  // 192.0.0.1 on 192.0.0.0/8. Not part of the prefix's identity.
  std::uint32_t given = 0;
  bool operator==(const IPv4Prefix& o) const { return addr == o.addr && length == o.length; }
};

struct EtherAddress {
  std::array<std::uint8_t, 6> bytes{};
  bool operator==(const EtherAddress&) const = default;
};

using Value =
    std::variant<std::monostate, std::int64_t, std::uint64_t, bool, std::string, IPv4Address, IPv4Prefix, EtherAddress>;

// Where in the argument text a value went wrong: offset/length are relative to the text passed
// to parse_value, so the caller can turn them into a source span inside the argument.
struct ValueError {
  std::size_t offset = 0;
  std::size_t length = 1;
  std::string message;  // "expected a hex digit, found 'G'"
  std::string hint;     // optional: "an IPv4 prefix looks like 10.0.0.0/8"
  bool out_of_range = false;  // a well-formed integer too large for its type: callers may name their own range
};

struct ValueResult {
  Value value;
  std::vector<ValueError> errors;  // empty on success
  bool ok() const { return errors.empty(); }
};

// Parses `text` (already trimmed, defines already substituted) as a value of type `type`.
// Never throws; never reads outside `text`.
ValueResult parse_value(ParamType type, std::string_view text);

// Click's unquoting: "a\"b" -> a"b, 'x' -> x; unquoted text is returned as is.
std::string unquote(std::string_view text);

// The type's name as users read it in diagnostics and `nbc doc`: "IPv4 prefix".
std::string_view type_name(ParamType type);

// Renders a value back as configuration text (for `nbc doc` defaults and tests).
std::string to_string(const Value& value);

// A Duration value (microseconds) in Click's units, the largest that is exact: 5min, 1500ms.
std::string format_duration(std::uint64_t microseconds);

}  // namespace nb::compiler

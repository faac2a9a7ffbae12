// Typed configuration values: parsing, error positions, unquoting and round trips.
#include <nb/compiler/values.hpp>

#include "../../elements/classifier/byte_pattern.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using nb::ParamType;
using namespace nb::compiler;

namespace {

std::string describe(const ValueResult& r) {
  std::string out;
  for (const auto& e : r.errors)
    out += "[" + std::to_string(e.offset) + "+" + std::to_string(e.length) + "] " + e.message + " (" + e.hint + ")\n";
  return out;
}

template <class T>
T parse_ok(ParamType type, std::string_view text) {
  ValueResult r = parse_value(type, text);
  INFO("parsing '" << std::string(text) << "' as " << std::string(type_name(type)) << ": " << describe(r));
  REQUIRE(r.ok());
  REQUIRE(std::holds_alternative<T>(r.value));
  return std::get<T>(r.value);
}

ValueError parse_bad(ParamType type, std::string_view text) {
  ValueResult r = parse_value(type, text);
  INFO("parsing '" << std::string(text) << "' as " << std::string(type_name(type)));
  REQUIRE_FALSE(r.ok());
  REQUIRE(!r.errors.empty());
  return r.errors.front();
}

// Checks that parsing fails with `message`, pointing at [offset, offset + length).
void check_error(ParamType type, std::string_view text, std::size_t offset, std::size_t length,
                 std::string_view message) {
  ValueError e = parse_bad(type, text);
  INFO("parsing '" << std::string(text) << "': " << e.message);
  CHECK(e.message == message);
  CHECK(e.offset == offset);
  CHECK(e.length == length);
}

void check_round_trip(ParamType type, std::string_view text) {
  ValueResult first = parse_value(type, text);
  INFO("parsing '" << std::string(text) << "': " << describe(first));
  REQUIRE(first.ok());
  const std::string rendered = to_string(first.value);
  ValueResult second = parse_value(type, rendered);
  INFO("rendered as '" << rendered << "': " << describe(second));
  REQUIRE(second.ok());
  CHECK(second.value == first.value);
  CHECK(to_string(second.value) == rendered);  // the rendering is canonical
}

// Byte patterns are Classifier's language (elements/classifier/byte_pattern.hpp); the compiler
// keeps their text.
namespace bp = nb::elements::byte_pattern;

bp::Pattern pattern_ok(std::string_view text) {
  bp::Pattern p;
  std::vector<nb::ParamError> errors;
  INFO("parsing '" << std::string(text) << "' as a byte pattern");
  REQUIRE(bp::parse(text, p, errors));
  REQUIRE(errors.empty());
  return p;
}

nb::ParamError pattern_bad(std::string_view text) {
  bp::Pattern p;
  std::vector<nb::ParamError> errors;
  INFO("parsing '" << std::string(text) << "' as a byte pattern");
  REQUIRE_FALSE(bp::parse(text, p, errors));
  REQUIRE(!errors.empty());
  return errors.front();
}

void pattern_error(std::string_view text, std::size_t offset, std::size_t length, std::string_view message) {
  nb::ParamError e = pattern_bad(text);
  INFO("parsing '" << std::string(text) << "': " << e.message);
  CHECK(e.message == message);
  CHECK(e.offset == offset);
  CHECK(e.length == length);
}

std::uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

constexpr ParamType kAllTypes[] = {
    ParamType::Integer,    ParamType::Unsigned,     ParamType::Bool,        ParamType::String,   ParamType::IPv4Address,
    ParamType::IPv4Prefix, ParamType::EtherAddress, ParamType::BytePattern, ParamType::Filename, ParamType::Device,
};

}  // namespace

TEST_CASE("integers parse decimal, signed and hex", "[values][integer]") {
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "0") == 0);
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "42") == 42);
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "-3") == -3);
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "+7") == 7);
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "0x2a") == 42);
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "0X2A") == 42);
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "-0x10") == -16);
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "007") == 7);
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "9223372036854775807") == std::numeric_limits<std::int64_t>::max());
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "-9223372036854775808") == std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("integer errors point at the offending character", "[values][integer]") {
  check_error(ParamType::Integer, "", 0, 0, "expected an integer");
  check_error(ParamType::Integer, "-", 0, 1, "expected a digit after '-'");
  check_error(ParamType::Integer, "12x", 2, 1, "expected a digit, found 'x'");
  check_error(ParamType::Integer, "0xG1", 2, 1, "expected a hex digit, found 'G'");
  check_error(ParamType::Integer, "0x", 0, 2, "expected a hex digit after '0x'");
  check_error(ParamType::Integer, "1 2", 1, 1, "expected a digit, found a space");
  check_error(ParamType::Integer, "1.5", 1, 1, "expected a digit, found '.'");
  check_error(ParamType::Integer, "--1", 1, 1, "expected a digit, found '-'");
  check_error(ParamType::Integer, "9223372036854775808", 0, 19, "integer 9223372036854775808 is out of range");
  check_error(ParamType::Integer, "-9223372036854775809", 0, 20, "integer -9223372036854775809 is out of range");
  check_error(ParamType::Integer, "99999999999999999999", 0, 20, "integer 99999999999999999999 is out of range");
  check_error(ParamType::Integer, "0x10000000000000000", 0, 19, "integer 0x10000000000000000 is out of range");

  // A decimal integer with hex letters suggests the 0x prefix.
  CHECK(parse_bad(ParamType::Integer, "ff").hint.find("0x") != std::string::npos);
  CHECK_FALSE(parse_bad(ParamType::Integer, "9223372036854775808").hint.empty());
}

TEST_CASE("unsigned integers take no sign and use the whole 64-bit range", "[values][unsigned]") {
  CHECK(parse_ok<std::uint64_t>(ParamType::Unsigned, "0") == 0);
  CHECK(parse_ok<std::uint64_t>(ParamType::Unsigned, "1500") == 1500);
  CHECK(parse_ok<std::uint64_t>(ParamType::Unsigned, "0xffff") == 0xffff);
  CHECK(parse_ok<std::uint64_t>(ParamType::Unsigned, "18446744073709551615") ==
        std::numeric_limits<std::uint64_t>::max());
  CHECK(parse_ok<std::uint64_t>(ParamType::Unsigned, "0xffffffffffffffff") ==
        std::numeric_limits<std::uint64_t>::max());

  check_error(ParamType::Unsigned, "-1", 0, 1, "an unsigned integer cannot be negative");
  check_error(ParamType::Unsigned, "+1", 0, 1, "expected a digit, found '+'");
  check_error(ParamType::Unsigned, "", 0, 0, "expected an unsigned integer");
  check_error(ParamType::Unsigned, "14b", 2, 1, "expected a digit, found 'b'");
  check_error(ParamType::Unsigned, "18446744073709551616", 0, 20, "integer 18446744073709551616 is out of range");
  check_error(ParamType::Unsigned, "0x1ffffffffffffffff", 0, 19, "integer 0x1ffffffffffffffff is out of range");
}

TEST_CASE("integers read as Click's IntArg reads them, or not at all", "[values][integer][click]") {
  // Binary and digit separators, as in Click.
  CHECK(parse_ok<std::uint64_t>(ParamType::Unsigned, "0b101") == 5);
  CHECK(parse_ok<std::int64_t>(ParamType::Integer, "-0B11") == -3);
  CHECK(parse_ok<std::uint64_t>(ParamType::Unsigned, "1_000_000") == 1000000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Unsigned, "0xff_ff") == 0xffff);
  check_error(ParamType::Unsigned, "0b102", 4, 1, "expected a binary digit, found '2'");
  check_error(ParamType::Unsigned, "0b", 0, 2, "expected a binary digit after '0b'");
  check_error(ParamType::Unsigned, "1__0", 2, 1, "expected a digit, found '_'");
  check_error(ParamType::Unsigned, "10_", 2, 1, "expected a digit, found '_'");
  // A leading 0 is octal in Click. Where octal and decimal agree (0 to 7) nb reads it; where they
  // differ it refuses, with both readings in the hint, rather than pick one silently.
  CHECK(parse_ok<std::uint64_t>(ParamType::Unsigned, "00") == 0);
  CHECK(parse_ok<std::uint64_t>(ParamType::Unsigned, "07") == 7);
  check_error(ParamType::Unsigned, "016", 0, 3, "'016' has a leading 0: Click reads it as octal 14, not decimal 16");
  CHECK(parse_bad(ParamType::Unsigned, "016").hint == "write 14 for Click's meaning, or 16 for the decimal one");
  check_error(ParamType::Integer, "-010", 1, 3, "'010' has a leading 0: Click reads it as octal 8, not decimal 10");
  CHECK(parse_bad(ParamType::Integer, "-010").hint == "write -8 for Click's meaning, or -10 for the decimal one");
  check_error(ParamType::Unsigned, "08", 0, 2,
              "'08' has a leading 0, which Click reads as octal, but it is not an octal number");
  CHECK(parse_bad(ParamType::Unsigned, "0099").hint == "write 99 without the leading 0 for the decimal number");
}

TEST_CASE("times take Click's units and are read in microseconds", "[values][duration][click]") {
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "30") == 30'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "30s") == 30'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "30sec") == 30'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "1.5s") == 1'500'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "100ms") == 100'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "250us") == 250);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "1500ns") == 2);  // to the nearest microsecond
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "5min") == 300'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "5m") == 300'000'000);  // Click: m is minutes, ms milliseconds
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "1h") == 3'600'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "2hr") == 7'200'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "1d") == 86'400'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, ".5day") == 43'200'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "0") == 0);
  CHECK(parse_ok<std::uint64_t>(ParamType::Duration, "0ns") == 0);

  check_error(ParamType::Duration, "", 0, 0, "expected a time");
  check_error(ParamType::Duration, "-1s", 0, 1, "a time cannot be negative");
  check_error(ParamType::Duration, "5 min", 1, 4, "unknown time unit ' min'");
  check_error(ParamType::Duration, "5mins", 1, 4, "unknown time unit 'mins'");
  check_error(ParamType::Duration, "1e3", 1, 2, "unknown time unit 'e3'");
  check_error(ParamType::Duration, "s", 0, 1, "expected a digit, found 's'");
  check_error(ParamType::Duration, "100ns", 0, 5, "time is shorter than a microsecond, nb's resolution");
  check_error(ParamType::Duration, "999999999999999999999d", 0, 22, "time is out of range");
  CHECK(parse_bad(ParamType::Duration, "5 min").hint == "write the unit right after the number: 5min");

  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(300'000'000) == "5min");
  CHECK(format_duration(1'500'000) == "1500ms");
  CHECK(format_duration(86'400'000'000) == "1d");
  CHECK(format_duration(7) == "7us");
  for (const char* text : {"5min", "1500ms", "7us", "2h", "3d", "42s"})
    CHECK(format_duration(parse_ok<std::uint64_t>(ParamType::Duration, text)) == text);

  // No prefix of any input reads outside it.
  for (std::string_view input : {"1.5s", "100ms", "5min", "1_0", "0b1", "016", ".5day", "1e3"}) {
    for (std::size_t n = 0; n <= input.size(); ++n) {
      auto buffer = std::make_unique<char[]>(n == 0 ? 1 : n);
      std::memcpy(buffer.get(), input.data(), n);
      const std::string_view text(buffer.get(), n);
      for (ParamType type : {ParamType::Duration, ParamType::Unsigned, ParamType::Integer}) {
        ValueResult r = parse_value(type, text);
        for (const auto& e : r.errors) CHECK(e.offset + e.length <= text.size());
      }
    }
  }
}

TEST_CASE("bandwidths take Click's units and are read in bytes a second", "[values][bandwidth][click]") {
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "125000") == 125'000);  // a plain number: bytes
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "131072B/s") == 131'072);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "131072Bps") == 131'072);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "1Mbps") == 125'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "10000Mbps") == 1'250'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "1kBps") == 1'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "1KBps") == 1'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "384kbps") == 48'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "2MB/s") == 2'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "1Gb/s") == 125'000'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "0.5Gbps") == 62'500'000);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "9600baud") == 1'200);
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "12bps") == 2);  // 1.5 bytes, to the nearest
  CHECK(parse_ok<std::uint64_t>(ParamType::Bandwidth, "0") == 0);

  check_error(ParamType::Bandwidth, "", 0, 0, "expected a bandwidth");
  check_error(ParamType::Bandwidth, "-1Mbps", 0, 1, "a bandwidth cannot be negative");
  check_error(ParamType::Bandwidth, "1mbps", 1, 4, "unknown bandwidth unit 'mbps'");
  CHECK(parse_bad(ParamType::Bandwidth, "1mbps").hint ==
        "Click's units are case-sensitive: mega is M (Mbps, MBps); m is no prefix");
  check_error(ParamType::Bandwidth, "10 Mbps", 2, 5, "unknown bandwidth unit ' Mbps'");
  CHECK(parse_bad(ParamType::Bandwidth, "10 Mbps").hint == "write the unit right after the number: 1Mbps");
  check_error(ParamType::Bandwidth, "10M", 2, 1, "unknown bandwidth unit 'M'");
  CHECK(parse_bad(ParamType::Bandwidth, "10M").hint == "a prefix needs a unit after it: Mbps (bits) or MBps (bytes)");
  check_error(ParamType::Bandwidth, "10Mbit/s", 2, 6, "unknown bandwidth unit 'Mbit/s'");
  check_error(ParamType::Bandwidth, "Mbps", 0, 1, "expected a digit, found 'M'");
  check_error(ParamType::Bandwidth, "1bps", 0, 4, "bandwidth is less than a byte a second, nb's resolution");
  check_error(ParamType::Bandwidth, "99999999999999999999GBps", 0, 24, "bandwidth is out of range");
  CHECK(type_name(ParamType::Bandwidth) == "bandwidth");

  // No prefix of any input reads outside it.
  for (std::string_view input : {"131072B/s", "1Mbps", "0.5Gbps", "10 M", "1e3"}) {
    for (std::size_t n = 0; n <= input.size(); ++n) {
      auto buffer = std::make_unique<char[]>(n == 0 ? 1 : n);
      std::memcpy(buffer.get(), input.data(), n);
      const std::string_view text(buffer.get(), n);
      ValueResult r = parse_value(ParamType::Bandwidth, text);
      for (const auto& e : r.errors) CHECK(e.offset + e.length <= text.size());
    }
  }
}

TEST_CASE("bools follow Click's BoolArg", "[values][bool]") {
  for (const char* t : {"true", "yes", "1", "t", "y"}) CHECK(parse_ok<bool>(ParamType::Bool, t) == true);
  for (const char* f : {"false", "no", "0", "f", "n"}) CHECK(parse_ok<bool>(ParamType::Bool, f) == false);

  check_error(ParamType::Bool, "maybe", 0, 5, "expected 'true' or 'false'");
  check_error(ParamType::Bool, "", 0, 0, "expected 'true' or 'false'");
  check_error(ParamType::Bool, "2", 0, 1, "expected 'true' or 'false'");
  check_error(ParamType::Bool, "true ", 0, 5, "expected 'true' or 'false'");
  // Click is case-sensitive; the hint says how to fix it.
  ValueError e = parse_bad(ParamType::Bool, "True");
  CHECK(e.hint.find("true") != std::string::npos);
}

TEST_CASE("unquote follows Click's cp_unquote", "[values][string]") {
  CHECK(unquote("plain") == "plain");
  CHECK(unquote("") == "");
  CHECK(unquote("\"a b\"") == "a b");
  CHECK(unquote("'a b'") == "a b");
  CHECK(unquote(R"("a\"b")") == "a\"b");
  CHECK(unquote(R"("back\\slash")") == "back\\slash");
  CHECK(unquote(R"("line\nbreak\ttab")") == "line\nbreak\ttab");
  CHECK(unquote(R"("\101\x42")") == "AB");
  CHECK(unquote(R"("\<48 65 6c6C 6f>")") == "Hello");
  CHECK(unquote(R"('single \n is literal')") == "single \\n is literal");
  CHECK(unquote(R"('it"s')") == "it\"s");
  CHECK(unquote(R"("it's")") == "it's");
  // Only quoted segments are unquoted; the rest is kept as is.
  CHECK(unquote(R"(pre"mid dle"post)") == "premid dlepost");
  CHECK(unquote(R"(a\nb)") == "a\\nb");
  CHECK(unquote(R"(x\<41>)") == "xA");
  // An unterminated quote runs to the end, as in Click.
  CHECK(unquote("\"abc") == "abc");
  CHECK(unquote("\"abc\\") == "abc\\");
}

TEST_CASE("strings, file names and devices are unquoted", "[values][string]") {
  CHECK(parse_ok<std::string>(ParamType::String, "hello") == "hello");
  CHECK(parse_ok<std::string>(ParamType::String, "") == "");
  CHECK(parse_ok<std::string>(ParamType::String, "\"a, b\"") == "a, b");
  CHECK(parse_ok<std::string>(ParamType::String, "1.2.3.4 5.6.7.8") == "1.2.3.4 5.6.7.8");
  CHECK(parse_ok<std::string>(ParamType::Filename, "in.pcap") == "in.pcap");
  CHECK(parse_ok<std::string>(ParamType::Filename, "\"my traces/in.pcap\"") == "my traces/in.pcap");
  CHECK(parse_ok<std::string>(ParamType::Filename, "/tmp/x.pcap") == "/tmp/x.pcap");
  CHECK(parse_ok<std::string>(ParamType::Device, "0") == "0");
  CHECK(parse_ok<std::string>(ParamType::Device, "0000:01:00.0") == "0000:01:00.0");
  CHECK(parse_ok<std::string>(ParamType::Device, "\"net_tap0,iface=nb0\"") == "net_tap0,iface=nb0");

  check_error(ParamType::Filename, "", 0, 0, "expected a file name, found an empty string");
  check_error(ParamType::Filename, "\"\"", 0, 2, "expected a file name, found an empty string");
  check_error(ParamType::Device, "''", 0, 2, "expected a device name, found an empty string");
  check_error(ParamType::Filename, "my file.pcap", 2, 1, "file name contains an unquoted space");
  check_error(ParamType::Device, "net_null0 x", 9, 1, "device name contains an unquoted space");
  check_error(ParamType::String, "ab\"cd", 2, 1, "this '\"' starts a string that is never closed");
  check_error(ParamType::Filename, "'in.pcap", 0, 1, "this \"'\" starts a string that is never closed");
  // An escaped quote does not close the string.
  check_error(ParamType::String, R"("a\")", 0, 1, "this '\"' starts a string that is never closed");
}

TEST_CASE("IPv4 addresses are dotted quads", "[values][ipv4]") {
  CHECK(parse_ok<IPv4Address>(ParamType::IPv4Address, "10.0.0.1").addr == 0x0a000001u);
  CHECK(parse_ok<IPv4Address>(ParamType::IPv4Address, "255.255.255.255").addr == 0xffffffffu);
  CHECK(parse_ok<IPv4Address>(ParamType::IPv4Address, "0.0.0.0").addr == 0u);
  CHECK(parse_ok<IPv4Address>(ParamType::IPv4Address, "192.168.001.010").addr == ip(192, 168, 1, 10));

  check_error(ParamType::IPv4Address, "10.0.300.1", 5, 3, "IPv4 address byte 300 is larger than 255");
  check_error(ParamType::IPv4Address, "1000000000000.0.0.1", 0, 13,
              "IPv4 address byte 1000000000000 is larger than 255");
  check_error(ParamType::IPv4Address, "10.0.0", 6, 0, "IPv4 address has only 3 parts; expected 4");
  check_error(ParamType::IPv4Address, "10.0.0.", 7, 0, "expected a digit after '.'");
  check_error(ParamType::IPv4Address, "10..0.1", 3, 1, "expected a digit, found '.'");
  check_error(ParamType::IPv4Address, "10.0.0.1.5", 8, 2, "IPv4 address has more than 4 parts");
  check_error(ParamType::IPv4Address, "10.0.0.1x", 8, 1, "expected the end of the IPv4 address, found 'x'");
  check_error(ParamType::IPv4Address, "10,0.0.1", 2, 1, "expected '.', found ','");
  check_error(ParamType::IPv4Address, "x.0.0.1", 0, 1, "expected a digit, found 'x'");
  check_error(ParamType::IPv4Address, "", 0, 0, "expected an IPv4 address");
  check_error(ParamType::IPv4Address, "10.0.0.0/8", 8, 2, "expected an IPv4 address, not a prefix");
  CHECK(parse_bad(ParamType::IPv4Address, "10.0.0").hint == "an IPv4 address looks like 10.0.0.1");
}

TEST_CASE("IPv4 prefixes take a length or a contiguous netmask", "[values][ipv4]") {
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "10.0.0.0/8") == IPv4Prefix{ip(10, 0, 0, 0), 8});
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "10.0.0.0/255.0.0.0") == IPv4Prefix{ip(10, 0, 0, 0), 8});
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "192.168.1.0/255.255.255.0") == IPv4Prefix{ip(192, 168, 1, 0), 24});
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "1.2.3.4") == IPv4Prefix{ip(1, 2, 3, 4), 32});
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "0.0.0.0/0") == IPv4Prefix{0, 0});
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "1.2.3.4/0.0.0.0") == IPv4Prefix{0, 0});
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "1.2.3.4/32") == IPv4Prefix{ip(1, 2, 3, 4), 32});
  // Host bits under the mask are cleared, as Click does.
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "10.1.2.3/8") == IPv4Prefix{ip(10, 0, 0, 0), 8});
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "10.1.2.3/255.255.0.0") == IPv4Prefix{ip(10, 1, 0, 0), 16});

  check_error(ParamType::IPv4Prefix, "10.0.0.0/33", 9, 2, "prefix length 33 is larger than 32");
  check_error(ParamType::IPv4Prefix, "10.0.0.0/", 8, 1, "expected a prefix length or netmask after '/'");
  check_error(ParamType::IPv4Prefix, "10.0.0.0/8x", 10, 1, "expected a digit, found 'x'");
  check_error(ParamType::IPv4Prefix, "10.0.0.0/x", 9, 1, "expected a digit, found 'x'");
  check_error(ParamType::IPv4Prefix, "10.0.0.0/255.0.255.0", 9, 11, "netmask 255.0.255.0 is not contiguous");
  check_error(ParamType::IPv4Prefix, "10.0.0.0/255.0.0", 16, 0, "netmask has only 3 parts; expected 4");
  check_error(ParamType::IPv4Prefix, "10.0.0.0/255.256.0.0", 13, 3, "netmask byte 256 is larger than 255");
  // Click's abbreviated prefixes: the parts given are the leading bytes, and the mask may not
  // reach past them.
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "10.0.0/8") == IPv4Prefix{ip(10, 0, 0, 0), 8});
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "0/0") == IPv4Prefix{0, 0});
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "18.26.4/24") == IPv4Prefix{ip(18, 26, 4, 0), 24});
  CHECK(parse_ok<IPv4Prefix>(ParamType::IPv4Prefix, "10/255.0.0.0") == IPv4Prefix{ip(10, 0, 0, 0), 8});
  check_error(ParamType::IPv4Prefix, "10/16", 0, 2, "'10' gives 1 of the address's 4 parts, fewer than the /16 covers");
  CHECK(parse_bad(ParamType::IPv4Prefix, "10/16").hint == "write all four: 10.0.0.0/16");
  check_error(ParamType::IPv4Prefix, "10.0.0", 6, 0, "IPv4 address has only 3 parts; expected 4");
  check_error(ParamType::IPv4Prefix, "10./8", 3, 0, "expected a digit after '.'");
  check_error(ParamType::IPv4Prefix, "10.0.0.300/8", 7, 3, "IPv4 address byte 300 is larger than 255");
  CHECK(parse_bad(ParamType::IPv4Prefix, "10.0.0.0/33").hint.find("10.0.0.0/8") != std::string::npos);
}

TEST_CASE("Ethernet addresses are six hex bytes", "[values][ether]") {
  const EtherAddress expected{{0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc}};
  CHECK(parse_ok<EtherAddress>(ParamType::EtherAddress, "00:11:22:aa:bb:cc") == expected);
  CHECK(parse_ok<EtherAddress>(ParamType::EtherAddress, "00:11:22:AA:BB:CC") == expected);
  CHECK(parse_ok<EtherAddress>(ParamType::EtherAddress, "00-11-22-aa-bb-cc") == expected);
  CHECK(parse_ok<EtherAddress>(ParamType::EtherAddress, "0:11:22:aa:bb:cc") == expected);
  CHECK(parse_ok<EtherAddress>(ParamType::EtherAddress, "1:2:3:4:5:6") ==
        EtherAddress{{0x01, 0x02, 0x03, 0x04, 0x05, 0x06}});

  check_error(ParamType::EtherAddress, "00:11:22:33:44:GG", 15, 1, "expected a hex digit, found 'G'");
  check_error(ParamType::EtherAddress, "00:11:22:33:44", 14, 0, "Ethernet address has only 5 bytes; expected 6");
  check_error(ParamType::EtherAddress, "00:11:22:33:44:", 15, 0, "expected a hex digit after ':'");
  check_error(ParamType::EtherAddress, "00:11:22:33:44:55:66", 17, 3, "Ethernet address has more than 6 bytes");
  check_error(ParamType::EtherAddress, "00:11:223:33:44:55", 6, 3,
              "Ethernet address byte '223' has more than 2 hex digits");
  check_error(ParamType::EtherAddress, "00:11-22:33:44:55", 5, 1, "expected ':', found '-'");
  check_error(ParamType::EtherAddress, "00.11.22.33.44.55", 2, 1, "expected ':', found '.'");
  check_error(ParamType::EtherAddress, "00:11:22:33:44:55x", 17, 1,
              "expected the end of the Ethernet address, found 'x'");
  check_error(ParamType::EtherAddress, "", 0, 0, "expected an Ethernet address");
}

TEST_CASE("byte patterns follow Click's Classifier syntax", "[values][pattern]") {
  SECTION("'-' matches everything") {
    auto p = pattern_ok("-");
    CHECK(p.match_all);
    CHECK(p.clauses.empty());
  }
  SECTION("a plain clause") {
    auto p = pattern_ok("12/0800");
    CHECK_FALSE(p.match_all);
    REQUIRE(p.clauses.size() == 1);
    CHECK(p.clauses[0].offset == 12);
    CHECK(p.clauses[0].value == std::vector<std::uint8_t>{0x08, 0x00});
    CHECK(p.clauses[0].mask == std::vector<std::uint8_t>{0xff, 0xff});
    CHECK_FALSE(p.clauses[0].negated);
  }
  SECTION("several clauses, negation and a mask") {
    auto p = pattern_ok("12/0806  20/0001\t!23/06 30/AbCd%0ff0");
    REQUIRE(p.clauses.size() == 4);
    CHECK(p.clauses[1].offset == 20);
    CHECK(p.clauses[1].value == std::vector<std::uint8_t>{0x00, 0x01});
    CHECK(p.clauses[2].negated);
    CHECK(p.clauses[2].offset == 23);
    CHECK(p.clauses[2].value == std::vector<std::uint8_t>{0x06});
    CHECK(p.clauses[3].mask == std::vector<std::uint8_t>{0x0f, 0xf0});
    CHECK(p.clauses[3].value == std::vector<std::uint8_t>{0x0b, 0xc0});  // value bits outside the mask cleared
  }
  SECTION("'?' clears mask nibbles") {
    auto p = pattern_ok("0/4?");
    REQUIRE(p.clauses.size() == 1);
    CHECK(p.clauses[0].value == std::vector<std::uint8_t>{0x40});
    CHECK(p.clauses[0].mask == std::vector<std::uint8_t>{0xf0});
    auto q = pattern_ok("0/?5?7%ffff");
    CHECK(q.clauses[0].value == std::vector<std::uint8_t>{0x05, 0x07});
    CHECK(q.clauses[0].mask == std::vector<std::uint8_t>{0x0f, 0x0f});
    auto r = pattern_ok("0/??%ff");
    CHECK(r.clauses[0].mask == std::vector<std::uint8_t>{0x00});
  }
  SECTION("leading and trailing space is ignored") {
    auto p = pattern_ok("  12/0800 ");
    CHECK(p.clauses.size() == 1);
    CHECK(pattern_ok(" - ").match_all);
  }
}

TEST_CASE("byte pattern errors point into the clause", "[values][pattern]") {
  pattern_error("", 0, 0, "a byte pattern cannot be empty");
  pattern_error("   ", 0, 3, "a byte pattern cannot be empty");
  pattern_error("12/080", 3, 3, "value has 3 hex digits; it needs an even number");
  pattern_error("12/08G0", 5, 1, "expected a hex digit, found 'G'");
  pattern_error("12/0800%ff", 8, 2, "value has 4 hex digits but mask has 2");
  pattern_error("12/0800%", 7, 1, "expected a hex mask after '%'");
  pattern_error("12/0800%ff?f", 10, 1, "expected a hex digit, found '?'");
  pattern_error("12/", 3, 0, "expected a hex digit, found the end of the clause");
  pattern_error("12", 2, 0, "expected '/' after the offset, found the end of the clause");
  pattern_error("12:0800", 2, 1, "expected '/' after the offset, found ':'");
  pattern_error("/0800", 0, 1, "expected a decimal offset, found '/'");
  pattern_error("!", 1, 0, "expected a decimal offset, found the end of the clause");
  pattern_error("x/08", 0, 1, "expected a decimal offset, found 'x'");
  pattern_error("99999999999/08", 0, 11, "offset 99999999999 is out of range");
  pattern_error("12/0800 -", 8, 1, "'-' matches every packet and must be the whole pattern");
  pattern_error("!-", 1, 1, "'-' matches every packet and cannot be negated");
  // The offset of an error in a later clause counts from the start of the whole pattern.
  pattern_error("12/0800 20/00x1", 13, 1, "expected a hex digit, found 'x'");
  CHECK(pattern_bad("").hint.find("'-'") != std::string::npos);
  CHECK(pattern_bad("0/0?%f?").hint.find("value") != std::string::npos);

  // Every bad clause is reported, not only the first.
  bp::Pattern p;
  std::vector<nb::ParamError> errors;
  CHECK_FALSE(bp::parse("1/x 2/0800 3/abc", p, errors));
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].offset == 2);
  CHECK(errors[1].offset == 13);
  CHECK(errors[1].length == 3);
  // The compiler keeps the text and leaves the language to Classifier's validate_all hook.
  CHECK(parse_value(ParamType::BytePattern, "1/x").ok());
}

TEST_CASE("type names read as users expect", "[values]") {
  CHECK(type_name(ParamType::Integer) == "integer");
  CHECK(type_name(ParamType::Unsigned) == "unsigned integer");
  CHECK(type_name(ParamType::Bool) == "bool");
  CHECK(type_name(ParamType::String) == "string");
  CHECK(type_name(ParamType::IPv4Address) == "IPv4 address");
  CHECK(type_name(ParamType::IPv4Prefix) == "IPv4 prefix");
  CHECK(type_name(ParamType::EtherAddress) == "Ethernet address");
  CHECK(type_name(ParamType::BytePattern) == "byte pattern");
  CHECK(type_name(ParamType::Filename) == "file name");
  CHECK(type_name(ParamType::Device) == "device");
  CHECK(type_name(ParamType::Duration) == "time");
}

TEST_CASE("to_string renders canonical text", "[values][to_string]") {
  CHECK(to_string(Value{}) == "");
  CHECK(to_string(Value{std::int64_t{-42}}) == "-42");
  CHECK(to_string(Value{std::uint64_t{1500}}) == "1500");
  CHECK(to_string(Value{true}) == "true");
  CHECK(to_string(Value{false}) == "false");
  CHECK(to_string(Value{std::string("in.pcap")}) == "in.pcap");
  CHECK(to_string(Value{std::string("a b")}) == "\"a b\"");
  CHECK(to_string(Value{std::string("")}) == "\"\"");
  CHECK(to_string(Value{std::string("say \"hi\"\n")}) == R"("say \"hi\"\n")");
  CHECK(to_string(Value{std::string("net_tap0,iface=nb0")}) == "\"net_tap0,iface=nb0\"");
  CHECK(to_string(Value{IPv4Address{ip(10, 0, 0, 1)}}) == "10.0.0.1");
  CHECK(to_string(Value{IPv4Prefix{ip(10, 0, 0, 0), 8}}) == "10.0.0.0/8");
  CHECK(to_string(Value{EtherAddress{{0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc}}}) == "00:11:22:aa:bb:cc");
  CHECK(bp::format(pattern_ok("-")) == "-");
  CHECK(bp::format(pattern_ok("12/0800 !23/06")) == "12/0800 !23/06");
  CHECK(bp::format(pattern_ok("0/4?")) == "0/4?");
  CHECK(bp::format(pattern_ok("0/0800%ff00")) == "0/08??");
  CHECK(bp::format(pattern_ok("0/FFFF%0ff0")) == "0/?ff?");
  CHECK(bp::format(pattern_ok("0/FFFF%0ff1")) == "0/?ff1%0ff1");
  CHECK(to_string(parse_value(ParamType::IPv4Prefix, "10.1.2.3/255.0.0.0").value) == "10.0.0.0/8");
  CHECK(to_string(parse_value(ParamType::Integer, "0x10").value) == "16");
}

TEST_CASE("to_string round-trips through parse_value", "[values][to_string]") {
  for (auto text : {"0", "-1", "42", "0x7fffffffffffffff", "-9223372036854775808"})
    check_round_trip(ParamType::Integer, text);
  for (auto text : {"0", "65535", "18446744073709551615"}) check_round_trip(ParamType::Unsigned, text);
  for (auto text : {"true", "no", "0", "y"}) check_round_trip(ParamType::Bool, text);
  for (auto text : {"plain", "\"with space\"", "''", R"("tab\there \"q\" \\ $x")", R"("\001\177")", "\"a//b\"",
                    "\"/*\"", "'(x)'", "\"caf\xc3\xa9\""})
    check_round_trip(ParamType::String, text);
  for (auto text : {"in.pcap", "\"my file.pcap\"", "/var/tmp/x.pcap"}) check_round_trip(ParamType::Filename, text);
  for (auto text : {"0", "0000:01:00.0", "\"net_tap0,iface=nb0\""}) check_round_trip(ParamType::Device, text);
  for (auto text : {"0.0.0.0", "10.0.0.1", "255.255.255.255"}) check_round_trip(ParamType::IPv4Address, text);
  for (auto text : {"10.0.0.0/8", "1.2.3.4", "0.0.0.0/0", "10.1.2.3/255.255.240.0", "10.1.2.3/31"})
    check_round_trip(ParamType::IPv4Prefix, text);
  for (auto text : {"00:11:22:33:44:55", "ff-ff-ff-ff-ff-ff", "1:2:3:4:5:6"})
    check_round_trip(ParamType::EtherAddress, text);
  for (auto text : {"-", "12/0800", "12/0806 20/0001", "!23/06", "0/4?", "0/?5?7%ffff", "0/abcd%0f0f", "0/abcd%1248",
                    "0/????", "100/00ff%ff00"}) {
    const bp::Pattern first = pattern_ok(text);
    const std::string rendered = bp::format(first);
    INFO("rendered as '" << rendered << "'");
    CHECK(pattern_ok(rendered) == first);
    CHECK(bp::format(pattern_ok(rendered)) == rendered);  // the rendering is canonical
  }
}

TEST_CASE("errors stay inside the text for every prefix of every input", "[values][bounds]") {
  const std::vector<std::string> inputs = {
      "-9223372036854775808",
      "0x2a",
      "yes",
      "\"a\\\"b\" c",
      "'q",
      "10.0.300.1",
      "10.0.0.0/33",
      "1.2.3.4/255.0.255.0",
      "00:11:22:33:44:55",
      "12/0806 20/0001",
      "!23/0?%ff",
      "\"net_tap0,iface=nb0\"",
      "0000:01:00.0",
      "\"\\<48 /* c */ 65>\"",
      "\"\\x4",
      "a b\tc\n",
      "\x01\xff",
  };
  for (const auto& input : inputs) {
    for (std::size_t n = 0; n <= input.size(); ++n) {
      // An exactly-sized heap copy lets AddressSanitizer catch a read past the end.
      auto buffer = std::make_unique<char[]>(n == 0 ? 1 : n);
      std::memcpy(buffer.get(), input.data(), n);
      const std::string_view text(buffer.get(), n);
      for (ParamType type : kAllTypes) {
        ValueResult r = parse_value(type, text);
        INFO("type " << std::string(type_name(type)) << ", text '" << std::string(text) << "'");
        // A byte pattern's value is its raw text (Classifier checks the language, below), which
        // to_string would quote.
        if (r.ok() && type != ParamType::BytePattern) {
          CHECK_FALSE(std::holds_alternative<std::monostate>(r.value));
          ValueResult again = parse_value(type, to_string(r.value));
          CHECK(again.ok());
          CHECK(again.value == r.value);
        }
        for (const auto& e : r.errors) {
          CHECK(e.offset <= text.size());
          CHECK(e.offset + e.length <= text.size());
          CHECK_FALSE(e.message.empty());
        }
      }
      (void)unquote(text);
      bp::Pattern pattern;
      std::vector<nb::ParamError> errors;
      if (bp::parse(text, pattern, errors)) {
        CHECK(pattern_ok(bp::format(pattern)) == pattern);
      }
      for (const auto& e : errors) {
        CHECK(e.offset + e.length <= text.size());
        CHECK_FALSE(e.message.empty());
      }
    }
  }
}

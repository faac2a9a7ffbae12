#include "set_timestamp.hpp"

#include <string>
#include <string_view>

namespace nb::elements {

namespace {

// Click's timestamp: seconds since the epoch, with up to six decimals ("1100000000.25").
bool parse_timestamp(std::string_view text, std::uint64_t& us) {
  std::uint64_t whole = 0, frac = 0;
  std::size_t i = 0, digits = 0, frac_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    if (whole > 10'000'000'000ull) return false;  // past the year 2286: not a time nb keeps
    whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      if (frac_digits < 6) {
        frac = frac * 10 + static_cast<std::uint64_t>(text[i] - '0');
        ++frac_digits;
      }
    }
  }
  for (std::size_t k = frac_digits; k < 6; ++k) frac *= 10;
  if (digits == 0 || i != text.size() || whole > 10'000'000'000ull) return false;
  us = whole * 1000000 + frac;
  return true;
}

bool validate_timestamp(std::string_view text, ParamError& e) {
  std::uint64_t us = 0;
  if (parse_timestamp(text, us)) return true;
  e.offset = 0;
  e.length = text.size() ? text.size() : 1;
  e.message = "expected seconds since the epoch (e.g. 1100000000.5), not '" + std::string(text) + "'";
  return false;
}

constexpr ParamSpec kParams[] = {
    {"TIMESTAMP", ParamType::String, ParamKind::Positional, false, "",
     "The time to set, in seconds since the epoch with up to six decimals; default: the time the packet "
     "arrives at the element.",
     INT64_MIN, UINT64_MAX, &validate_timestamp},
    {"FIRST", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Click sets the packet's \"first timestamp\" annotation with true; nb keeps one timestamp per packet, so "
     "FIRST must be false."},
};

}  // namespace

bool SetTimestamp::configure(const Args& args, Config& config, std::string& error) {
  if (args.get_bool("FIRST")) {
    error = "nb keeps one timestamp per packet (no \"first timestamp\" annotation): FIRST must be false";
    return false;
  }
  config.fixed = args.given("TIMESTAMP");
  if (config.fixed && !parse_timestamp(args.get_string("TIMESTAMP"), config.us)) {
    error = "TIMESTAMP: expected seconds since the epoch";
    return false;
  }
  return true;
}

NB_ELEMENT_KERNEL(SetTimestamp);

constinit const ElementSpec SetTimestamp::spec{
    .class_name = "SetTimestamp",
    .ports = "1/1",
    .params = kParams,
    .brief = "sets the packet's timestamp to now, or to TIMESTAMP",
    .description =
        "Sets the packet's timestamp (Click's timestamp annotation) to the time it arrives at the element (the "
        "wall clock, read off the worker's clock, microseconds), or to TIMESTAMP, and sends it on unchanged. "
        "The timestamp is the one FromDump gives each packet from its record and ToDump writes back; "
        "DelayShaper holds a packet until its timestamp plus DELAY.\n"
        "\n"
        "Input 0: packets. Output 0: the same packets, stamped.",
    .example = "FromDump(in.pcap) -> SetTimestamp -> Queue -> DelayShaper(10ms) -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(SetTimestamp::spec);

}  // namespace nb::elements

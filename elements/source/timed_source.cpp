#include "timed_source.hpp"

#include <cmath>
#include <cstdlib>

namespace nb::elements {

namespace {

// Click's time: seconds, or a number with a unit (s, sec, ms, msec, us, usec, min, h).
bool parse_interval(std::string_view text, std::uint64_t& ns, std::string& error) {
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  std::string unit = end ? std::string(end) : std::string();
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  double scale = 0;
  if (unit.empty() || unit == "s" || unit == "sec") scale = 1e9;
  else if (unit == "ms" || unit == "msec") scale = 1e6;
  else if (unit == "us" || unit == "usec") scale = 1e3;
  else if (unit == "min") scale = 60e9;
  else if (unit == "h" || unit == "hr") scale = 3600e9;
  if (end == s.c_str() || scale == 0 || !std::isfinite(v) || v <= 0 || v * scale > 1e18) {
    error = "INTERVAL: expected a time such as 0.5, 500ms or 2s, not '" + s + "'";
    return false;
  }
  ns = static_cast<std::uint64_t>(v * scale);
  if (ns == 0) ns = 1;
  return true;
}

bool validate_interval(std::string_view text, ParamError& e) {
  std::uint64_t ns = 0;
  if (parse_interval(text, ns, e.message)) return true;
  e.offset = 0;
  e.length = text.size() ? text.size() : 1;
  return false;
}

constexpr ParamSpec kParams[] = {
    {"INTERVAL", ParamType::String, ParamKind::Positional, false, "0.5",
     "The time between two packets: seconds, or with a unit (500ms, 2s, 1min).", INT64_MIN, UINT64_MAX,
     &validate_interval},
    NB_SOURCE_DATA,
    NB_SOURCE_LIMIT(ParamKind::Keyword),
    NB_SOURCE_ACTIVE(ParamKind::Keyword),
    NB_SOURCE_LENGTH,
    NB_SOURCE_STOP,
};

}  // namespace

bool TimedSource::configure(const Args& args, Config& config, std::string& error) {
  if (!packet_source::configure(args, config, error, false)) return false;
  return parse_interval(args.get_string("INTERVAL"), config.interval_ns, error);
}

NB_ELEMENT_PULL(TimedSource);

constinit const ElementSpec TimedSource::spec{
    .class_name = "TimedSource",
    .ports = "0/1",
    .params = kParams,
    .brief = "makes a copy of one packet every INTERVAL",
    .description =
        "Makes a copy of the packet DATA describes every INTERVAL (on the worker's clock), from the "
        "run's mempool, until LIMIT packets were made; with STOP true, reaching LIMIT ends the run. "
        "Each packet counts as generated. With several workers, each makes its own.\n"
        "\n"
        "Output 0 (push or pull): the packets.",
    .example = "TimedSource(100ms, LIMIT 5, STOP true) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = packet_source::SourceHandlers<TimedSource>::kHandlers,
    .processing = "/a",
};

NB_REGISTER_ELEMENT(TimedSource::spec);

}  // namespace nb::elements

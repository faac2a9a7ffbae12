#include "rated_splitter.hpp"

#include <charconv>
#include <span>

namespace nb::elements {

bool RatedSplitter::parse_duration_ms(std::string_view text, std::uint64_t& ms) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  // The number: digits, optionally a fraction; kept as units of 10^-9 of its unit.
  std::size_t i = 0;
  std::uint64_t whole = 0, nanos = 0;
  bool digits = false;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, digits = true) {
    if (whole > 1000000000u) return false;  // beyond any duration taken below
    whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    std::uint64_t scale = 100000000;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, digits = true, scale /= 10)
      nanos += static_cast<std::uint64_t>(text[i] - '0') * scale;
  }
  if (!digits || whole > 1000000000u) return false;
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  // Microseconds per unit.
  std::uint64_t micros_per_unit = 0;
  if (unit.empty() || unit == "s" || unit == "sec" || unit == "secs" || unit == "second" || unit == "seconds")
    micros_per_unit = 1000000;
  else if (unit == "ms" || unit == "msec" || unit == "msecs")
    micros_per_unit = 1000;
  else if (unit == "us" || unit == "usec" || unit == "usecs")
    micros_per_unit = 1;
  else if (unit == "m" || unit == "min" || unit == "mins" || unit == "minute" || unit == "minutes")
    micros_per_unit = 60000000;
  else if (unit == "h" || unit == "hr" || unit == "hrs" || unit == "hour" || unit == "hours")
    micros_per_unit = 3600000000ull;
  else
    return false;
  // whole <= 10^9 and nanos < 10^9: both products fit in 64 bits.
  const std::uint64_t micros = whole * micros_per_unit + nanos * micros_per_unit / 1000000000u;
  // Rounded to milliseconds, as Click's SecondsArg(3).
  const std::uint64_t rounded = (micros + 500) / 1000;
  if (rounded > 1000000000u) return false;  // over 11 days
  ms = rounded;
  return true;
}

namespace {

bool validate_duration(std::string_view text, ParamError& error) {
  std::uint64_t ms = 0;
  if (RatedSplitter::parse_duration_ms(text, ms)) return true;
  error = {0, text.size() ? text.size() : 1,
           "expected a time such as 20ms, 0.5s or 1min (seconds without a unit), at most 11 days", ""};
  return false;
}

void read_rate(const RatedSplitter::Config& config, const RatedSplitter::State& state, std::string& out) {
  out = std::to_string(RatedSplitter::rate(config, state));
}

void read_rate_workers(const RatedSplitter::Config& config, std::span<const RatedSplitter::State* const> states,
                       std::string& out) {
  bool same = true;
  for (const auto* s : states) same &= RatedSplitter::rate(config, *s) == RatedSplitter::rate(config, *states[0]);
  if (same) {
    if (!states.empty()) read_rate(config, *states[0], out);
    return;
  }
  for (std::size_t w = 0; w < states.size(); ++w)
    out += "worker " + std::to_string(w) + ": " + std::to_string(RatedSplitter::rate(config, *states[w])) + "\n";
}

// As Click's reconfiguration of RATE: the depth follows the new rate unless BURST_SIZE fixed it.
bool write_rate(const RatedSplitter::Config& config, RatedSplitter::State& state, std::string_view value,
                std::string& error) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.front() == '\n'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\n'))
    value.remove_suffix(1);
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || v > RatedSplitter::kMaxRate) {
    error = "expected packets a second from 0 to " + std::to_string(RatedSplitter::kMaxRate) + ", not '" +
            std::string(value) + "'";
    return false;
  }
  state.written_rate = v;
  state.written = true;
  const std::uint64_t depth = RatedSplitter::capacity(config, v);
  if (state.tokens > depth) state.tokens = depth;
  return true;
}

constexpr ParamSpec kParams[] = {
    {"RATE", ParamType::Unsigned, ParamKind::Positional, true, "",
     "Packets a second sent on output 0 (the token bucket's fill rate); 0 sends all to output 1.", 0,
     RatedSplitter::kMaxRate},
    {.name = "BURST_DURATION",
     .type = ParamType::String,
     .kind = ParamKind::Keyword,
     .required = false,
     .default_value = "20ms",
     .doc = "The bucket holds RATE x BURST_DURATION packets (at least one): how many may leave on "
            "output 0 at once after a quiet time. A time in Click's units: 20ms, 0.5s, 1min.",
     .validate = &validate_duration},
    {"BURST_SIZE", ParamType::Unsigned, ParamKind::Keyword, false, "",
     "The bucket's depth in packets, instead of RATE x BURST_DURATION (not both).", 1, 0xffffffffu},
};

constexpr HandlerSpec kHandlers[] = {
    handler<RatedSplitter, &read_rate, &write_rate, &read_rate_workers>(
        "rate", "read/write: packets a second sent on output 0 (per worker)"),
    NB_COUNTER(RatedSplitter, count, "packets sent on output 0"),
};

}  // namespace

bool RatedSplitter::configure(const Args& args, Config& config, std::string& error) {
  config.rate = args.get_unsigned("RATE");
  if (args.given("BURST_DURATION") && args.given("BURST_SIZE")) {
    error = "cannot specify both BURST_DURATION and BURST_SIZE";
    return false;
  }
  parse_duration_ms(args.get_string("BURST_DURATION"), config.duration_ms);  // validated
  config.size = args.given("BURST_SIZE") ? args.get_unsigned("BURST_SIZE") : 0;
  return true;
}

NB_ELEMENT_KERNEL(RatedSplitter);

constinit const ElementSpec RatedSplitter::spec{
    .class_name = "RatedSplitter",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "sends up to RATE packets a second on output 0, the rest on output 1",
    .description =
        "Splits a stream at a rate, as Click's RatedSplitter: a token bucket filled at RATE "
        "packets a second on the worker's clock, RATE x BURST_DURATION (20 ms) or BURST_SIZE "
        "packets deep and full at the start, lets packets out of output 0 while it has a token; "
        "the others leave on output 1, or are dropped (`over_rate`) when it is not connected. "
        "Unlike Meter, output 0 keeps getting RATE packets a second however fast they come. "
        "Writing the `rate` handler changes RATE while the graph runs (the depth follows, unless "
        "BURST_SIZE fixed it). With several workers each has its own bucket: over N workers up "
        "to N x RATE packets a second leave on output 0. RATE is at most 10^9.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): up to RATE a second. Output 1 (push, "
        "optional): the rest.",
    .example =
        "rs :: RatedSplitter(2000);\n"
        "FromDump(in.pcap) -> rs;\n"
        "rs[0] -> ToDump(out.pcap);\n"
        "rs[1] -> Discard;\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(RatedSplitter::spec);

}  // namespace nb::elements

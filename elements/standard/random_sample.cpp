#include "random_sample.hpp"

#include <charconv>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace nb::elements {

bool RandomSample::parse_probability(std::string_view text, std::uint32_t& out) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n')) text.remove_suffix(1);
  if (text.empty() || !(text.front() == '.' || (text.front() >= '0' && text.front() <= '9'))) return false;
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || !(v >= 0 && v <= 1)) return false;
  out = static_cast<std::uint32_t>(std::lround(v * kOne));
  return true;
}

namespace {

bool validate_probability(std::string_view text, ParamError& error) {
  std::uint32_t p = 0;
  if (RandomSample::parse_probability(text, p)) return true;
  error = {0, text.size() ? text.size() : 1, "expected a probability from 0 to 1, such as 0.25", ""};
  return false;
}

constexpr ParamSpec kParams[] = {
    {"P", ParamType::String, ParamKind::Positional, false, "",
     "The probability that a packet is sampled (sent to output 0), from 0 to 1, to 28 binary places.", INT64_MIN,
     UINT64_MAX, &validate_probability},
    {"SAMPLE", ParamType::String, ParamKind::Keyword, false, "", "The same as P.", INT64_MIN, UINT64_MAX,
     &validate_probability},
    {"DROP", ParamType::String, ParamKind::Keyword, false, "",
     "The probability that a packet is not sampled: the same as P of 1 - DROP.", INT64_MIN, UINT64_MAX,
     &validate_probability},
    {"ACTIVE", ParamType::Bool, ParamKind::Keyword, false, "true",
     "false sends every packet to output 0 (the active handler changes it while running)."},
    {"SEED", ParamType::Unsigned, ParamKind::Keyword, false, "1",
     "Where the random sequence starts (nb's addition): each worker draws from SEED mixed with its "
     "number, so a run over the same packets samples the same ones every time, in either engine."},
};

// The shortest decimal that reads back as the same fixed-point value (Click prints probabilities
// as decimals too).
std::string unparse(std::uint32_t p) {
  const double v = static_cast<double>(p) / RandomSample::kOne;
  char buf[32];
  for (int precision = 1; precision <= 12; ++precision) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, precision);
    if (ec != std::errc{}) break;
    std::string s(buf, end);
    std::uint32_t back = 0;
    if (RandomSample::parse_probability(s, back) && back == p) {
      while (s.size() > 1 && s.back() == '0' && s.find('.') != std::string::npos) s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    }
  }
  return std::to_string(v);
}

template <bool Drop>
void read_prob(const RandomSample::Config& config, const RandomSample::State& state, std::string& out) {
  const std::uint32_t p = RandomSample::prob(config, state);
  out = unparse(Drop ? RandomSample::kOne - p : p);
}

template <bool Drop>
void read_prob_workers(const RandomSample::Config& config, std::span<const RandomSample::State* const> states,
                       std::string& out) {
  bool same = true;
  for (const RandomSample::State* s : states)
    same &= RandomSample::prob(config, *s) == RandomSample::prob(config, *states[0]);
  if (same) {
    if (!states.empty()) read_prob<Drop>(config, *states[0], out);
    return;
  }
  for (std::size_t w = 0; w < states.size(); ++w) {
    std::string one;
    read_prob<Drop>(config, *states[w], one);
    out += "worker " + std::to_string(w) + ": " + one + "\n";
  }
}

template <bool Drop>
bool write_prob(const RandomSample::Config&, RandomSample::State& state, std::string_view value, std::string& error) {
  std::uint32_t p = 0;
  if (!RandomSample::parse_probability(value, p)) {
    error = "expected a probability from 0 to 1, not '" + std::string(value) + "'";
    return false;
  }
  state.written_prob = Drop ? RandomSample::kOne - p : p;
  state.prob_written = true;
  return true;
}

void read_active(const RandomSample::Config& config, const RandomSample::State& state, std::string& out) {
  out = RandomSample::active(config, state) ? "true" : "false";
}

void read_active_workers(const RandomSample::Config& config, std::span<const RandomSample::State* const> states,
                         std::string& out) {
  bool same = true;
  for (const RandomSample::State* s : states)
    same &= RandomSample::active(config, *s) == RandomSample::active(config, *states[0]);
  if (same) {
    if (!states.empty()) read_active(config, *states[0], out);
    return;
  }
  for (std::size_t w = 0; w < states.size(); ++w)
    out += "worker " + std::to_string(w) + ": " + (RandomSample::active(config, *states[w]) ? "true" : "false") + "\n";
}

bool write_active(const RandomSample::Config&, RandomSample::State& state, std::string_view value, std::string& error) {
  bool v = false;
  if (!parse_handler_bool(value, v)) {
    error = "expected true or false, not '" + std::string(value) + "'";
    return false;
  }
  state.written_active = v;
  state.active_written = true;
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    handler<RandomSample, &read_prob<false>, &write_prob<false>, &read_prob_workers<false>>(
        "sampling_prob", "read/write: the probability that a packet is sampled"),
    handler<RandomSample, &read_prob<true>, &write_prob<true>, &read_prob_workers<true>>(
        "drop_prob", "read/write: the probability that a packet is not sampled (1 - sampling_prob)"),
    handler<RandomSample, &read_active, &write_active, &read_active_workers>(
        "active", "read/write: false sends every packet to output 0"),
    NB_COUNTER(RandomSample, drops, "packets not sampled, sent to output 1 or dropped"),
};

}  // namespace

bool RandomSample::configure(const Args& args, Config& config, std::string& error) {
  const int given = args.given("P") + args.given("SAMPLE") + args.given("DROP");
  if (given != 1) {
    error = given == 0 ? "RandomSample needs a probability: P, SAMPLE or DROP" : "give only one of P, SAMPLE and DROP";
    return false;
  }
  const char* name = args.given("P") ? "P" : args.given("SAMPLE") ? "SAMPLE" : "DROP";
  std::uint32_t p = 0;
  if (!parse_probability(args.get_string(name), p)) {
    error = std::string(name) + " must be a probability from 0 to 1";
    return false;
  }
  config.prob = args.given("DROP") ? kOne - p : p;
  config.active = args.get_bool("ACTIVE");
  config.seed = args.get_unsigned("SEED");
  return true;
}

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(RandomSample);

constinit const ElementSpec RandomSample::spec{
    .class_name = "RandomSample",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "samples packets with a probability",
    .description =
        "Sends each packet to output 0 with probability P (one of P, SAMPLE or DROP gives it; "
        "DROP Q means P = 1 - Q); the others go to output 1 when it is connected, else they are "
        "dropped. With ACTIVE false (or the `active` handler written false) every packet goes to "
        "output 0. The `sampling_prob` and `drop_prob` handlers read and change the probability "
        "while the graph runs; `drops` counts the packets not sampled, as Click's does.\n"
        "\n"
        "Unlike Click's, whose draws come from the kernel's random numbers, the draws are a "
        "seeded pseudo-random sequence (splitmix64) per worker, starting from SEED mixed with "
        "the worker's number: the same packets are sampled on every run, and the JIT and the interpreter agree "
        "packet for packet. Which packets a worker samples depends on which packets reach it. A "
        "hot reload starts the sequence and the probability again from the new configuration.\n"
        "\n"
        "Only push ports (Click's is agnostic): a RandomSample between a Queue and its puller is "
        "refused by `nbc check`.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the sampled packets. Output 1 (push, "
        "optional): the others.",
    .example = "FromDump(in.pcap) -> RandomSample(0.1) -> ToDump(sample.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(RandomSample::spec);

}  // namespace nb::elements

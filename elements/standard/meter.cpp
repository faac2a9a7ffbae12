#include "meter.hpp"

#include "../ip/ip_text.hpp"

#include <cstdio>
#include <span>

namespace nb::elements {

namespace {

bool validate_rate(std::string_view text, ParamError& error) {
  std::uint64_t v = 0;
  if (ip_text::parse_uint(text, Meter::kMaxRate, v)) return true;
  error = {0, text.size() ? text.size() : 1,
           "expected packets a second, a whole number from 0 to " + std::to_string(Meter::kMaxRate), ""};
  return false;
}

std::string rate_text(std::uint64_t scaled_per_epoch) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12g",
                static_cast<double>(scaled_per_epoch) * Meter::kEpochsPerSecond / (1u << Meter::kScale));
  return buf;
}

void read_rate(const Meter::Config&, const Meter::State& state, std::string& out) {
  out = rate_text(state.average);
}

// Each worker's average covers its own packets: together they arrive at the sum.
void read_rate_workers(const Meter::Config&, std::span<const Meter::State* const> states, std::string& out) {
  std::uint64_t sum = 0;
  for (const Meter::State* s : states) sum += s->average;
  out = rate_text(sum);
}

void read_meters(const Meter::Config& config, const Meter::State&, std::string& out) {
  for (std::uint32_t i = 0; i < config.nrates; ++i) out += (i ? " " : "") + std::to_string(config.rates[i]);
}

void read_meters_workers(const Meter::Config& config, std::span<const Meter::State* const> states, std::string& out) {
  if (!states.empty()) read_meters(config, *states[0], out);
}

constexpr ParamSpec kParams[] = {
    {.name = "RATE",
     .type = ParamType::String,
     .kind = ParamKind::Rest,
     .required = true,
     .default_value = "",
     .doc = "Packets a second, increasing: below the first packets leave on output 0, from the "
            "first to below the second on output 1, and so on; from the last on the last output.",
     .validate = &validate_rate},
};

constexpr HandlerSpec kHandlers[] = {
    handler<Meter, &read_rate, nullptr, &read_rate_workers>(
        "rate", "read: the measured rate in packets a second, as of the last packet (summed over workers)"),
    handler<Meter, &read_meters, nullptr, &read_meters_workers>("meters", "read: the RATE arguments"),
};

}  // namespace

bool Meter::configure(const Args& args, Config& config, std::string& error) {
  const std::size_t n = args.count("RATE");
  if (n == 0) {
    error = "Meter needs at least one RATE";
    return false;
  }
  if (n > kMaxRates) {
    error = "Meter takes at most " + std::to_string(kMaxRates) + " rates, not " + std::to_string(n);
    return false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t v = 0;
    ip_text::parse_uint(args.get_string_at("RATE", i), kMaxRate, v);  // validated
    if (i > 0 && v <= config.rates[i - 1]) {
      error = "rate " + std::to_string(i + 1) + " (" + std::to_string(v) + ") must be greater than rate " +
              std::to_string(i) + " (" + std::to_string(config.rates[i - 1]) + ")";
      return false;
    }
    config.rates[i] = static_cast<std::uint32_t>(v);
    config.thresholds[i] = static_cast<std::uint32_t>((v << kScale) / kEpochsPerSecond);
  }
  config.nrates = static_cast<std::uint32_t>(n);
  if (args.noutputs() > n + 1) {
    error = "Meter has " + std::to_string(args.noutputs()) + " outputs but " + std::to_string(n) + " rate" +
            (n == 1 ? "" : "s") + ": it needs one rate less than outputs";
    return false;
  }
  return true;
}

NB_ELEMENT_KERNEL(Meter);

constinit const ElementSpec Meter::spec{
    .class_name = "Meter",
    .ports = "1/2-",
    .params = kParams,
    .brief = "sends packets to an output by their arrival rate",
    .description =
        "Measures the rate packets arrive at, in packets a second, and sends every packet to the "
        "output of the current rate: below RATE1 output 0, from RATE1 to below RATE2 output 1, "
        "and so on; from the last RATE the last output. The whole stream goes to one output at a "
        "time (RatedSplitter splits it instead). As Click's Meter, the rate is a moving average "
        "of the packets counted in each millisecond of the worker's clock, weighted 1/16, so it "
        "follows a change within a few tens of milliseconds; the millisecond in progress counts "
        "from the next one on. With several workers each measures the packets it runs: over N "
        "workers the rates apply per worker. The `rate` handler reads the average as of the last "
        "packet (Click's brings it up to the time of reading).\n"
        "\n"
        "Meter with N rates has N+1 outputs; more connected outputs than that is an error, and a "
        "packet whose output is not connected is dropped (`unconnected`).\n"
        "\n"
        "Input 0 (push): any packets. Outputs 0 to N (push): the same packets, by rate.",
    .example =
        "m :: Meter(10000);\n"
        "FromDump(in.pcap) -> m;\n"
        "m[0] -> ToDump(out.pcap);\n"
        "m[1] -> Discard;\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(Meter::spec);

}  // namespace nb::elements

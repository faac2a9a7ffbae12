// RatedSource: makes copies of one packet at RATE a second (Click's RatedSource).
#pragma once

#include "packet_source.hpp"

#include <charconv>
#include <string>
#include <string_view>

namespace nb::elements {

struct RatedSource {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  using Config = packet_source::Config;
  using State = packet_source::State;

  static bool configure(const Args& args, Config& config, std::string& error) {
    if (!packet_source::configure(args, config, error, false)) return false;
    config.rate.rate = args.get_unsigned("RATE");
    config.rate.depth = 1;  // no saving up: an even stream, as Click's
    return true;
  }
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    if (!packet_source::active(config, state)) return 0;
    token_bucket::Config rate = config.rate;
    if (state.rate_written) rate.rate = state.rate;
    if (rate.rate == 0) return 0;  // written 0: off (Click's RatedSource makes nothing at rate 0)
    const std::uint64_t units = token_bucket::refill(rate, state.bucket, ctx);
    const std::uint32_t n =
        packet_source::make(config, state, ctx, out, units < max ? static_cast<std::uint32_t>(units) : max);
    token_bucket::spend(state.bucket, ctx, n);
    return n;
  }

  // The `rate` handler: read, and written while the graph runs (Click's RatedSource.rate).
  static void read_rate(const Config& c, const State& s, std::string& out) {
    out = std::to_string(s.rate_written ? s.rate : c.rate.rate);
  }
  static bool write_rate(const Config&, State& s, std::string_view value, std::string& error) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || v > kMaxRate) {
      error = "expected packets a second from 0 to " + std::to_string(kMaxRate) + ", not '" + std::string(value) + "'";
      return false;
    }
    s.rate = v;
    s.rate_written = true;
    return true;
  }
  static constexpr std::uint64_t kMaxRate = 1000000000ull;
};

}  // namespace nb::elements

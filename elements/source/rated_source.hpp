// RatedSource: makes copies of one packet at RATE a second (Click's RatedSource).
#pragma once

#include "packet_source.hpp"

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
    const std::uint64_t units = token_bucket::refill(config.rate, state.bucket, ctx);
    const std::uint32_t n =
        packet_source::make(config, state, ctx, out, units < max ? static_cast<std::uint32_t>(units) : max);
    token_bucket::spend(state.bucket, ctx, n);
    return n;
  }
};

}  // namespace nb::elements

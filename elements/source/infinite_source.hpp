// InfiniteSource: makes copies of one packet as fast as it is asked to (Click's InfiniteSource).
#pragma once

#include "packet_source.hpp"

namespace nb::elements {

struct InfiniteSource {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  using Config = packet_source::Config;
  using State = packet_source::State;

  static bool configure(const Args& args, Config& config, std::string& error) {
    return packet_source::configure(args, config, error, true);
  }
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    return packet_source::make(config, state, ctx, out, config.burst < max ? config.burst : max);
  }
};

}  // namespace nb::elements

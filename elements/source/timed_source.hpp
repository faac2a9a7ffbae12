// TimedSource: makes a copy of one packet every INTERVAL (Click's TimedSource).
#pragma once

#include "packet_source.hpp"

#include <nb/text.hpp>

namespace nb::elements {

struct TimedSource {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  using Config = packet_source::Config;
  using State = packet_source::State;

  static bool configure(const Args& args, Config& config, std::string& error);
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }
  // One packet when its time came; the next is INTERVAL after the time it was due (a late pass
  // does not shift the schedule, and missed packets are not made up for in a burst).
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    if (max == 0 || !packet_source::active(config, state)) return 0;
    const std::uint64_t now = ctx.now_cycles();
    const std::uint64_t interval =
        static_cast<std::uint64_t>(static_cast<double>(config.interval_ns) * 1e-9 * static_cast<double>(ctx.cycles_per_second()));
    if (state.next == 0) state.next = now;
    if (now < state.next) return 0;
    const std::uint32_t n = packet_source::make(config, state, ctx, out, 1);
    state.next = now - state.next > interval ? now + interval : state.next + interval;
    return n;
  }
};

}  // namespace nb::elements

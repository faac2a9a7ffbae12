// TimedSink: pulls one packet every INTERVAL and drops it (Click's TimedSink).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct TimedSink {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"sunk", "every packet it pulls (Click's TimedSink frees them)"},
  });

  struct Config {
    std::uint64_t interval_us;
  };
  struct State {
    std::uint64_t count;        // packets pulled and dropped
    std::uint64_t interval_us;  // the interval handler may change it (0: INTERVAL)
    std::uint64_t next;         // the TSC of the next pull (0: now)
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.interval_us = args.get_unsigned("INTERVAL");
    return true;
  }
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }

  static std::uint64_t interval(const Config& c, const State& s) {
    return s.interval_us ? s.interval_us : c.interval_us;
  }

  // One packet when its time came; the next INTERVAL after the time it was due (a late pass does
  // not shift the schedule, and a missed pull is not made up for). It gives nothing on: what it
  // pulls it drops.
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf**, std::uint32_t) {
    const std::uint64_t now = ctx.now_cycles(), hz = ctx.cycles_per_second();
    const std::uint64_t us = interval(config, state);
    const std::uint64_t step = us / 1000000 * hz + us % 1000000 * hz / 1000000;
    if (state.next == 0) state.next = now;
    if (now < state.next) return 0;
    rte_mbuf* m = nullptr;
    if (ctx.pull(0, &m, 1) == 1) {
      ++state.count;
      ctx.drop(m, kDrops["sunk"]);
    }
    state.next = now - state.next > step ? now + step : state.next + step;
    return 0;
  }
};

}  // namespace nb::elements

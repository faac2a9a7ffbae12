// RoundRobinSched: pulls from its inputs in turn (Click's RoundRobinSched).
#pragma once

#include <nb/element.hpp>

#include <cstdint>

namespace nb::elements {

struct RoundRobinSched {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {};
  struct State {
    std::uint32_t next;  // the input whose turn it is
  };

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.reads_packet = false;
  }

  // One packet per input per turn, skipping inputs that have none, until `max` or a whole round
  // gives nothing.
  static std::uint32_t pull(const Config&, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    const std::uint32_t nin = ctx.ninputs();
    if (nin == 0) return 0;
    std::uint32_t n = 0, idle = 0;
    while (n < max && idle < nin) {
      const std::uint32_t i = state.next < nin ? state.next : 0;
      state.next = i + 1 < nin ? i + 1 : 0;
      if (ctx.pull(i, out + n, 1) == 1) {
        ++n;
        idle = 0;
      } else {
        ++idle;
      }
    }
    return n;
  }
};

}  // namespace nb::elements

// PrioSched: pulls from its first input that has packets (Click's PrioSched).
#pragma once

#include <nb/element.hpp>

#include <cstdint>

namespace nb::elements {

struct PrioSched {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {};
  struct State {};

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.reads_packet = false;
  }

  // Strict priority: input 0 first, a later input only for the room input 0 left.
  static std::uint32_t pull(const Config&, State&, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    std::uint32_t n = 0;
    for (std::uint32_t i = 0; i < ctx.ninputs() && n < max; ++i) n += ctx.pull(i, out + n, max - n);
    return n;
  }
};

}  // namespace nb::elements

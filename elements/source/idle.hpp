// Idle: never sends a packet; drops what is pushed to it (Click's Idle).
#pragma once

#include <nb/element.hpp>

#include <cstdint>

namespace nb::elements {

struct Idle {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"idle", "a packet pushed to it"},
  });

  struct Config {};
  struct State {};

  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }
  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ctx.drop(std::move(p), kDrops["idle"]);
  }
  static std::uint32_t pull(const Config&, State&, PullContext&, rte_mbuf**, std::uint32_t) { return 0; }
};

}  // namespace nb::elements

// PullTee: pulled packets go on; a copy of each is pushed out of every other output.
#pragma once

#include <nb/element.hpp>

#include <cstdint>

namespace nb::elements {

struct PullTee {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {};
  struct State {};

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.reads_packet = false;
  }

  static std::uint32_t pull(const Config&, State&, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    const std::uint32_t n = ctx.pull(0, out, max);
    for (std::uint32_t i = 0; i < n; ++i)
      for (std::uint32_t k = 1; k < ctx.noutputs(); ++k) ctx.push_copy(k, out[i]);
    return n;
  }
};

}  // namespace nb::elements

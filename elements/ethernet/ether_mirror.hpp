// EtherMirror: swaps Ethernet source and destination.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct EtherMirror {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr std::uint32_t kEtherHeaderLength = 14;

  static constexpr auto kDrops = drop_reasons({
      {"too short", "shorter than an Ethernet header"},
  });

  struct Config {};
  struct State {};

  // Swaps bytes (no packet fact kept); reads no annotation.
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const EtherView eth = p.ether();
    if (!eth) {
      ctx.drop(std::move(p), kDrops["too short"]);
      return;
    }
    const EtherAddress dst = eth.dst();
    eth.set_dst(eth.src());
    eth.set_src(dst);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

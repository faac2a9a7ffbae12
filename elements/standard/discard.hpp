// Discard: drops all packets.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Discard {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"discarded", "every packet that arrives"},
  });

  struct Config {};
  struct State {
    std::uint64_t count;  // packets discarded (Click's count handler)
  };

  // Keeps no packet fact (it sends nothing); reads no annotation.
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    ++state.count;
    ctx.drop(std::move(p), kDrops["discarded"]);
  }
};

}  // namespace nb::elements

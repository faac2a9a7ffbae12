// Unqueue: pulls packets from its input and pushes them on (Click's Unqueue).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Unqueue {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    std::uint32_t burst;
    bool active;
  };
  struct State {
    std::uint64_t count;  // packets pulled and pushed on
    std::uint8_t written;  // the active handler: 0 not written (ACTIVE decides), 1 false, 2 true
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.burst = static_cast<std::uint32_t>(args.get_unsigned("BURST"));
    config.active = args.get_bool("ACTIVE");
    return true;
  }
  static bool active(const Config& config, const State& state) {
    return state.written ? state.written == 2 : config.active;
  }
  // A hot reload starts from the new ACTIVE, not from a value written to the old graph.
  static void transfer(const Config&, const State& old_state, const Config&, State& new_state) {
    new_state.count = old_state.count;
  }
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.reads_packet = false;
  }

  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    if (!active(config, state)) return 0;
    const std::uint32_t n = ctx.pull(0, out, config.burst < max ? config.burst : max);
    state.count += n;
    return n;
  }
};

}  // namespace nb::elements

// Switch: sends all packets to one output, chosen by a handler.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Switch {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"switched_off", "the chosen output is -1"},
  });

  struct Config {
    std::int32_t output;  // K: -1 drops
  };
  // State starts zeroed: until the switch handler is written, K decides.
  struct State {
    std::int32_t written;  // the output last written (-1: off)
    bool overridden;       // written since the configuration was applied
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::int64_t k = args.get_integer("K");
    if (k >= static_cast<std::int64_t>(args.noutputs())) {
      error = "K is " + std::to_string(k) + " but Switch has " + std::to_string(args.noutputs()) +
              " outputs (use -1 to drop every packet)";
      return false;
    }
    config.output = static_cast<std::int32_t>(k);
    return true;
  }

  static std::int32_t output(const Config& config, const State& state) {
    return state.overridden ? state.written : config.output;
  }

  // A hot reload starts from the new K, not from a value written to the old graph.
  static void transfer(const Config&, const State&, const Config&, State&) {}

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::int32_t k = output(config, state);
    if (k >= 0 && ctx.connected(static_cast<std::uint32_t>(k)))
      ctx.send(static_cast<std::uint32_t>(k), std::move(p));
    else
      ctx.drop(std::move(p), kDrops["switched_off"]);
  }
};

}  // namespace nb::elements

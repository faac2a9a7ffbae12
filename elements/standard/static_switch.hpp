// StaticSwitch: sends all packets to one output, fixed by the configuration.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct StaticSwitch {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"switched_off", "K is -1"},
  });

  struct Config {
    std::int32_t output;  // K: -1 drops
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::int64_t k = args.get_integer("K");
    if (k >= static_cast<std::int64_t>(args.noutputs())) {
      error = "K is " + std::to_string(k) + " but StaticSwitch has " + std::to_string(args.noutputs()) +
              " outputs (use -1 to drop every packet)";
      return false;
    }
    config.output = static_cast<std::int32_t>(k);
    return true;
  }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (config.output >= 0)
      ctx.send(static_cast<std::uint32_t>(config.output), std::move(p));
    else
      ctx.drop(std::move(p), kDrops["switched_off"]);
  }
};

}  // namespace nb::elements

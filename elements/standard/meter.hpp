// Meter: sends packets to an output by their arrival rate (Click's Meter).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Meter {
  static const ElementSpec spec;
  // Per worker: each worker measures the rate of the packets it runs.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"unconnected", "the packet's rate chose an output that is not connected"},
  });

  static constexpr std::uint32_t kMaxRates = 16;
  // Click's RateEWMA: per-millisecond counts averaged with weight 1/16, in fixed point with 10
  // bits of fraction.
  static constexpr unsigned kScale = 10, kStability = 4;
  static constexpr std::uint64_t kEpochsPerSecond = 1000;
  static constexpr std::uint32_t kMaxRate = 0xffffffffu >> kScale;

  struct Config {
    std::uint32_t nrates;
    std::uint32_t rates[kMaxRates];       // packets a second, as written
    std::uint32_t thresholds[kMaxRates];  // the same per epoch, scaled (Click's integer rounding)
  };
  struct State {
    std::uint64_t epoch;    // the epoch `current` counts
    std::uint32_t average;  // scaled packets per epoch
    std::uint32_t current;  // packets in `epoch` so far
    std::uint64_t hz;       // the clock's cycles per second, for the rate handler
    bool started;
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  static void facts(const Config&, FactSheet& sheet) {
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.anno_reads = anno_field::kNone;
    sheet.reads_packet = false;
  }

  static void update(std::uint32_t& average, std::uint32_t x) {
    const std::uint32_t scaled = (x << kScale) + (1u << (kStability - 1));
    average += static_cast<std::uint32_t>(static_cast<std::int32_t>(scaled - average) >> kStability);
  }
  // Brings the average up to `epoch`: the last epoch's count, then an empty one per epoch since.
  static void advance(State& state, std::uint64_t epoch) {
    if (epoch == state.epoch) return;
    update(state.average, state.current);
    const std::uint64_t empty = epoch - state.epoch - 1;
    if (empty >= 100)
      state.average = 0;
    else
      for (std::uint64_t i = 0; i < empty; ++i) update(state.average, 0);
    state.current = 0;
    state.epoch = epoch;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint64_t hz = ctx.cycles_per_second();
    const std::uint64_t per_epoch = hz / kEpochsPerSecond;
    const std::uint64_t epoch = per_epoch ? ctx.now_cycles() / per_epoch : 0;
    if (!state.started) {
      state.started = true;
      state.epoch = epoch;
      state.hz = hz;
    }
    if (epoch > state.epoch) advance(state, epoch);
    ++state.current;
    std::uint32_t out = 0;
    while (out < config.nrates && state.average >= config.thresholds[out]) ++out;
    if (ctx.connected(out))
      ctx.send(out, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["unconnected"]);
  }
};

}  // namespace nb::elements

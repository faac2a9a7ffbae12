// RandomSample: sends packets on with a probability, the rest to output 1 or dropped.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nb::elements {

struct RandomSample {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // Probabilities are Click's: fixed point, 1.0 = 2^28.
  static constexpr std::uint32_t kShift = 28;
  static constexpr std::uint32_t kOne = 1u << kShift;

  static constexpr auto kDrops = drop_reasons({
      {"not sampled", "not chosen by the draw and output 1 not connected"},
  });

  struct Config {
    std::uint64_t seed;
    std::uint32_t prob;  // sampling probability, out of kOne
    bool active;
  };
  // Starts zeroed: the generator is seeded by the first packet (it needs the worker's number),
  // and until a handler is written the Config's probability and ACTIVE decide.
  struct State {
    std::uint64_t rng;
    std::uint64_t drops;  // packets not sampled (sent to output 1 or dropped), as Click counts
    std::uint32_t written_prob;
    bool prob_written;
    bool active_written;
    bool written_active;
  };

  // Click's FixedPointArg for a probability: a decimal number from 0 to 1 ("0.25", ".5", "1",
  // "1e-3"), rounded to 28 binary places. False when the text is no such number.
  static bool parse_probability(std::string_view text, std::uint32_t& out);
  static bool configure(const Args& args, Config& config, std::string& error);

  static std::uint32_t prob(const Config& config, const State& state) {
    return state.prob_written ? state.written_prob : config.prob;
  }
  static bool active(const Config& config, const State& state) {
    return state.active_written ? state.written_active : config.active;
  }

  // splitmix64 (Steele, Lea and Flood): a full-period 64-bit sequence from any seed, cheap
  // enough per packet, and the same in every engine given the same seed.
  static std::uint64_t next(std::uint64_t& x) {
    x += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  // A hot reload starts again from the new configuration (seed, probability, ACTIVE).
  static void transfer(const Config&, const State&, const Config&, State&) {}

  // Which output a packet takes depends on the draw alone, never on its bytes.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    // Each worker draws its own sequence, from SEED mixed with its number: reproducible.
    if (state.rng == 0) state.rng = config.seed + ctx.worker() * 0x632be59bd9b4e019ull;
    const bool on = active(config, state);
    if (!on || static_cast<std::uint32_t>(next(state.rng) & (kOne - 1)) < prob(config, state)) {
      ctx.send(0, std::move(p));
      return;
    }
    ++state.drops;
    if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["not sampled"]);
  }
};

}  // namespace nb::elements

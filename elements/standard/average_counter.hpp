// AverageCounter: counts packets and bytes and their average rate since the first packet
// (Click's AverageCounter).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct AverageCounter {
  static const ElementSpec spec;
  // Per worker: counts are summed and the rate is taken from the earliest first packet to the
  // latest last one over all workers (read_workers).
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    std::uint64_t ignore;  // seconds at the start not counted
  };
  struct State {
    std::uint64_t count;
    std::uint64_t byte_count;
    std::uint64_t first;  // clock at the first packet since the last reset
    std::uint64_t last;   // clock at the latest packet
    std::uint64_t hz;     // the clock's cycles per second (0: no clock)
    bool started;
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.ignore = args.get_unsigned("IGNORE");
    return true;
  }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.anno_reads = anno_field::kNone;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint64_t now = ctx.now_cycles();
    if (!state.started) {
      state.started = true;
      state.first = now;
      state.hz = ctx.cycles_per_second();
    }
    if (now - state.first >= config.ignore * state.hz) {
      ++state.count;
      state.byte_count += p.length();
    }
    state.last = now;
    ctx.send(0, std::move(p));
  }

  // Packets (or bytes) a second over the time from the first packet (after IGNORE) to the last,
  // at least a millisecond as Click's jiffy; "%.12g" as Click prints it.
  static std::string rate_text(const Config& config, std::uint64_t count, std::uint64_t first, std::uint64_t last,
                               std::uint64_t hz);
};

}  // namespace nb::elements

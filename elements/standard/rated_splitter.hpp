// RatedSplitter: up to RATE packets a second on output 0, the rest on output 1 (Click's
// RatedSplitter).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nb::elements {

struct RatedSplitter {
  static const ElementSpec spec;
  // Per worker: each worker has its own bucket, so over N workers up to N x RATE a second.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"over_rate", "over RATE and output 1 not connected"},
  });

  static constexpr std::uint64_t kMaxRate = 1000000000;  // keeps a second's credit in 64 bits

  struct Config {
    std::uint64_t rate;         // packets a second
    std::uint64_t duration_ms;  // BURST_DURATION (20 ms unless BURST_SIZE)
    std::uint64_t size;         // BURST_SIZE when given, else 0
  };
  struct State {
    std::uint64_t written_rate;  // the `rate` handler's value, when `written`
    bool written;
    bool started;
    std::uint64_t last;    // clock at the last refill
    std::uint64_t tokens;  // whole packets it may send on output 0
    std::uint64_t frac;    // a part of one more: frac / cycles_per_second
    std::uint64_t count;   // packets sent on output 0
  };

  // Click's bucket depth: BURST_SIZE, or RATE x BURST_DURATION; at least one packet.
  static std::uint64_t capacity(const Config& config, std::uint64_t rate) {
    std::uint64_t c = config.size ? config.size : rate * config.duration_ms / 1000;  // both bounded
    if (c > 0xffffffffu) c = 0xffffffffu;
    return c ? c : 1;
  }
  static std::uint64_t rate(const Config& config, const State& state) {
    return state.written ? state.written_rate : config.rate;
  }

  static bool configure(const Args& args, Config& config, std::string& error);
  // Click's time units (SecondsArg at millisecond precision): 20ms, 0.02s, 1min...
  static bool parse_duration_ms(std::string_view text, std::uint64_t& ms);

  static void facts(const Config&, FactSheet& sheet) {
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.anno_reads = anno_field::kNone;
    sheet.reads_packet = false;
  }

  // Adds the credit earned since the last refill, up to the bucket's depth. The bucket starts
  // full (Click's fills on its first refill). A RATE of 0 never refills, as in Click.
  static void refill(const Config& config, State& state, const Context& ctx) {
    const std::uint64_t r = rate(config, state), depth = capacity(config, r);
    const std::uint64_t now = ctx.now_cycles(), hz = ctx.cycles_per_second();
    if (!state.started) {
      state.started = true;
      state.last = now;
      state.tokens = r ? depth : 0;
      state.frac = 0;
      return;
    }
    std::uint64_t elapsed = now - state.last;
    state.last = now;
    if (hz == 0 || r == 0) return;
    if (elapsed >= hz) {
      const std::uint64_t seconds = elapsed / hz;
      state.tokens = seconds >= depth ? depth : state.tokens + seconds * r;  // r >= 1
      elapsed %= hz;
    }
    const std::uint64_t gain = elapsed * r + state.frac;  // < hz x (kMaxRate + 1)
    state.tokens += gain / hz;
    state.frac = gain % hz;
    if (state.tokens >= depth) {
      state.tokens = depth;
      state.frac = 0;
    }
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    refill(config, state, ctx);
    if (state.tokens > 0) {
      --state.tokens;
      ++state.count;
      ctx.send(0, std::move(p));
    } else if (ctx.connected(1)) {
      ctx.send(1, std::move(p));
    } else {
      ctx.drop(std::move(p), kDrops["over_rate"]);
    }
  }
};

}  // namespace nb::elements

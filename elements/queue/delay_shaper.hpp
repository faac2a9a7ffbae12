// DelayShaper: lets a packet be pulled no earlier than its timestamp plus DELAY (Click's
// DelayShaper).
#pragma once

#include <nb/element.hpp>

#include <rte_mbuf.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace nb::elements {

struct DelayShaper {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"flushed", "held back when the run stopped early (a signal or --duration)"},
  });

  struct Config {
    std::uint64_t delay_us;
  };
  struct State {
    // Made by setup: the packet pulled and not yet due (the element owns it), or null. Behind a
    // pointer so that a reload can move it out of the old State.
    rte_mbuf** held;
    std::uint64_t due;       // its time, microseconds since the epoch
    std::uint64_t count;     // packets let through
    std::uint64_t delay_us;  // what the delay handler wrote, when `written`
    bool written;
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.delay_us = args.get_unsigned("DELAY");
    return true;
  }
  static std::uint64_t delay(const Config& c, const State& s) { return s.written ? s.delay_us : c.delay_us; }
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }

  static bool setup(const Config&, State& state, std::string& error) {
    state.held = static_cast<rte_mbuf**>(std::calloc(1, sizeof(rte_mbuf*)));
    if (!state.held) error = "out of memory";
    return state.held != nullptr;
  }
  // A packet it holds when the graph goes (a reload removed it) is freed.
  static void teardown(const Config&, State& state) {
    if (state.held && *state.held) rte_pktmbuf_free(*state.held);
    std::free(state.held);
    state.held = nullptr;
  }
  // A reload keeps the packet held back, and the time it got.
  static void transfer(const Config&, const State& old_state, const Config&, State& new_state) {
    new_state.count = old_state.count;
    new_state.due = old_state.due;
    if (old_state.held && new_state.held) {
      *new_state.held = *old_state.held;
      *old_state.held = nullptr;
    }
  }

  // Packets whose time came, one at a time: each is pulled once, its due time (its timestamp plus
  // DELAY; a packet with no timestamp: the time it was pulled plus DELAY) noted, and held until
  // then; on its way out its timestamp is set to now.
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    const HostServices* host = ctx.host();
    const std::uint64_t now = ctx.now_us();
    rte_mbuf*& held = *state.held;
    std::uint32_t n = 0;
    while (n < max) {
      if (!held) {
        if (ctx.flushing() || ctx.pull(0, &held, 1) != 1) {
          held = nullptr;
          break;
        }
        std::uint64_t stamp = 0;
        if (!host || !packet_timestamp(*host, held, stamp)) stamp = now;
        state.due = stamp + delay(config, state);
      }
      if (state.due > now && !ctx.flushing()) break;
      if (host) set_packet_timestamp(*host, held, now);
      out[n++] = held;
      held = nullptr;
      if (!ctx.flushing()) ++state.count;
    }
    return n;
  }
  static std::uint32_t held(const Config&, const State& state) { return state.held && *state.held ? 1 : 0; }
};

}  // namespace nb::elements

// LinkUnqueue: pulls packets onto an emulated serial link of LATENCY and BANDWIDTH and pushes
// each out when it arrives (Click's LinkUnqueue).
#pragma once

#include <nb/element.hpp>

#include <rte_mbuf.h>

#include <cstdint>
#include <string>

namespace nb::elements {

struct LinkUnqueue {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"flushed", "on the link when the run stopped early (a signal or --duration)"},
  });

  struct Config {
    std::uint64_t latency_us;
    std::uint64_t bandwidth;  // bytes a second
    std::uint32_t capacity;   // packets the link holds at once
  };
  struct Entry {
    rte_mbuf* m;
    std::uint64_t due;  // TSC when it has arrived
  };
  struct State {
    Entry* link;  // made by setup: `capacity` entries, a ring; owns the packets in it
    std::uint32_t head, size;
    bool back_to_back;             // the last packet pulled followed the one before it without a gap
    std::uint64_t count;           // packets pushed out
    std::uint64_t reload_dropped;  // packets a reload onto a smaller link could not keep
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  // A reload keeps the packets on the link (a smaller link keeps the first that fit and counts
  // the rest in `reload_dropped`).
  static void transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state);
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }

  static std::uint64_t cycles(std::uint64_t us, std::uint64_t hz) {
    return us / 1000000 * hz + us % 1000000 * hz / 1000000;
  }

  // Click's model: a packet goes onto the link when the last one on it started arriving no later
  // than LATENCY from now (there is room on the wire); it arrives LATENCY plus its length over
  // BANDWIDTH after it started, and starts when the one before it has gone through if they came
  // back to back, else now. What has arrived is given out, oldest first.
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    const std::uint64_t now = ctx.now_cycles(), hz = ctx.cycles_per_second();
    const std::uint64_t now_delayed = now + cycles(config.latency_us, hz);
    const bool flushing = ctx.flushing();
    while (!flushing && state.size < config.capacity) {
      const Entry* tail = state.size ? &state.link[(state.head + state.size - 1) % config.capacity] : nullptr;
      if (tail && tail->due > now_delayed) break;
      rte_mbuf* m = nullptr;
      if (ctx.pull(0, &m, 1) != 1) {
        state.back_to_back = false;
        break;
      }
      const std::uint64_t start = tail && state.back_to_back ? tail->due : now_delayed;
      const std::uint64_t wire = config.bandwidth ? std::uint64_t{m->pkt_len} * hz / config.bandwidth : 0;
      state.link[(state.head + state.size) % config.capacity] = {m, start + wire};
      ++state.size;
      state.back_to_back = true;
    }
    const HostServices* host = ctx.host();
    std::uint32_t n = 0;
    while (n < max && state.size > 0 && (flushing || state.link[state.head].due <= now)) {
      Entry& e = state.link[state.head];
      // Click stamps each packet with the time it arrives.
      if (host) {
        HostServices clock = *host;
        clock.cycles_per_second = hz;
        set_packet_timestamp(*host, e.m, wall_us(clock, e.due));
      }
      out[n++] = e.m;
      e.m = nullptr;
      state.head = (state.head + 1) % config.capacity;
      --state.size;
    }
    state.count += flushing ? 0 : n;
    return n;
  }
  static std::uint32_t held(const Config&, const State& state) { return state.size; }
};

}  // namespace nb::elements

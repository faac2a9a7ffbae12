// Queue: stores packets pushed to it until something pulls them (Click's Queue).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace nb::elements {

struct Queue {
  static const ElementSpec spec;
  // Each worker its own ring, as every worker runs every task: the packets of a flow (which stays
  // on one worker) leave in the order they came. A ring shared by the workers would let two of
  // them pull one flow's packets and reorder it.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"full", "the queue held CAPACITY packets: dropped at the tail (Click's drops)"},
      {"flushed", "still in the queue when the run stopped early (a signal or --duration)"},
  });

  struct Config {
    std::uint32_t capacity;
  };
  struct State {
    rte_ring* ring;           // made by setup; owns the packets in it
    void* memory;             // the ring's memory
    std::uint64_t highwater;  // the longest this worker saw it
    std::uint64_t reload_dropped;  // packets a reload into a smaller queue could not keep
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  // A reload keeps the queued packets: they move into the new configuration's ring (a smaller
  // one keeps the oldest that fit and counts the rest in `reload_dropped`).
  static void transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state);

  // It moves packets unchanged, reads no annotation, and claims nothing about what it sends (a
  // burst pulled out of it starts a task's path afresh).
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    ctx.store(state.ring, std::move(p), kDrops["full"]);
    const std::uint64_t n = rte_ring_count(state.ring);
    if (n > state.highwater) state.highwater = n;
  }

  static std::uint32_t pull(const Config&, State& state, PullContext&, rte_mbuf** out, std::uint32_t max) {
    return rte_ring_mc_dequeue_burst(state.ring, reinterpret_cast<void**>(out), max, nullptr);
  }
  static std::uint32_t held(const Config&, const State& state) { return state.ring ? rte_ring_count(state.ring) : 0; }
};

}  // namespace nb::elements

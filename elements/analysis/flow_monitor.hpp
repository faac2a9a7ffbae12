// FlowMonitor: per-flow (5-tuple) packet and byte counters in a bounded table.
#pragma once

#include "../lb/flow_key.hpp"

#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct FlowMonitor {
  static const ElementSpec spec;
  // Per flow: a flow's packets all reach one worker (the runtime pins both directions of a
  // 5-tuple), so each worker's table counts its own flows whole; `top` and `flows` merge them.
  static constexpr StateScope kStateScope = StateScope::PerFlow;

  static constexpr std::uint32_t kMaxProbe = 32;  // slots looked at before a packet counts as overflow
  static constexpr std::size_t kMaxPath = 256;

  struct Entry {
    flow::Key key;  // key.proto == 0: free
    std::uint64_t packets;
    std::uint64_t bytes;
  };
  struct Config {
    std::uint32_t capacity;  // slots, a power of two
    std::uint32_t top;       // lines the `top` handler prints
    char file[kMaxPath];     // empty: none
  };
  struct State {
    Entry* table;  // made by setup() (DPDK memory)
    std::uint32_t mask;
    std::uint64_t packets;
    std::uint64_t bytes;
    std::uint64_t flows;     // flows in the table
    std::uint64_t overflow;  // packets of flows the table had no room for (counted here only)
    std::uint64_t not_ip;    // packets without a whole IPv4 header (passed on, not counted per flow)
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  // Several workers: FILE gets every worker's flows, ranked together, then each table goes.
  static void teardown_workers(const Config& config, State* const* states, std::uint32_t n);
  static void transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state);

  // The entry for k (inserted if new), or nullptr when its probe window is full.
  static Entry* slot(State& state, const flow::Key& k) {
    const std::uint32_t h = flow::hash(k);
    for (std::uint32_t i = 0; i < kMaxProbe; ++i) {
      Entry& e = state.table[(h + i) & state.mask];
      if (e.key == k) return &e;
      if (e.key.proto == 0) {
        e.key = k;
        ++state.flows;
        return &e;
      }
    }
    return nullptr;
  }

  // Reads the packet, changes none of it.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t offset = p.network_offset();
    const std::uint32_t len = p.length();
    ++state.packets;
    state.bytes += len;
    flow::Key key;
    std::uint32_t l4 = 0;
    if (!state.table || !flow::extract(p, offset, key, l4)) [[unlikely]] {
      ++state.not_ip;
    } else if (Entry* e = slot(state, key)) {
      ++e->packets;
      e->bytes += len;
    } else {
      ++state.overflow;
    }
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

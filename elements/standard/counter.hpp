// Counter: counts packets and bytes.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Counter {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {};
  struct State {
    std::uint64_t count;       // packets seen
    std::uint64_t byte_count;  // bytes seen: each packet's length as it arrives
  };

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;  // reads_packet: it counts bytes
  }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    ++state.count;
    state.byte_count += p.length();
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

// SetTimestamp: sets the packet's timestamp to now, or to a given time (Click's SetTimestamp).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct SetTimestamp {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    bool fixed;        // TIMESTAMP given
    std::uint64_t us;  // TIMESTAMP, microseconds since the epoch
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error);

  // The timestamp lives beside the packet's bytes and annotations (HostServices::timestamp_offset):
  // nothing a fact speaks of changes.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.reads_packet = false;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ctx.set_timestamp(p, config.fixed ? config.us : ctx.now_us());
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

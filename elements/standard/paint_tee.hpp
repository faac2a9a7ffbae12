// PaintTee: copies packets of one paint color to a second output.
#pragma once

#include "paint_anno.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct PaintTee {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // A painted packet: its copy and the packet itself.
  static constexpr std::uint32_t kMaxEmitsPerPush = 2;

  struct Config {
    std::uint8_t color;
    std::uint8_t anno;
  };
  struct State {
    std::uint64_t copies;         // copies sent to output 1
    std::uint64_t copy_failures;  // copies not made: no free buffer
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    if (!paint_anno::read(args, config.anno, error)) return false;
    config.color = static_cast<std::uint8_t>(args.get_unsigned("COLOR"));
    return true;
  }

  // Copies carry the bytes, length and annotations, but not the headroom (a new mbuf's).
  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = paint_anno::field(config.anno);
    sheet.effect = PacketEffect::None;
    sheet.reads_packet = false;
  }

  // The copy goes out first and the packet itself to output 0, as Click's PaintTee does.
  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint8_t color = paint_anno::byte(p.anno(), config.anno);
    if (color == config.color) {
      const std::uint32_t failures = ctx.copy_failures();
      ctx.send_copy(1, p);
      if (ctx.copy_failures() == failures)
        ++state.copies;
      else
        ++state.copy_failures;
    }
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

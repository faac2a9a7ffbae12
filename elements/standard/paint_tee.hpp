// PaintTee: copies packets of one paint color to a second output.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct PaintTee {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // A painted packet: its copy and the packet itself.
  static constexpr std::uint32_t kMaxEmitsPerPush = 2;
  // ANNO 0 is PacketAnno::paint; ANNO 1..15 are PacketAnno::user[0..14] (as Paint's ANNO).
  static constexpr std::uint64_t kMaxAnno = sizeof(PacketAnno::user);

  struct Config {
    std::uint8_t color;
    std::uint8_t anno;
  };
  struct State {
    std::uint64_t copies;         // copies sent to output 1
    std::uint64_t copy_failures;  // copies not made: no free buffer
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::uint64_t anno = args.get_unsigned("ANNO");
    if (anno > kMaxAnno) {
      error = "ANNO " + std::to_string(anno) + " is not a one-byte annotation: use 0 (paint) to " +
              std::to_string(kMaxAnno);
      return false;
    }
    config.color = static_cast<std::uint8_t>(args.get_unsigned("COLOR"));
    config.anno = static_cast<std::uint8_t>(anno);
    return true;
  }

  // Copies carry the bytes, length and annotations, but not the headroom (a new mbuf's).
  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = config.anno == 0 ? anno_field::kPaint : anno_field::kUser;
    sheet.effect = PacketEffect::None;
    sheet.reads_packet = false;
  }

  // The copy goes out first and the packet itself to output 0, as Click's PaintTee does.
  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const PacketAnno& anno = p.anno();
    const std::uint8_t color = config.anno == 0 ? anno.paint : anno.user[config.anno - 1];
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

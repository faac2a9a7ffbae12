// CheckPaint: tells packets of one paint color from the others.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct CheckPaint {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // ANNO 0 is PacketAnno::paint; ANNO 1..15 are PacketAnno::user[0..14] (as Paint's ANNO).
  static constexpr std::uint64_t kMaxAnno = sizeof(PacketAnno::user);

  static constexpr auto kDrops = drop_reasons({
      {"other_color", "a color other than COLOR, with output 1 not connected"},
  });

  struct Config {
    std::uint8_t color;
    std::uint8_t anno;
  };
  struct State {};

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

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = config.anno == 0 ? anno_field::kPaint : anno_field::kUser;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const PacketAnno& anno = p.anno();
    const std::uint8_t color = config.anno == 0 ? anno.paint : anno.user[config.anno - 1];
    if (color == config.color)
      ctx.send(0, std::move(p));
    else if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["other_color"]);
  }
};

}  // namespace nb::elements

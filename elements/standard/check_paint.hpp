// CheckPaint: tells packets of one paint color from the others.
#pragma once

#include "paint_anno.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct CheckPaint {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;


  static constexpr auto kDrops = drop_reasons({
      {"other_color", "a color other than COLOR, with output 1 not connected"},
  });

  struct Config {
    std::uint8_t color;
    std::uint8_t anno;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error) {
    if (!paint_anno::read(args, config.anno, error)) return false;
    config.color = static_cast<std::uint8_t>(args.get_unsigned("COLOR"));
    return true;
  }

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = paint_anno::field(config.anno);
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint8_t color = paint_anno::byte(p.anno(), config.anno);
    if (color == config.color)
      ctx.send(0, std::move(p));
    else if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["other_color"]);
  }
};

}  // namespace nb::elements

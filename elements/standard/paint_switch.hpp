// PaintSwitch: sends each packet to the output its paint annotation names.
#pragma once

#include "paint_anno.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct PaintSwitch {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;


  static constexpr auto kDrops = drop_reasons({
      {"no_output", "a color with no output of that number"},
  });

  struct Config {
    std::uint8_t anno;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error) {
    if (!paint_anno::read(args, config.anno, error)) return false;
    return true;
  }

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = paint_anno::field(config.anno);
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t color = paint_anno::byte(p.anno(), config.anno);
    if (ctx.connected(color))
      ctx.send(color, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["no_output"]);
  }
};

}  // namespace nb::elements

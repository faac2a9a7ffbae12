// Paint: sets packets' paint annotation.
#pragma once

#include "paint_anno.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Paint {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;


  struct Config {
    std::uint8_t color;
    std::uint8_t anno;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::uint64_t color = args.get_unsigned("COLOR");
    if (color > 0xff) {
      error = "COLOR " + std::to_string(color) + " does not fit in a byte (0 to 255)";
      return false;
    }
    if (!paint_anno::read(args, config.anno, error)) return false;
    config.color = static_cast<std::uint8_t>(color);
    return true;
  }

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.anno_sets = config.anno == 0 ? anno_field::kPaint : anno_field::kNone;  // one user byte is not all of them
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    paint_anno::byte(p.anno(), config.anno) = config.color;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

// Align: Click's data alignment, which nb never needs: packets pass unchanged.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Align {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {};
  struct State {};

  // Click's checks, so that a configuration Click refuses is refused here too.
  static bool configure(const Args& args, Config&, std::string& error) {
    const std::uint64_t modulus = args.get_unsigned("MODULUS");
    const std::uint64_t offset = args.get_unsigned("OFFSET");
    if (modulus != 2 && modulus != 4 && modulus != 8) {
      error = "MODULUS must be 2, 4 or 8, not " + std::to_string(modulus);
      return false;
    }
    if (offset >= modulus) {
      error = "OFFSET " + std::to_string(offset) + " must be smaller than MODULUS " + std::to_string(modulus);
      return false;
    }
    return true;
  }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  static void push(const Config&, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

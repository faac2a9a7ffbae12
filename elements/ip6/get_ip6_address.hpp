// GetIP6Address: sets the destination IPv6 annotation from sixteen bytes of the packet.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct GetIP6Address {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"short", "the sixteen bytes at OFFSET are not inside the packet"},
  });

  struct Config {
    std::uint32_t offset;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string&) {
    config.offset = static_cast<std::uint32_t>(args.get_unsigned("OFFSET"));
    return true;
  }

  // Bytes, length and network offset stay; every packet sent has its next hop set.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.anno_sets = anno_field::kDstIP6;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint8_t addr[16];
    if (!p.read(config.offset, addr, 16)) {
      ctx.drop(std::move(p), kDrops["short"]);
      return;
    }
    p.anno().set_dst_ip6(addr);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

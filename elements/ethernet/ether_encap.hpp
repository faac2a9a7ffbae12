// EtherEncap: puts an Ethernet header in front of each packet.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct EtherEncap {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"no headroom", "fewer than 14 bytes of headroom"},
  });

  struct Config {
    EtherAddress src;
    EtherAddress dst;
    std::uint16_t type;
  };
  struct State {
    std::uint8_t unused;
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::uint64_t type = args.get_unsigned("ETHERTYPE");
    if (type > 0xffff) {
      error = "ETHERTYPE must fit in 16 bits";
      return false;
    }
    config.type = static_cast<std::uint16_t>(type);
    config.src = args.get_ether("SRC");
    config.dst = args.get_ether("DST");
    return true;
  }

  // Prepends a header (no packet fact kept); the network offset only moves with the data start.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (!p.push(EtherView::kSize)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    const EtherView eth = p.ether(0);
    if (!eth) {  // cannot happen: 14 bytes were just put in front
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    eth.set_dst(config.dst);
    eth.set_src(config.src);
    eth.set_type(config.type);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

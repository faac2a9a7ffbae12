// FixIPSrc: gives the packets ICMPError marked the outgoing interface's source address.
#pragma once

#include "click_anno.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct FixIPSrc {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    std::uint32_t addr;  // host order
  };
  struct State {
    std::uint64_t fixed;  // sources rewritten
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.addr = args.get_ipv4("IPADDR");
    return true;
  }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kUser | anno_field::kNetworkOffset;
    // Unknown, not UpdateIPv4: the source address changes, which that effect promises not to.
    sheet.effect = PacketEffect::Unknown;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint8_t& mark = click_anno::fix_ip_src(p.anno());
    if (mark) {
      const IPv4View ip = p.ipv4(p.network_offset());
      // As Click: only a packet with an IP header; the mark is used up either way.
      if (ip && ip.header_fits()) {
        ip.set_src(config.addr);
        ip.update_checksum();
        ++state.fixed;
      }
      mark = 0;
    }
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

// SetIPChecksum: computes the IP header checksum.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct SetIPChecksum {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"bad lengths", "no whole IPv4 header (header length 20 or more, inside the packet) at the network offset"},
  });

  struct Config {};
  struct State {};

  // Only the checksum field changes, to the correct value: lengths, addresses and annotation
  // stay, so UpdateIPv4 holds (and a correct checksum stays correct).
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::UpdateIPv4;
    sheet.keeps_headroom = true;
  }

  static void push(const Config&, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    bool ok = false;
    {
      const IPv4View ip = p.ipv4(p.network_offset());
      if (ip && ip.header_fits()) {
        ip.update_checksum();
        ok = true;
      }
    }
    if (!ok) {
      ctx.drop(std::move(p), kDrops["bad lengths"]);
      return;
    }
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

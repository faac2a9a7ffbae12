// SetUDPChecksum: computes the UDP checksum of UDP-in-IP packets.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct SetUDPChecksum {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"fragment or short",
       "an IP fragment, no whole IPv4 header at the network offset, or a UDP length below 8 or longer than the packet "
       "(and output 1 not connected)"},
  });

  struct Config {};
  struct State {
    std::uint64_t bad;  // fragments and short packets, sent to output 1 or dropped
  };

  // Only the UDP checksum changes: the IPv4 header is untouched (UpdateIPv4 covers that: its
  // fields, lengths and checksum stay), and so are the length and the annotation.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::UpdateIPv4;
    sheet.keeps_headroom = true;
  }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    bool ok = false;
    {
      const std::uint32_t offset = p.network_offset();
      const IPv4View ip = p.ipv4(offset);
      if (ip && ip.header_fits() && !ip.is_fragment()) {
        const std::uint32_t l4 = offset + ip.header_length();
        const UDPView udp = p.udp(l4);
        if (udp && udp.length() >= UDPView::kSize && udp.length() <= udp.available()) {
          udp.set_checksum(0);
          const std::uint16_t sum =
              checksum::finish(checksum::add(ip.pseudo_header_sum(udp.length()), udp.bytes(0, udp.length())));
          udp.set_checksum(sum == 0 ? 0xffff : sum);  // 0 would mean "no checksum" (RFC 768)
          ok = true;
        }
      }
    }
    if (ok) {
      ctx.send(0, std::move(p));
      return;
    }
    ++state.bad;
    if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["fragment or short"]);
  }
};

}  // namespace nb::elements

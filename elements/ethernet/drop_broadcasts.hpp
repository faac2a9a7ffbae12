// DropBroadcasts: drops packets that arrived as link-level broadcast or multicast.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct DropBroadcasts {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"broadcast", "Ethernet destination is broadcast or multicast, and output 1 not connected"},
  });

  struct Config {};
  struct State {
    std::uint64_t drops;  // broadcast and multicast packets, sent to output 1 or dropped
  };

  // Where the packet's Ethernet header is: just before the marked IP header when there is room
  // for one, at the data start when no IP header is marked. None (-1) when the IP header is
  // marked less than 14 bytes in (the Ethernet header was stripped away).
  static std::int64_t ether_offset(std::uint32_t network_offset, bool marked) {
    if (!marked) return 0;
    return network_offset >= 14 ? static_cast<std::int64_t>(network_offset) - 14 : -1;
  }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::int64_t at = ether_offset(p.network_offset(), p.has_network_offset());
    std::uint8_t first = 0;
    // The group bit (the first byte's lowest) is set for broadcast and every multicast address.
    if (at < 0 || !p.read_u8(static_cast<std::uint32_t>(at), first) || (first & 1) == 0) {
      ctx.send(0, std::move(p));
      return;
    }
    if (state.drops++ == 0) ctx.log(&state, "dropped a packet");  // Click's one message
    if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["broadcast"]);
  }
};

}  // namespace nb::elements

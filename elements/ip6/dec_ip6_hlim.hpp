// DecIP6HLIM: decrements the IPv6 hop limit.
#pragma once

#include <nb/element.hpp>

#include <cstdint>

namespace nb::elements {

struct DecIP6HLIM {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "too short for an IPv6 header at the network offset"},
      {"expired", "hop limit 0 or 1 with output 1 not connected"},
  });

  struct Config {};
  struct State {
    std::uint64_t expired;  // packets whose hop limit had run out, dropped or sent to output 1
  };

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t offset = p.network_offset();
    std::uint8_t hlim = 0;
    if (!p.has(offset, 40) || !p.read_u8(offset + 7, hlim)) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    if (hlim <= 1) {
      ++state.expired;
      if (ctx.connected(1))
        ctx.send(1, std::move(p));
      else
        ctx.drop(std::move(p), kDrops["expired"]);
      return;
    }
    hlim = static_cast<std::uint8_t>(hlim - 1);
    p.write(offset + 7, &hlim, 1);  // IPv6 has no header checksum to update
    ctx.send(0, std::move(p));
  }

  // Conservative: it writes a byte the fact language has no name for, so it promises nothing
  // about the packet (length, headroom and annotations stay as they were).
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::Unknown;
    sheet.keeps_headroom = true;
  }
};

}  // namespace nb::elements

// ICMPPingResponder: turns ICMP echo requests into echo replies.
#pragma once

#include <nb/element.hpp>

#include <cstdint>

namespace nb::elements {

struct ICMPPingResponder {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"not an echo request", "not an ICMP echo request, output 1 not connected"},
  });

  struct Config {};
  struct State {
    std::uint64_t replies;
  };

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.keeps_headroom = true;
  }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t off = p.network_offset();
    bool echo = false;
    std::uint32_t dst = 0;
    {
      const IPv4View ip = p.ipv4(off);
      // Click wants the 8-byte echo header whole, in the first fragment's data.
      if (ip && ip.header_fits() && ip.protocol() == ip_proto::kICMP && ip.fragment_offset() == 0) {
        const std::uint32_t hl = ip.header_length();
        const ICMPView icmp = p.icmp(off + hl);
        if (icmp && icmp.type() == 8) {
          echo = true;
          const std::uint32_t src = ip.src();
          dst = src;
          const std::uint16_t word4 = static_cast<std::uint16_t>(ip.ttl() << 8 | ip.protocol());
          // Swapping the addresses keeps the sum; MF, DF and the offset cleared and TTL 255 change it.
          std::uint16_t sum = checksum::adjust16(ip.checksum(), ip.fragment_word(), 0);
          sum = checksum::adjust16(sum, word4, static_cast<std::uint16_t>(255 << 8 | ip.protocol()));
          const std::uint32_t old_dst = ip.dst();
          ip.set_dst(src);
          ip.set_src(old_dst);
          ip.set_fragment_word(0);
          ip.set_ttl(255);
          ip.set_checksum(sum);
          const std::uint16_t old_tc = static_cast<std::uint16_t>(icmp.type() << 8 | icmp.code());
          icmp.set_type(0);
          icmp.set_code(0);
          icmp.set_checksum(checksum::adjust16(icmp.checksum(), old_tc, 0));
        }
      }
    }
    if (!echo) {
      if (ctx.connected(1))
        ctx.send(1, std::move(p));
      else
        ctx.drop(std::move(p), kDrops["not an echo request"]);
      return;
    }
    p.anno().dst_ip = dst;
    p.anno().paint = 0;
    ++state.replies;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

// SetTCPChecksum: computes the TCP checksum of TCP-in-IP packets.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct SetTCPChecksum {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"bad lengths",
       "no whole IPv4 header at the network offset, or a TCP segment (IP total length minus header length) "
       "shorter than 20 bytes or longer than the packet"},
  });

  struct Config {
    bool fixoff;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string&) {
    config.fixoff = args.get_bool("FIXOFF");
    return true;
  }

  // Only TCP bytes change (the checksum, and with FIXOFF the data offset): the IPv4 header, the
  // length and the annotation stay.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::UpdateIPv4;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    bool ok = false;
    {
      const std::uint32_t offset = p.network_offset();
      const IPv4View ip = p.ipv4(offset);
      if (ip && ip.header_fits() && ip.total_length() >= ip.header_length()) {
        const std::uint32_t plen = ip.total_length() - ip.header_length();
        const TCPView tcp = p.tcp(offset + ip.header_length());
        if (tcp && plen >= TCPView::kSize && plen <= tcp.available()) {
          if (config.fixoff) {
            // Click's FIXOFF: a data offset below 5 words, or past the segment, made to fit it.
            std::uint8_t off_byte = tcp.byte(12);
            if (tcp.header_length() < TCPView::kSize)
              off_byte = static_cast<std::uint8_t>((off_byte & 0x0f) | (TCPView::kSize / 4) << 4);
            else if (tcp.header_length() > plen && !ip.is_fragment())
              off_byte = static_cast<std::uint8_t>((off_byte & 0x0f) | ((plen / 4) & 0x0f) << 4);
            tcp.write(12, &off_byte, 1);
          }
          tcp.set_checksum(0);
          tcp.set_checksum(checksum::finish(
              checksum::add(ip.pseudo_header_sum(static_cast<std::uint16_t>(plen)), tcp.bytes(0, plen))));
          ok = true;
        }
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

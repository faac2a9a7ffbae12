// IPMirror: swaps the source and destination of IP packets (and of their TCP/UDP ports).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct IPMirror {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "fewer than 20 bytes at the network offset: no IPv4 header to mirror"},
  });

  struct Config {
    bool dst_anno;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string&) {
    config.dst_anno = args.get_bool("DST_ANNO");
    return true;
  }

  // Addresses (and ports, sequence numbers) change places, which no PacketEffect but Unknown
  // allows; checksums stay correct, the length and the network annotation stay.
  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.anno_sets = config.dst_anno ? anno_field::kDstIP : anno_field::kNone;
    sheet.effect = PacketEffect::Unknown;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t offset = p.network_offset();
    bool ok = false;
    std::uint32_t old_src = 0;
    {
      const IPv4View ip = p.ipv4(offset);
      if (ip) {
        old_src = ip.src();
        ip.set_src(ip.dst());
        ip.set_dst(old_src);
        // Swapping two words keeps every one's-complement sum: the checksums need no update.
        const std::uint8_t proto = ip.protocol();
        if ((proto == ip_proto::kTCP || proto == ip_proto::kUDP) && ip.fragment_offset() == 0 &&
            ip.header_length() >= IPv4View::kSize) {
          const std::uint32_t l4 = ip.header_length();
          std::uint8_t ports[4];
          if (ip.read(l4, ports, 4) && ip.available() - l4 >= 8) {
            const std::uint8_t swapped[4] = {ports[2], ports[3], ports[0], ports[1]};
            ip.write(l4, swapped, 4);
            std::uint8_t seqack[8];
            if (proto == ip_proto::kTCP && ip.read(l4 + 4, seqack, 8)) {
              const std::uint8_t back[8] = {seqack[4], seqack[5], seqack[6], seqack[7],
                                            seqack[0], seqack[1], seqack[2], seqack[3]};
              ip.write(l4 + 4, back, 8);
            }
          }
        }
        ok = true;
      }
    }
    if (!ok) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    if (config.dst_anno) p.anno().dst_ip = old_src;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

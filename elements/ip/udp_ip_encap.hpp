// UDPIPEncap: puts UDP and IPv4 headers in front of each packet.
#pragma once

#include "ip_encap_header.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct UDPIPEncap {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"no headroom", "fewer than 28 bytes of headroom"},
  });

  struct Config {
    std::uint32_t src;
    std::uint32_t dst;
    std::uint16_t sport;
    std::uint16_t dport;
    bool dst_anno;
    bool checksum;
  };
  struct State {
    std::uint16_t next_id;  // each worker numbers its packets from 0, as Click's from 0
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    config.src = args.get_ipv4("SRC");
    if (!ip_encap::parse_dst(args.get_string("DST"), config.dst, config.dst_anno)) {
      error = "DST must be an IPv4 address or DST_ANNO";
      return false;
    }
    config.sport = static_cast<std::uint16_t>(args.get_unsigned("SPORT"));
    config.dport = static_cast<std::uint16_t>(args.get_unsigned("DPORT"));
    config.checksum = args.get_bool("CHECKSUM");
    return true;
  }

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = config.dst_anno ? anno_field::kDstIP : anno_field::kNone;
    sheet.anno_sets = config.dst_anno ? anno_field::kNetworkOffset : anno_field::kNetworkOffset | anno_field::kDstIP;
    sheet.effect = PacketEffect::Unknown;
    ip_encap::establish_header(sheet);
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (!p.push(IPv4View::kSize + UDPView::kSize)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    const std::uint32_t dst = config.dst_anno ? p.anno().dst_ip : config.dst;
    {
      const IPv4View ip = p.ipv4(0);
      const UDPView udp = p.udp(IPv4View::kSize);
      if (ip && udp) {  // always: 28 bytes were just put in front
        const auto length = static_cast<std::uint16_t>(p.length());
        ip_encap::fill(ip, 0, length, state.next_id, 0, 250, ip_proto::kUDP, config.src, dst);
        const auto udp_length = static_cast<std::uint16_t>(length - IPv4View::kSize);
        udp.set_src_port(config.sport);
        udp.set_dst_port(config.dport);
        udp.set_length(udp_length);
        udp.set_checksum(0);
        if (config.checksum) {
          const std::uint16_t sum =
              checksum::finish(checksum::add(ip.pseudo_header_sum(udp_length), udp.bytes(0, udp_length)));
          udp.set_checksum(sum == 0 ? 0xffff : sum);  // 0 would mean "no checksum" (RFC 768)
        }
      }
    }
    ++state.next_id;
    p.anno().dst_ip = dst;
    p.set_network_offset(0);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

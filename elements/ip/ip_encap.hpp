// IPEncap: puts an IPv4 header in front of each packet.
#pragma once

#include "ip_encap_header.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nb::elements {

struct IPEncap {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"no headroom", "fewer than 20 bytes of headroom"},
  });

  struct Config {
    std::uint32_t src;
    std::uint32_t dst;
    std::uint16_t frag;  // DF or nothing
    std::uint8_t proto;
    std::uint8_t tos;
    std::uint8_t ttl;
    bool dst_anno;
  };
  struct State {
    std::uint16_t next_id;  // each worker numbers its packets from 0, as Click's from 0
  };

  // Click's PROTO: a number from 0 to 255 or one of Click's protocol names.
  static bool parse_proto(std::string_view text, std::uint8_t& proto);
  static bool configure(const Args& args, Config& config, std::string& error);

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = config.dst_anno ? anno_field::kDstIP : anno_field::kNone;
    sheet.anno_sets = config.dst_anno ? anno_field::kNetworkOffset : anno_field::kNetworkOffset | anno_field::kDstIP;
    sheet.effect = PacketEffect::Unknown;
    sheet.reads_packet = true;
    ip_encap::establish_header(sheet);
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (!p.push(IPv4View::kSize)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    const std::uint32_t dst = config.dst_anno ? p.anno().dst_ip : config.dst;
    {
      const IPv4View ip = p.ipv4(0);
      if (ip)  // always: 20 bytes were just put in front
        ip_encap::fill(ip, config.tos, static_cast<std::uint16_t>(p.length()), state.next_id, config.frag, config.ttl,
                       config.proto, config.src, dst);
    }
    ++state.next_id;
    p.anno().dst_ip = dst;
    p.set_network_offset(0);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

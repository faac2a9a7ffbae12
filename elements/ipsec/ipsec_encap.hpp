// IPsecEncap: puts the outer IPv4 header on an ESP packet, to the gateway RadixIPsecLookup chose.
#pragma once

#include "../ip/click_anno.hpp"
#include "../ip/ip_encap_header.hpp"
#include "ipsec_sa.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct IPsecEncap {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"no headroom", "fewer than 20 bytes of headroom"},
      {"unfinished esp",
       "an ESP packet of RadixIPsecLookup's output 1 that was not encrypted by IPsecAES(1) and given its ICV by "
       "IPsecAuthHMACSHA1(0)"},
  });

  struct Config {
    std::uint8_t proto;
  };
  struct State {
    std::uint16_t next_id;  // each worker numbers its packets from 0, as IPEncap's
    std::uint64_t encapsulated;
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kDstIP | anno_field::kUser;
    sheet.anno_sets = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::Unknown;
    sheet.reads_packet = true;
    ip_encap::establish_header(sheet);
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    using namespace ipsec::stage;
    // A packet going into the tunnel leaves protected or not at all: never its plaintext.
    const std::uint8_t st = ipsec::stage_of(p.anno());
    if ((st & kOut) && ipsec::sa_of(p.anno()) &&
        (st & (kBuilt | kCipher | kIcv | kIcvPending)) != (kBuilt | kCipher | kIcv)) {
      ctx.drop(std::move(p), kDrops["unfinished esp"]);
      return;
    }
    if (!p.push(IPv4View::kSize)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    PacketAnno& a = p.anno();
    {
      const IPv4View ip = p.ipv4(0);
      // Source 0: FixIPSrc puts the outgoing interface's address in, as Click's FIX_IP_SRC says.
      if (ip)
        ip_encap::fill(ip, 0, static_cast<std::uint16_t>(p.length()), state.next_id, 0, 250, config.proto, 0, a.dst_ip);
    }
    ++state.next_id;
    ++state.encapsulated;
    click_anno::fix_ip_src(a) = 1;
    a.user[ipsec::kStageByte] = 0;  // done: the outer packet is an ordinary IP packet
    p.set_network_offset(0);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

// IPsecESPEncap: lays an IP packet out as an ESP payload (RFC 4303, tunnel mode): SPI, sequence
// number and IV in front, padding, pad length and next header behind.
#pragma once

#include "ipsec_sa.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct IPsecESPEncap {
  static const ElementSpec spec;
  // Per worker: it keeps nothing but counters. The sequence counter is the SA's, shared by all
  // workers (RadixIPsecLookup's State).
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"no sa", "no SA annotation: the packet did not come from RadixIPsecLookup's output 1"},
      {"not ip", "the packet is no IPv4 or IPv6 packet, which tunnel mode carries"},
      {"no room", "fewer than 24 bytes of headroom, or too little tailroom for the padding and trailer"},
      {"sequence exhausted", "the SA has sent 2^32 - 1 packets (RFC 4303: it must be rekeyed)"},
      {"no random", "OpenSSL's random generator gave no IV"},
  });

  struct Config {};
  struct State {
    std::uint64_t encapsulated;
  };

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kUser;
    sheet.effect = PacketEffect::Unknown;
  }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    PacketAnno& a = p.anno();
    ipsec::SecurityAssociation* sa = ipsec::sa_of(a);
    if (!sa || (ipsec::stage_of(a) & (ipsec::stage::kOut | ipsec::stage::kBuilt)) != ipsec::stage::kOut) {
      ctx.drop(std::move(p), kDrops["no sa"]);
      return;
    }
    std::uint8_t version = 0;
    p.read_u8(0, version);
    version >>= 4;
    if (version != 4 && version != 6) {
      ctx.drop(std::move(p), kDrops["not ip"]);
      return;
    }
    const std::uint32_t len = p.length();
    const std::uint32_t pad = (ipsec::kBlock - (len + 2) % ipsec::kBlock) % ipsec::kBlock;
    if (p.headroom() < ipsec::kPrefix || p.tailroom() < pad + 2) {
      ctx.drop(std::move(p), kDrops["no room"]);
      return;
    }
    std::uint32_t seq = 0;
    if (!ipsec::next_sequence(*sa, seq)) {
      ctx.drop(std::move(p), kDrops["sequence exhausted"]);
      return;
    }
    std::uint8_t head[ipsec::kPrefix];
    if (!ipsec::random_iv(head + ipsec::kHeader)) {
      ctx.drop(std::move(p), kDrops["no random"]);
      return;
    }
    const std::uint32_t spi = sa->params.spi;
    for (int i = 0; i < 4; ++i) {
      head[i] = static_cast<std::uint8_t>(spi >> (24 - 8 * i));
      head[4 + i] = static_cast<std::uint8_t>(seq >> (24 - 8 * i));
    }
    // RFC 4303 2.4's default padding 1, 2, 3, ..., then the pad length and the next header.
    std::uint8_t tail[ipsec::kBlock + 2];
    for (std::uint32_t i = 0; i < pad; ++i) tail[i] = static_cast<std::uint8_t>(i + 1);
    tail[pad] = static_cast<std::uint8_t>(pad);
    tail[pad + 1] = version == 4 ? 4 : 41;
    p.push(ipsec::kPrefix);
    p.put(pad + 2);
    p.write(0, head, ipsec::kPrefix);
    p.write(ipsec::kPrefix + len, tail, pad + 2);
    ipsec::stage_of(a) |= ipsec::stage::kBuilt;
    ++state.encapsulated;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

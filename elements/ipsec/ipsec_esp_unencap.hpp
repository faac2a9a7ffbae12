// IPsecESPUnencap: takes a verified, decrypted ESP packet apart: checks its sequence number against
// the SA's replay window and its padding, and leaves the inner IP packet.
#pragma once

#include "ipsec_sa.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct IPsecESPUnencap {
  static const ElementSpec spec;
  // Per worker: counters only. The replay window is the SA's, shared by all workers under its lock.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"no sa",
       "no SA annotation, or the packet was not verified by IPsecAuthHMACSHA1(1) and decrypted by "
       "IPsecAES(0)"},
      {"malformed", "too short for an ESP header, IV and trailer"},
      {"replay", "the sequence number was seen before, is older than the SA's window (OOSIZE), or is 0"},
      {"bad padding", "the pad length is longer than the payload, or the padding is not 1, 2, 3, ..."},
      {"not ip",
       "the next header is not IPv4 (4) or IPv6 (41): tunnel mode carries IP packets; 59 (a dummy "
       "packet, RFC 4303 2.6) is dropped here too"},
  });

  struct Config {};
  struct State {
    std::uint64_t decapsulated;
  };

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kUser;
    sheet.effect = PacketEffect::Unknown;
  }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    using namespace ipsec::stage;
    PacketAnno& a = p.anno();
    ipsec::SecurityAssociation* sa = ipsec::sa_of(a);
    const std::uint8_t st = ipsec::stage_of(a);
    if (!sa || (st & (kIn | kCipher | kIcv | kIcvBad)) != (kIn | kCipher | kIcv)) {
      ctx.drop(std::move(p), kDrops["no sa"]);
      return;
    }
    // The ICV is still on when IPsecAuthHMACSHA1(1) did not take it off (IPsecAES(0) verified it).
    const std::uint32_t len = p.length() - (st & kIcvGone ? 0 : ipsec::kICV);
    std::uint32_t seq = 0;
    std::uint8_t pad = 0, next = 0;
    if (p.length() < len || len < ipsec::kPrefix + 2 || !p.read_be32(4, seq) || !p.read_u8(len - 2, pad) ||
        !p.read_u8(len - 1, next)) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    // RFC 4303 3.4.3: the window moves only for packets whose ICV verified, as these did.
    if (!ipsec::accept_sequence(*sa, seq)) {
      ctx.drop(std::move(p), kDrops["replay"]);
      return;
    }
    bool padding_ok = std::uint32_t{pad} + 2 <= len - ipsec::kPrefix;
    for (std::uint32_t i = 0; padding_ok && i < pad; ++i) {
      std::uint8_t b = 0;
      padding_ok = p.read_u8(len - 2 - pad + i, b) && b == i + 1;
    }
    if (!padding_ok) {
      ctx.drop(std::move(p), kDrops["bad padding"]);
      return;
    }
    if (next != 4 && next != 41) {
      ctx.drop(std::move(p), kDrops["not ip"]);
      return;
    }
    p.truncate(len - 2 - pad);
    p.pull(ipsec::kPrefix);
    p.set_network_offset(0);
    a.user[ipsec::kStageByte] = 0;
    ++state.decapsulated;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

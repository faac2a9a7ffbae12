// ICMPRewriter: Click's ICMP error translator for NATs. An ICMP error quotes the packet that
// caused it; when that packet left through a rewriter, the error is addressed to the rewritten
// address and quotes the rewritten tuple. ICMPRewriter looks the quoted flow up in the mapping
// tables of the rewriters it names (its peers, ElementSpec::peers) and rewrites the error back.
#pragma once

#include "ip_rewriter.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct ICMPRewriter {
  static const ElementSpec spec;
  // Per flow, as the rewriters whose tables it reads: each worker sees its own worker's tables.
  static constexpr StateScope kStateScope = StateScope::PerFlow;
  static constexpr std::uint32_t kMaxMaps = 16;

  static constexpr auto kDrops = drop_reasons({
      {"not ICMP", "not an ICMP packet (Click kills these too)"},
      {"unmapped",
       "no named rewriter has a mapping for the quoted packet, or it is no ICMP error "
       "(with one output; with two they leave on output 1)"},
  });

  struct Config {
    std::uint32_t nmaps;  // the rewriters MAPS names: peers 0 .. nmaps-1
    bool dst_anno;
  };
  struct State {
    std::uint64_t rewritten;  // errors rewritten by a mapping
    std::uint64_t unmapped;   // ICMP packets no mapping matched (or no error)
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  static void facts(const Config& c, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    if (c.dst_anno) sheet.anno_reads = anno_field::kNetworkOffset | anno_field::kDstIP;
  }

  static std::uint16_t get16(const Packet& p NB_PARAM_OWNED, std::uint32_t at) {
    std::uint8_t b[2] = {0, 0};
    p.read(at, b, 2);
    return static_cast<std::uint16_t>(b[0] << 8 | b[1]);
  }
  static std::uint32_t get32(const Packet& p NB_PARAM_OWNED, std::uint32_t at) {
    return std::uint32_t{get16(p, at)} << 16 | get16(p, at + 2);
  }
  // Writes a 16-bit word and folds the change into the checksums that cover it.
  static void put16(const Packet& p NB_PARAM_OWNED, std::uint32_t at, std::uint16_t v, std::uint16_t* sum_a,
                    std::uint16_t* sum_b = nullptr) {
    const std::uint16_t old = get16(p, at);
    const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    if (!p.bytes_at(at, 2).write(0, b, 2)) return;
    if (sum_a) *sum_a = checksum::adjust16(*sum_a, old, v);
    if (sum_b) *sum_b = checksum::adjust16(*sum_b, old, v);
  }

  // Rewrites p (an ICMP error at l4) by a peer's mapping: true when one matched.
  // `dst` gets the new outer destination when it changed (0: unchanged).
  static bool rewrite(Context& ctx, const Config& c, const Packet& p NB_PARAM_OWNED, std::uint32_t off,
                      std::uint32_t l4, std::uint32_t& dst) {
    std::uint8_t t = 0;
    if (!p.read_u8(l4, t)) return false;
    if (t != ICMPView::kUnreachable && t != ICMPView::kTimeExceeded && t != ICMPView::kParameterProblem &&
        t != 4 /* source quench */ && t != ICMPView::kRedirect)
      return false;
    // The quoted IP header: version 4, complete.
    const std::uint32_t q = l4 + 8;
    std::uint8_t vihl = 0;
    if (!p.read_u8(q, vihl) || (vihl >> 4) != 4 || (vihl & 0x0f) < 5 || !p.has(q, (vihl & 0x0fu) * 4)) return false;
    const std::uint32_t qt = q + (vihl & 0x0fu) * 4;  // the quoted transport header
    std::uint8_t proto = 0;
    p.read_u8(q + 9, proto);
    const bool first_frag = (get16(p, q + 6) & 0x1fff) == 0;
    const std::uint32_t qsrc = get32(p, q + 12), qdst = get32(p, q + 16);
    // The key the reply to the quoted packet would arrive with (the rewriter's reverse tuple).
    IPRewriter::FlowKey key = IPRewriter::make_key(qdst, 0, qsrc, 0, proto);
    bool ports = false;
    if ((proto == 6 || proto == 17) && first_frag && p.has(qt, 8)) {
      key.sport = get16(p, qt + 2);
      key.dport = get16(p, qt);
      ports = true;
    } else if (proto == 1 && first_frag && p.has(qt, 6)) {
      std::uint8_t qtype = 0;
      p.read_u8(qt, qtype);
      if (qtype != ICMPView::kEcho) return false;
      // ICMPPingRewriter keys an echo reply by its identifier as the destination port.
      key.dport = get16(p, qt + 4);
      ports = true;
    } else {
      return false;
    }
    const std::uint64_t now = __builtin_readcyclecounter();
    IPRewriter::State* rw = nullptr;
    std::int64_t hit = -1;
    for (std::uint32_t i = 0; i < c.nmaps && hit < 0; ++i) {
      rw = static_cast<IPRewriter::State*>(ctx.peer_state(i));
      if (rw && rw->hash) hit = IPRewriter::find(*rw, key, now);
    }
    if (hit < 0) return false;
    const IPRewriter::Flow& f = rw->flows[hit >> 1];
    // The key translated as the rewriter would translate a packet with it (IPRewriter::push).
    const IPRewriter::FlowKey& to = (hit & 1) ? f.fwd : f.rev;
    const std::uint32_t new_src = to.daddr, new_dst = to.saddr;
    const std::uint16_t new_sport = to.dport, new_dport = to.sport;

    std::uint16_t icmp_sum = get16(p, l4 + 2);
    // The outer destination, when it is the rewritten address the error was sent to.
    if (get32(p, off + 16) == key.daddr) {
      std::uint16_t ip_sum = get16(p, off + 10);
      put16(p, off + 16, static_cast<std::uint16_t>(new_dst >> 16), &ip_sum);
      put16(p, off + 18, static_cast<std::uint16_t>(new_dst), &ip_sum);
      put16(p, off + 10, ip_sum, nullptr);
      dst = new_dst;
    }
    // The quoted header: the original packet's source and destination (the reverse of the key's
    // translation); its checksum and, where quoted, the transport checksum follow, and every
    // changed word is folded into the ICMP checksum, which covers the quote.
    std::uint16_t qip_sum = get16(p, q + 10);
    const bool tcp_sum = proto == 6 && p.has(qt, 18);
    const bool udp_sum = proto == 17 && get16(p, qt + 6) != 0;
    std::uint16_t l4_sum = tcp_sum ? get16(p, qt + 16) : udp_sum ? get16(p, qt + 6) : 0;
    std::uint16_t* l4p = (tcp_sum || udp_sum) ? &l4_sum : nullptr;
    put16(p, q + 12, static_cast<std::uint16_t>(new_dst >> 16), &qip_sum, &icmp_sum);
    put16(p, q + 14, static_cast<std::uint16_t>(new_dst), &qip_sum, &icmp_sum);
    put16(p, q + 16, static_cast<std::uint16_t>(new_src >> 16), &qip_sum, &icmp_sum);
    put16(p, q + 18, static_cast<std::uint16_t>(new_src), &qip_sum, &icmp_sum);
    if (l4p) {
      l4_sum = checksum::adjust32(l4_sum, qsrc, new_dst);
      l4_sum = checksum::adjust32(l4_sum, qdst, new_src);
    }
    put16(p, q + 10, qip_sum, &icmp_sum);
    if (ports && proto != 1) {
      put16(p, qt, new_dport, l4p, &icmp_sum);
      put16(p, qt + 2, new_sport, l4p, &icmp_sum);
      if (l4p) {
        if (proto == 17 && l4_sum == 0) l4_sum = 0xffff;
        put16(p, tcp_sum ? qt + 16 : qt + 6, l4_sum, &icmp_sum);
      }
    } else if (ports) {
      std::uint16_t echo_sum = get16(p, qt + 2);
      put16(p, qt + 4, new_dport, &echo_sum, &icmp_sum);
      if (p.has(qt + 2, 2)) put16(p, qt + 2, echo_sum, &icmp_sum);
    }
    put16(p, l4 + 2, icmp_sum, nullptr);
    return true;
  }

  static void push(const Config& c, State& s, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t off = p.network_offset();
    const IPv4View ip = p.ipv4(off);
    if (!ip || !ip.header_fits() || ip.protocol() != ip_proto::kICMP) {
      ctx.drop(std::move(p), kDrops["not ICMP"]);
      return;
    }
    const std::uint32_t l4 = off + ip.header_length();
    std::uint32_t dst = 0;
    if (rewrite(ctx, c, p, off, l4, dst)) {
      if (dst && c.dst_anno) p.anno().dst_ip = dst;
      ++s.rewritten;
      ctx.send(0, std::move(p));
      return;
    }
    ++s.unmapped;
    if (ctx.noutputs() > 1)
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["unmapped"]);
  }
};

}  // namespace nb::elements

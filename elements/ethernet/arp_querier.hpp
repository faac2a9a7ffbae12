// ARPQuerier: encapsulates IP packets in Ethernet, resolving next hops with ARP.
#pragma once

#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct ARPQuerier {
  static const ElementSpec spec;
  // Per worker: each worker has its own ARP cache and learns only from the replies that reach
  // it (see the description and docs/multicore.md).
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr std::uint32_t kSlots = 256;  // ARP cache entries (open addressing)
  static constexpr std::uint32_t kProbes = 16;
  static constexpr std::uint32_t kQuerySize = 60;  // 42 bytes of ARP, padded to Ethernet's minimum

  enum DropReason : std::uint32_t {
    kMalformed = 0,  // input 0: no IPv4 header; input 1: not an Ethernet/IPv4 ARP packet
    kNoHeadroom,     // no room for the Ethernet header or the query
    kReplyUsed,      // input 1: an ARP reply, learnt and consumed (Click kills it too)
    kNotReply,       // input 1: an ARP packet that is not a reply
    kNumDropReasons,
  };

  struct Config {
    std::uint32_t ip;  // ours, host order
    EtherAddress ether;
  };
  struct Entry {
    std::uint32_t ip;  // 0: free
    EtherAddress ether;
  };
  struct State {
    std::uint64_t encapsulated;  // IP packets sent with a known next hop
    std::uint64_t queries;       // packets turned into ARP queries (their next hop was unknown)
    std::uint64_t learnt;        // ARP replies that filled or refreshed the cache
    Entry cache[kSlots];
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  static std::uint32_t slot(std::uint32_t ip) { return (ip * 2654435761u) >> 24; }  // 8 bits

  static const Entry* find(const State& state, std::uint32_t ip) {
    for (std::uint32_t i = 0, s = slot(ip); i < kProbes; ++i, s = (s + 1) % kSlots) {
      if (state.cache[s].ip == ip) return &state.cache[s];
      if (state.cache[s].ip == 0) return nullptr;
    }
    return nullptr;
  }
  static void learn(State& state, std::uint32_t ip, const EtherAddress& ether) {
    if (ip == 0) return;
    std::uint32_t s = slot(ip);
    for (std::uint32_t i = 0; i < kProbes; ++i, s = (s + 1) % kSlots) {
      if (state.cache[s].ip == ip || state.cache[s].ip == 0) break;
    }
    if (state.cache[s].ip != ip && state.cache[s].ip != 0) s = slot(ip);  // full run: replace the first
    state.cache[s] = {ip, ether};
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {
    if (in_port == 1) {
      const EtherView eth = p.ether(0);
      const ArpView arp = p.arp(EtherView::kSize);
      if (!eth || !arp || eth.type() != ether_type::kARP || !arp.is_ether_ipv4()) {
        ctx.drop(std::move(p), kMalformed);
        return;
      }
      if (arp.op() != ArpView::kReply) {
        ctx.drop(std::move(p), kNotReply);
        return;
      }
      learn(state, arp.sender_ip(), arp.sender_ether());
      ++state.learnt;
      ctx.drop(std::move(p), kReplyUsed);
      return;
    }
    std::uint32_t next_hop = p.anno().dst_ip;
    {
      const IPv4View ip = p.ipv4(0);
      if (!ip) {
        ctx.drop(std::move(p), kMalformed);
        return;
      }
      if (next_hop == 0) next_hop = ip.dst();
    }
    const Entry* e = next_hop == 0xffffffffu ? nullptr : find(state, next_hop);
    if (e || next_hop == 0xffffffffu) {
      const EtherAddress dst = e ? e->ether : EtherAddress{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
      if (!p.push(EtherView::kSize)) {
        ctx.drop(std::move(p), kNoHeadroom);
        return;
      }
      const EtherView eth = p.ether(0);
      if (!eth) {
        ctx.drop(std::move(p), kNoHeadroom);
        return;
      }
      eth.set_dst(dst);
      eth.set_src(config.ether);
      eth.set_type(ether_type::kIPv4);
      PacketAnno& a = p.anno();
      if (a.network_offset != 0xffff && a.network_offset < 0xffff - EtherView::kSize)
        a.network_offset = static_cast<std::uint16_t>(a.network_offset + EtherView::kSize);
      ++state.encapsulated;
      ctx.send(0, std::move(p));
      return;
    }
    // Unknown next hop: the packet becomes the ARP query for it (it is not queued; the sender's
    // retransmission finds the answer in the cache).
    if (!p.push(kQuerySize)) {
      ctx.drop(std::move(p), kNoHeadroom);
      return;
    }
    p.truncate(kQuerySize);
    const EtherView eth = p.ether(0);
    const ArpView arp = p.arp(EtherView::kSize);
    const ByteView pad = p.bytes_at(EtherView::kSize + ArpView::kSize, kQuerySize - EtherView::kSize - ArpView::kSize);
    if (!eth || !arp || !pad) {
      ctx.drop(std::move(p), kNoHeadroom);
      return;
    }
    const std::uint8_t zeros[kQuerySize] = {};
    pad.write(0, zeros, pad.size());
    eth.set_dst(EtherAddress{0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
    eth.set_src(config.ether);
    eth.set_type(ether_type::kARP);
    arp.fill(ArpView::kRequest, config.ether, config.ip, EtherAddress{}, next_hop);
    PacketAnno& a = p.anno();
    a.network_offset = 0xffff;
    a.dst_ip = 0;
    ++state.queries;
    ctx.send(ctx.connected(1) ? 1 : 0, std::move(p));
  }
};

}  // namespace nb::elements

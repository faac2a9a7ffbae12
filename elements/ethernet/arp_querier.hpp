// ARPQuerier: encapsulates IP packets in Ethernet, resolving next hops with ARP.
#pragma once

#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct ARPQuerier {
  static const ElementSpec spec;

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
  // The cache is one for every worker (StateScope::Shared): the reply that fills an entry reaches
  // one worker, the packets that need it any of them. An entry is written under its sequence
  // lock (odd while written) and read again when the sequence moved; counters are atomic.
  static constexpr StateScope kStateScope = StateScope::Shared;
  struct Entry {
    std::uint32_t seq;
    std::uint32_t ip;  // 0: free
    EtherAddress ether;
  };
  struct State {
    std::uint64_t encapsulated;  // IP packets sent with a known next hop
    std::uint64_t queries;       // packets turned into ARP queries (their next hop was unknown)
    std::uint64_t learnt;        // ARP replies that filled or refreshed the cache
    Entry cache[kSlots];
  };
  static void count(std::uint64_t& c) { __atomic_fetch_add(&c, 1, __ATOMIC_RELAXED); }
  // A consistent copy of entry e (false: it was being written each time we looked).
  static bool read_entry(const Entry& e, std::uint32_t& ip, EtherAddress& ether) {
    for (int tries = 0; tries < 64; ++tries) {
      std::uint32_t s1 = __atomic_load_n(&e.seq, __ATOMIC_ACQUIRE);
      if (s1 & 1) continue;
      ip = __atomic_load_n(&e.ip, __ATOMIC_RELAXED);
      for (std::size_t k = 0; k < ether.size(); ++k) ether[k] = __atomic_load_n(&e.ether[k], __ATOMIC_RELAXED);
      __atomic_thread_fence(__ATOMIC_ACQUIRE);
      if (__atomic_load_n(&e.seq, __ATOMIC_RELAXED) == s1) return true;
    }
    return false;
  }

  static bool configure(const Args& args, Config& config, std::string& error);

  static std::uint32_t slot(std::uint32_t ip) { return (ip * 2654435761u) >> 24; }  // 8 bits

  // The Ethernet address cached for ip.
  static bool find(const State& state, std::uint32_t ip, EtherAddress& ether) {
    for (std::uint32_t i = 0, s = slot(ip); i < kProbes; ++i, s = (s + 1) % kSlots) {
      std::uint32_t at = 0;
      EtherAddress e{};
      if (!read_entry(state.cache[s], at, e)) continue;
      if (at == ip) {
        ether = e;
        return true;
      }
      if (at == 0) return false;
    }
    return false;
  }
  static void learn(State& state, std::uint32_t ip, const EtherAddress& ether) {
    if (ip == 0) return;
    std::uint32_t s = slot(ip);
    for (std::uint32_t i = 0; i < kProbes; ++i, s = (s + 1) % kSlots) {
      std::uint32_t at = __atomic_load_n(&state.cache[s].ip, __ATOMIC_RELAXED);
      if (at == ip || at == 0) break;
    }
    std::uint32_t at = __atomic_load_n(&state.cache[s].ip, __ATOMIC_RELAXED);
    if (at != ip && at != 0) s = slot(ip);  // full run: replace the first
    Entry& e = state.cache[s];
    std::uint32_t seq = __atomic_load_n(&e.seq, __ATOMIC_RELAXED);
    // Another worker writing this entry: its answer is as good as ours.
    if ((seq & 1) || !__atomic_compare_exchange_n(&e.seq, &seq, seq + 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
      return;
    __atomic_store_n(&e.ip, ip, __ATOMIC_RELAXED);
    for (std::size_t k = 0; k < ether.size(); ++k) __atomic_store_n(&e.ether[k], ether[k], __ATOMIC_RELAXED);
    __atomic_store_n(&e.seq, seq + 2, __ATOMIC_RELEASE);
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
      count(state.learnt);
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
    EtherAddress dst{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (next_hop == 0xffffffffu || find(state, next_hop, dst)) {
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
      count(state.encapsulated);
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
    count(state.queries);
    ctx.send(ctx.connected(1) ? 1 : 0, std::move(p));
  }
};

}  // namespace nb::elements

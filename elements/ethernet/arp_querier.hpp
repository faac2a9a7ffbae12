// ARPQuerier: encapsulates IP packets in Ethernet, resolving next hops with ARP.
#pragma once

#include <nb/element.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct ARPQuerier {
  static const ElementSpec spec;
  // Shared: one ARP cache for every worker, so a reply learnt on any worker resolves the next hop
  // on all of them (ARP replies are not IP: RSS and software dispatch cannot send them to the
  // worker that needs them). Lookups never wait: each slot is a seqlock that the rare writer (an
  // ARP reply) takes with a compare-and-swap, and a reader that meets a slot being written takes
  // the next hop as unknown for that one packet. The counters are inline, so per worker.
  static constexpr StateScope kStateScope = StateScope::SharedReadMostly;

  static constexpr std::uint32_t kSlots = 256;  // ARP cache entries (open addressing)
  static constexpr std::uint32_t kProbes = 16;
  static constexpr std::uint32_t kQuerySize = 60;  // 42 bytes of ARP, padded to Ethernet's minimum

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "input 0: no IPv4 header; input 1: not an Ethernet/IPv4 ARP packet"},
      {"no headroom", "no room for the Ethernet header or the query"},
      {"reply used", "input 1: an ARP reply, learnt and consumed (Click kills it too)"},
      {"not a reply", "input 1: an ARP packet that is not a reply"},
  });

  struct Config {
    std::uint32_t ip;  // ours, host order
    EtherAddress ether;
  };
  // One cache slot; every field is read and written only atomically (std::atomic_ref).
  struct alignas(16) Entry {
    std::uint32_t seq;    // even: stable; odd: a worker is writing the slot
    std::uint32_t ip;     // 0: free
    std::uint64_t ether;  // the Ethernet address, first byte in the high bits of the low 48
  };
  struct State {
    Entry* cache;                // kSlots entries, made by setup() and shared by every worker
    std::uint64_t encapsulated;  // IP packets sent with a known next hop
    std::uint64_t queries;       // packets turned into ARP queries (their next hop was unknown)
    std::uint64_t learnt;        // ARP replies that filled or refreshed the cache
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  // Hot reload with other arguments: the new cache starts with every entry of the old one.
  static void transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state);

  static std::uint32_t slot(std::uint32_t ip) { return (ip * 2654435761u) >> 24; }  // 8 bits

  static std::uint64_t pack(const EtherAddress& a) {
    std::uint64_t v = 0;
    for (std::uint8_t b : a) v = v << 8 | b;
    return v;
  }
  static EtherAddress unpack(std::uint64_t v) {
    EtherAddress a;
    for (int i = 5; i >= 0; --i, v >>= 8) a[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
    return a;
  }

  // A consistent copy of slot s: false while a worker is writing it.
  static bool read_slot(const Entry& e, std::uint32_t& ip, std::uint64_t& ether) {
    Entry& m = const_cast<Entry&>(e);  // atomic_ref needs a non-const object; nothing is written
    const std::uint32_t before = std::atomic_ref<std::uint32_t>(m.seq).load(std::memory_order_acquire);
    ip = std::atomic_ref<std::uint32_t>(m.ip).load(std::memory_order_relaxed);
    ether = std::atomic_ref<std::uint64_t>(m.ether).load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    const std::uint32_t after = std::atomic_ref<std::uint32_t>(m.seq).load(std::memory_order_relaxed);
    return before == after && (before & 1) == 0;
  }

  // The Ethernet address of ip, or false when it is not (or, for this packet, cannot be) known.
  static bool find(const State& state, std::uint32_t ip, EtherAddress& ether) {
    if (!state.cache) return false;
    for (std::uint32_t i = 0, s = slot(ip); i < kProbes; ++i, s = (s + 1) % kSlots) {
      std::uint32_t sip = 0;
      std::uint64_t e = 0;
      if (!read_slot(state.cache[s], sip, e)) return false;  // being written: one more query
      if (sip == ip) {
        ether = unpack(e);
        return true;
      }
      if (sip == 0) return false;
    }
    return false;
  }
  static void learn(const State& state, std::uint32_t ip, const EtherAddress& ether) {
    if (ip == 0 || !state.cache) return;
    std::uint32_t s = slot(ip);
    for (std::uint32_t i = 0; i < kProbes; ++i, s = (s + 1) % kSlots) {
      const std::uint32_t sip = std::atomic_ref<std::uint32_t>(state.cache[s].ip).load(std::memory_order_relaxed);
      if (sip == ip || sip == 0) break;
    }
    const std::uint32_t sip = std::atomic_ref<std::uint32_t>(state.cache[s].ip).load(std::memory_order_relaxed);
    if (sip != ip && sip != 0) s = slot(ip);  // full run: replace the first
    Entry& e = state.cache[s];
    std::atomic_ref<std::uint32_t> seq(e.seq);
    std::uint32_t q = seq.load(std::memory_order_relaxed);
    // Another worker is writing this slot (a reply about the same or a colliding address): its
    // write stands, and this reply is not learnt; the next one will be.
    if ((q & 1) != 0 || !seq.compare_exchange_strong(q, q + 1, std::memory_order_relaxed)) return;
    std::atomic_thread_fence(std::memory_order_release);
    std::atomic_ref<std::uint32_t>(e.ip).store(ip, std::memory_order_relaxed);
    std::atomic_ref<std::uint64_t>(e.ether).store(pack(ether), std::memory_order_relaxed);
    seq.store(q + 2, std::memory_order_release);
  }

  // Keeps no packet fact; the next hop comes from the destination IP annotation.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kDstIP;
    sheet.anno_read_inputs = 1;  // IP packets; input 1's ARP replies only teach it addresses
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {
    if (in_port == 1) {
      const EtherView eth = p.ether(0);
      const ArpView arp = p.arp(EtherView::kSize);
      if (!eth || !arp || eth.type() != ether_type::kARP || !arp.is_ether_ipv4()) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      if (arp.op() != ArpView::kReply) {
        ctx.drop(std::move(p), kDrops["not a reply"]);
        return;
      }
      learn(state, arp.sender_ip(), arp.sender_ether());
      ++state.learnt;
      ctx.drop(std::move(p), kDrops["reply used"]);
      return;
    }
    std::uint32_t next_hop = p.anno().dst_ip;
    {
      const IPv4View ip = p.ipv4(0);
      if (!ip) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      if (next_hop == 0) next_hop = ip.dst();
    }
    EtherAddress dst{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (next_hop == 0xffffffffu || find(state, next_hop, dst)) {
      if (!p.push(EtherView::kSize)) {
        ctx.drop(std::move(p), kDrops["no headroom"]);
        return;
      }
      const EtherView eth = p.ether(0);
      if (!eth) {
        ctx.drop(std::move(p), kDrops["no headroom"]);
        return;
      }
      eth.set_dst(dst);
      eth.set_src(config.ether);
      eth.set_type(ether_type::kIPv4);
      ++state.encapsulated;
      ctx.send(0, std::move(p));
      return;
    }
    // Unknown next hop: the packet becomes the ARP query for it (it is not queued; the sender's
    // retransmission finds the answer in the cache).
    if (!p.push(kQuerySize)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    p.truncate(kQuerySize);
    const EtherView eth = p.ether(0);
    const ArpView arp = p.arp(EtherView::kSize);
    const ByteView pad = p.bytes_at(EtherView::kSize + ArpView::kSize, kQuerySize - EtherView::kSize - ArpView::kSize);
    if (!eth || !arp || !pad) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    const std::uint8_t zeros[kQuerySize] = {};
    pad.write(0, zeros, pad.size());
    eth.set_dst(EtherAddress{0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
    eth.set_src(config.ether);
    eth.set_type(ether_type::kARP);
    arp.fill(ArpView::kRequest, config.ether, config.ip, EtherAddress{}, next_hop);
    p.clear_network_offset();  // an ARP query now, not the IP packet
    p.anno().dst_ip = 0;
    ++state.queries;
    ctx.send(ctx.connected(1) ? 1 : 0, std::move(p));
  }
};

}  // namespace nb::elements

// IP6NDSolicitor: encapsulates IPv6 packets in Ethernet, resolving next hops with Neighbor
// Discovery (Click's IP6NDSolicitor; ARPQuerier for IPv6).
#pragma once

#include "nd.hpp"

#include <nb/element.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace nb::elements {

struct IP6NDSolicitor {
  static const ElementSpec spec;
  // Shared, as ARPQuerier's cache is and for the same reason (an advertisement resolves the next
  // hop on every worker): each slot is a seqlock that the rare writer takes with a
  // compare-and-swap; a reader that meets a slot being written takes the next hop as unknown.
  static constexpr StateScope kStateScope = StateScope::SharedReadMostly;

  static constexpr std::uint32_t kSlots = 256;  // neighbour cache entries (open addressing)
  static constexpr std::uint32_t kProbes = 16;

  static constexpr auto kDrops = drop_reasons({
      {"malformed",
       "input 0: no IPv6 header at the packet's start; input 1: not an Ethernet/IPv6 neighbor "
       "advertisement RFC 4861 accepts (hop limit 255, code 0, length, checksum)"},
      {"no headroom", "no room for the Ethernet header or the solicitation"},
      {"advertisement used", "input 1: an advertisement, learnt and consumed (Click kills it too)"},
      {"not an advertisement", "input 1: an ND or other ICMPv6 message that is not a neighbor advertisement"},
      {"no link address", "input 1: an advertisement without a target link-layer address option: nothing to learn"},
  });

  struct Config {
    std::uint8_t ip[16];  // ours: the source of the solicitations
    EtherAddress ether;
  };
  // One cache slot; every field is read and written only atomically (std::atomic_ref).
  struct alignas(32) Entry {
    std::uint64_t seq;  // even: stable; odd: a worker is writing the slot
    std::uint64_t hi;   // the address's first eight bytes, then its last (both 0: free)
    std::uint64_t lo;
    std::uint64_t ether;  // the Ethernet address, first byte in the high bits of the low 48
  };
  struct State {
    Entry* cache;                // kSlots entries, made by setup() and shared by every worker
    std::uint64_t encapsulated;  // IPv6 packets sent with a known next hop
    std::uint64_t queries;       // packets turned into solicitations (their next hop was unknown)
    std::uint64_t learnt;        // advertisements that filled or refreshed the cache
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  static void transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state);

  static void split(const std::uint8_t* a, std::uint64_t& hi, std::uint64_t& lo) {
    hi = lo = 0;
    for (int i = 0; i < 8; ++i) hi = hi << 8 | a[i], lo = lo << 8 | a[8 + i];
  }
  static std::uint32_t slot(std::uint64_t hi, std::uint64_t lo) {
    return static_cast<std::uint32_t>(((hi ^ lo) * 0x9e3779b97f4a7c15ull) >> 56);  // 8 bits
  }
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

  // A consistent copy of a slot: false while a worker is writing it.
  static bool read_slot(const Entry& e, std::uint64_t& hi, std::uint64_t& lo, std::uint64_t& ether) {
    Entry& m = const_cast<Entry&>(e);  // atomic_ref needs a non-const object; nothing is written
    const std::uint64_t before = std::atomic_ref<std::uint64_t>(m.seq).load(std::memory_order_acquire);
    hi = std::atomic_ref<std::uint64_t>(m.hi).load(std::memory_order_relaxed);
    lo = std::atomic_ref<std::uint64_t>(m.lo).load(std::memory_order_relaxed);
    ether = std::atomic_ref<std::uint64_t>(m.ether).load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    const std::uint64_t after = std::atomic_ref<std::uint64_t>(m.seq).load(std::memory_order_relaxed);
    return before == after && (before & 1) == 0;
  }

  static bool find(const State& state, const std::uint8_t* ip, EtherAddress& ether) {
    if (!state.cache) return false;
    std::uint64_t hi, lo;
    split(ip, hi, lo);
    for (std::uint32_t i = 0, s = slot(hi, lo); i < kProbes; ++i, s = (s + 1) % kSlots) {
      std::uint64_t shi = 0, slo = 0, e = 0;
      if (!read_slot(state.cache[s], shi, slo, e)) return false;  // being written: one more query
      if (shi == hi && slo == lo) {
        ether = unpack(e);
        return true;
      }
      if (shi == 0 && slo == 0) return false;
    }
    return false;
  }
  static void learn(const State& state, const std::uint8_t* ip, const EtherAddress& ether) {
    std::uint64_t hi, lo;
    split(ip, hi, lo);
    if ((hi == 0 && lo == 0) || !state.cache) return;
    auto load = [&](std::uint32_t s, std::uint64_t& h, std::uint64_t& l) {
      h = std::atomic_ref<std::uint64_t>(state.cache[s].hi).load(std::memory_order_relaxed);
      l = std::atomic_ref<std::uint64_t>(state.cache[s].lo).load(std::memory_order_relaxed);
    };
    std::uint32_t s = slot(hi, lo);
    std::uint64_t shi = 0, slo = 0;
    for (std::uint32_t i = 0; i < kProbes; ++i, s = (s + 1) % kSlots) {
      load(s, shi, slo);
      if ((shi == hi && slo == lo) || (shi == 0 && slo == 0)) break;
    }
    load(s, shi, slo);
    if (!(shi == hi && slo == lo) && !(shi == 0 && slo == 0)) s = slot(hi, lo);  // full run: replace the first
    Entry& e = state.cache[s];
    std::atomic_ref<std::uint64_t> seq(e.seq);
    std::uint64_t q = seq.load(std::memory_order_relaxed);
    // Another worker is writing this slot: its write stands; the next advertisement is learnt.
    if ((q & 1) != 0 || !seq.compare_exchange_strong(q, q + 1, std::memory_order_relaxed)) return;
    std::atomic_thread_fence(std::memory_order_release);
    std::atomic_ref<std::uint64_t>(e.hi).store(hi, std::memory_order_relaxed);
    std::atomic_ref<std::uint64_t>(e.lo).store(lo, std::memory_order_relaxed);
    std::atomic_ref<std::uint64_t>(e.ether).store(pack(ether), std::memory_order_relaxed);
    seq.store(q + 2, std::memory_order_release);
  }

  // The next hop comes from the destination IPv6 annotation of input 0's packets.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kDstIP6;
    sheet.anno_read_inputs = 1;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {
    if (in_port == 1) {
      EtherAddress link{};
      {
        const ByteView frame = p.bytes_from(0);
        if (!frame || frame.size() < nd::kOptions || frame.byte(nd::kICMP6) != nd::kAdvertisement) {
          const bool icmp6 = frame && frame.size() > nd::kICMP6 && frame.byte(12) == 0x86 && frame.byte(13) == 0xdd &&
                             frame.byte(nd::kIP6 + 6) == nd::kNextICMP6;
          ctx.drop(std::move(p), icmp6 ? kDrops["not an advertisement"] : kDrops["malformed"]);
          return;
        }
        if (!nd::valid(frame, nd::kAdvertisement)) {
          ctx.drop(std::move(p), kDrops["malformed"]);
          return;
        }
        if (!nd::find_link_address(frame, nd::kTargetLinkAddress, link)) {
          ctx.drop(std::move(p), kDrops["no link address"]);
          return;
        }
        std::uint8_t target[16];
        frame.read(nd::kTarget, target, 16);
        learn(state, target, link);
      }
      ++state.learnt;
      ctx.drop(std::move(p), kDrops["advertisement used"]);
      return;
    }
    std::uint8_t next_hop[16];
    p.anno().dst_ip6(next_hop);
    {
      const ByteView ip = p.bytes_at(0, 40);
      if (!ip || (ip.byte(0) >> 4) != 6) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      std::uint8_t any = 0;
      for (std::uint8_t b : next_hop) any |= b;
      if (!any) ip.read(24, next_hop, 16);  // no annotation: the packet's own destination
    }
    EtherAddress dst{};
    if (next_hop[0] == 0xff || find(state, next_hop, dst)) {
      if (next_hop[0] == 0xff) dst = nd::multicast_ether(next_hop);
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
      eth.set_type(ether_type::kIPv6);
      ++state.encapsulated;
      ctx.send(0, std::move(p));
      return;
    }
    // Unknown next hop: the packet becomes the solicitation for it, to its solicited-node
    // multicast group ff02::1:ffXX:XXXX (it is not queued, as ARPQuerier's are not).
    if (!p.push(nd::kMessageSize)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    p.truncate(nd::kMessageSize);
    std::uint8_t group[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, next_hop[13], next_hop[14], next_hop[15]};
    std::uint8_t m[nd::kMessageSize];
    nd::build(m, nd::multicast_ether(group), config.ether, config.ip, group, nd::kSolicitation, 0, next_hop,
              nd::kSourceLinkAddress, config.ether);
    if (!p.write(0, m, nd::kMessageSize)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    p.clear_network_offset();  // a solicitation now, not the packet
    const std::uint8_t unset[16] = {};
    p.anno().set_dst_ip6(unset);
    ++state.queries;
    ctx.send(ctx.connected(1) ? 1 : 0, std::move(p));
  }
};

}  // namespace nb::elements

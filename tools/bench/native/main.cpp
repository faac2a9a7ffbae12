// nb-bench-native: the baseline nbbench compares nb's engines with. A hand-written DPDK program
// doing the same per-packet work as nb's elements, the way one would write it without nb: one
// run-to-completion loop, rx_burst -> straight-line per-packet code -> tx_burst, no function
// pointers, no per-packet metadata. It uses no nb code at all.
//
//   nb-bench-native WORKLOAD --pcap FILE --duration SECONDS [--burst N] [-- EAL arguments]
//   nb-bench-native WORKLOAD --pcap FILE --once --out OUT.pcap      (to check it against nb)
//
// WORKLOAD is one of the usage line's (lpm needs --routes FILE: LookupIPRoute's routes; see docs/performance.md). The ports are those
// nbrun opens for `FromDump(FILE, LOOP true) -> ... -> ToDevice(net_null0)`: net_pcap with
// infinite_rx=1 in, net_null out, and EAL starts as nbrun's default does (-l 0-1 --no-huge -m 512
// --no-pci). Prints one JSON object on stdout:
//   {"workload": W, "packets": N, "tx": T, "dropped": D, "cycles": C, "tsc_hz": H, "seconds": S,
//    "cpu_seconds": U, "bad": B, "expired": E, "hits": [...]}
// where packets counts received packets, cycles are TSC cycles of the worker loop and U the CPU
// time its thread got (less than C / H when something else ran on its core).
//
// --once reads FILE once (no infinite_rx) and stops at its end; --out sends to a net_pcap
// tx_pcap=OUT.pcap instead of net_null0. tools/bench/test_native_equivalence.py uses them to
// check that this program does what nb's elements do, packet for packet.
// Exit status: 0 success, 1 DPDK errors, 2 usage errors.
#include <hs/hs.h>
#include <rte_bus_vdev.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "lpm.hpp"

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_done{false};  // the worker has left its loop

constexpr std::uint32_t kEther = 14;  // Strip(14) / Unstrip(14)
constexpr unsigned kTxRetries = 16;   // as nbrun

enum class Workload { Fwd, Ttl, Chain5, Classify, Firewall, FirewallBase, Lpm, Nat, NatNew, Maglev, Monitor, Ids };

native_lpm::Table g_lpm;  // the lpm workload's routes (--routes FILE)

// ---------------------------------------------------------------------------------------------
// Per-packet work. Same semantics as nb's elements with their default arguments; the
// comments name the element and the check. Reads are bounds-checked against data_len exactly
// where the element checks them, so malformed packets are dropped for the same reasons.

inline std::uint16_t load_be16(const std::uint8_t* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return rte_be_to_cpu_16(v);
}

// Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14). Returns false when the packet is to be
// dropped. `bad` and `expired` are CheckIPHeader's and DecIPTTL's counters.
inline __attribute__((always_inline)) bool ttl_nf(rte_mbuf* m, std::uint64_t& bad, std::uint64_t& expired) {
  std::uint8_t* const frame = rte_pktmbuf_mtod(m, std::uint8_t*);
  const std::uint32_t len = m->data_len;
  // Strip(14): too short to strip -> drop. Nothing else to do: Unstrip(14) puts the same 14
  // bytes back, so the mbuf's data_off ends where it started.
  if (unlikely(len < kEther)) return false;
  const std::uint8_t* ip = frame + kEther;
  const std::uint32_t avail = len - kEther;
  // CheckIPHeader (OFFSET 0, CHECKSUM true, no BADSRC).
  if (unlikely(avail < 20)) return ++bad, false;                 // too short
  const std::uint8_t vihl = ip[0];
  if (unlikely((vihl >> 4) != 4)) return ++bad, false;           // bad version
  const std::uint32_t hlen = (vihl & 0x0fu) * 4u;
  if (unlikely(hlen < 20 || hlen > avail)) return ++bad, false;  // bad header length
  const std::uint32_t total = load_be16(ip + 2);
  if (unlikely(total < hlen || total > avail)) return ++bad, false;  // bad total length
  // Header checksum: one's complement sum of 32-bit words in a 64-bit accumulator (the sum is
  // byte-order independent; 0xffff is its own byte swap).
  std::uint64_t sum = 0;
  if (likely(hlen == 20)) {  // no options: five words, unrolled
    std::uint32_t w[5];
    std::memcpy(w, ip, 20);
    sum = std::uint64_t{w[0]} + w[1] + w[2] + w[3] + w[4];
  } else {
    for (std::uint32_t i = 0; i < hlen; i += 4) {
      std::uint32_t w;
      std::memcpy(&w, ip + i, 4);
      sum += w;
    }
  }
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  if (unlikely(sum != 0xffff)) return ++bad, false;  // bad checksum
  // Trim Ethernet padding after the datagram.
  if (total < avail) {
    const std::uint32_t trim = avail - total;
    m->data_len = static_cast<std::uint16_t>(m->data_len - trim);
    m->pkt_len -= trim;
  }
  // DecIPTTL (MULTICAST true: every packet). TTL 0 or 1: expired, dropped.
  std::uint8_t* wip = frame + kEther;
  const std::uint8_t ttl = wip[8];
  if (unlikely(ttl <= 1)) return ++expired, false;
  wip[8] = static_cast<std::uint8_t>(ttl - 1);
  // RFC 1624 eqn. 3: HC' = ~(~HC + 0xfeff) for the TTL/protocol word going down by 0x0100.
  std::uint32_t c = (~std::uint32_t{load_be16(wip + 10)} & 0xffffu) + 0xfeffu;
  c = (c & 0xffffu) + (c >> 16);
  const std::uint16_t hc = rte_cpu_to_be_16(static_cast<std::uint16_t>(~c));
  std::memcpy(wip + 10, &hc, 2);
  return true;
}

// nat / nat-new: Strip(14) -> CheckIPHeader(CHECKSUM false)
//   -> IPRewriter(pattern 192.0.2.1 1024-65535# - - 0 0, drop[, UDP_TIMEOUT 0]) -> Unstrip(14)
// hand-written: a flow table on rte_hash (both directions as keys, the data a slot index), idle
// timeouts on the TSC, round-robin ports with a collision check, incremental checksums. nat-new
// gives flows no idle time (timeout 0), so every packet removes its expired flow and makes a new
// one, as nb's IPRewriter with UDP_TIMEOUT 0 does.
struct NatKey {
  std::uint32_t saddr, daddr;
  std::uint16_t sport, dport;
  std::uint8_t proto, pad[3];
};
struct NatFlow {
  NatKey fwd, rev;
  std::uint64_t last;
  bool used;
};
struct NatTable {
  rte_hash* hash = nullptr;
  std::vector<NatFlow> flows;
  std::vector<std::uint32_t> free;
  std::uint64_t timeout = 0;  // TSC ticks
  std::uint32_t cursor = 0;
  std::uint32_t sweep = 0;
};
NatTable g_nat;
constexpr std::uint32_t kNatAddr = (192u << 24) | (2u << 8) | 1u;
constexpr std::uint16_t kNatPortLo = 1024, kNatPortHi = 65535;

inline std::uint16_t csum_adjust16(std::uint16_t check, std::uint16_t old_word, std::uint16_t new_word) {
  std::uint32_t sum = (~std::uint32_t{check} & 0xffff) + (~std::uint32_t{old_word} & 0xffff) + new_word;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}
inline std::uint16_t csum_adjust32(std::uint16_t check, std::uint32_t o, std::uint32_t n) {
  return csum_adjust16(csum_adjust16(check, static_cast<std::uint16_t>(o >> 16), static_cast<std::uint16_t>(n >> 16)),
                       static_cast<std::uint16_t>(o), static_cast<std::uint16_t>(n));
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return rte_be_to_cpu_32(v);
}
inline void store_be16(std::uint8_t* p, std::uint16_t v) {
  v = rte_cpu_to_be_16(v);
  std::memcpy(p, &v, 2);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) {
  v = rte_cpu_to_be_32(v);
  std::memcpy(p, &v, 4);
}
void nat_remove(NatTable& t, std::uint32_t idx) {
  NatFlow& f = t.flows[idx];
  rte_hash_del_key(t.hash, &f.fwd);
  rte_hash_del_key(t.hash, &f.rev);
  f.used = false;
  t.free.push_back(idx);
}
// The live flow slot << 1 | direction for key, or -1 (an expired flow is removed).
inline std::int64_t nat_find(NatTable& t, const NatKey& k, std::uint64_t now) {
  void* data = nullptr;
  if (rte_hash_lookup_data(t.hash, &k, &data) < 0) return -1;
  const auto v = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(data));
  if (now - t.flows[v >> 1].last > t.timeout) {
    nat_remove(t, v >> 1);
    return -1;
  }
  return v;
}
inline __attribute__((always_inline)) bool nat_nf(rte_mbuf* m, std::uint64_t& bad, std::uint64_t& dropped_nat) {
  NatTable& t = g_nat;
  std::uint8_t* const frame = rte_pktmbuf_mtod(m, std::uint8_t*);
  const std::uint32_t len = m->data_len;
  if (unlikely(len < kEther)) return false;
  std::uint8_t* ip = frame + kEther;
  const std::uint32_t avail = len - kEther;
  // CheckIPHeader(CHECKSUM false).
  if (unlikely(avail < 20)) return ++bad, false;
  const std::uint32_t hlen = (ip[0] & 0x0fu) * 4u;
  if (unlikely((ip[0] >> 4) != 4 || hlen < 20 || hlen > avail)) return ++bad, false;
  const std::uint32_t total = load_be16(ip + 2);
  if (unlikely(total < hlen || total > avail)) return ++bad, false;
  if (total < avail) {
    const std::uint32_t trim = avail - total;
    m->data_len = static_cast<std::uint16_t>(m->data_len - trim);
    m->pkt_len -= trim;
  }
  const std::uint64_t now = rte_rdtsc();
  // The sweep: two slots per packet.
  for (int i = 0; i < 2; ++i) {
    const std::uint32_t s = t.sweep;
    t.sweep = s + 1 == t.flows.size() ? 0 : s + 1;
    if (t.flows[s].used && now - t.flows[s].last > t.timeout) nat_remove(t, s);
  }
  const std::uint8_t proto = ip[9];
  if (unlikely((proto != 6 && proto != 17) || (load_be16(ip + 6) & 0x1fff) != 0)) return ++dropped_nat, false;
  std::uint8_t* l4 = ip + hlen;
  const std::uint32_t l4avail = total - hlen;
  if (unlikely(l4avail < (proto == 6 ? 20u : 8u))) return ++bad, false;
  const std::uint32_t csum_off = proto == 6 ? 16 : 6;
  NatKey key{};
  key.saddr = load_be32(ip + 12);
  key.daddr = load_be32(ip + 16);
  key.sport = load_be16(l4);
  key.dport = load_be16(l4 + 2);
  key.proto = proto;
  std::int64_t hit = nat_find(t, key, now);
  if (hit < 0) {  // input 0's pattern: a new mapping
    if (t.free.empty()) return ++dropped_nat, false;
    NatKey rev{};
    rev.saddr = key.daddr;
    rev.sport = key.dport;
    rev.daddr = kNatAddr;
    rev.proto = proto;
    constexpr std::uint32_t n = kNatPortHi - kNatPortLo + 1;
    bool found = false;
    for (std::uint32_t i = 0; i < n && !found; ++i) {
      rev.dport = static_cast<std::uint16_t>(kNatPortLo + t.cursor);
      t.cursor = t.cursor + 1 == n ? 0 : t.cursor + 1;
      found = nat_find(t, rev, now) < 0;
    }
    if (!found) return ++dropped_nat, false;
    const std::uint32_t idx = t.free.back();
    t.free.pop_back();
    NatFlow& f = t.flows[idx];
    f = NatFlow{key, rev, now, true};
    rte_hash_add_key_data(t.hash, &f.fwd, reinterpret_cast<void*>(std::uintptr_t{idx} << 1));
    rte_hash_add_key_data(t.hash, &f.rev, reinterpret_cast<void*>(std::uintptr_t{idx} << 1 | 1));
    hit = std::int64_t{idx} << 1;
  }
  NatFlow& f = t.flows[hit >> 1];
  f.last = now;
  const NatKey& to = (hit & 1) ? f.fwd : f.rev;
  const std::uint32_t ns = to.daddr, nd = to.saddr;
  const std::uint16_t nsp = to.dport, ndp = to.sport;
  std::uint16_t ipc = csum_adjust32(csum_adjust32(load_be16(ip + 10), key.saddr, ns), key.daddr, nd);
  store_be32(ip + 12, ns);
  store_be32(ip + 16, nd);
  store_be16(ip + 10, ipc);
  std::uint16_t c = load_be16(l4 + csum_off);
  if (proto != 17 || c != 0) {
    c = csum_adjust32(csum_adjust32(c, key.saddr, ns), key.daddr, nd);
    c = csum_adjust16(csum_adjust16(c, key.sport, nsp), key.dport, ndp);
    if (proto == 17 && c == 0) c = 0xffff;
  }
  store_be16(l4, nsp);
  store_be16(l4 + 2, ndp);
  store_be16(l4 + csum_off, c);
  return true;
}

bool nat_setup(bool every_flow_new) {
  constexpr std::uint32_t kCapacity = 65536;  // IPRewriter's default CAPACITY
  rte_hash_parameters hp{};
  hp.name = "nb_native_nat";
  hp.entries = 2 * kCapacity;
  hp.key_len = sizeof(NatKey);
  hp.hash_func = rte_jhash;
  hp.socket_id = SOCKET_ID_ANY;
  hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  g_nat.hash = rte_hash_create(&hp);
  if (!g_nat.hash) return false;
  g_nat.flows.assign(kCapacity, NatFlow{});
  for (std::uint32_t i = 0; i < kCapacity; ++i) g_nat.free.push_back(kCapacity - 1 - i);
  g_nat.timeout = every_flow_new ? 0 : rte_get_tsc_hz() * 300;
  return true;
}

// Classifier(12/0806 20/0001, 12/0806 20/0002, 12/0800 23/06 36/0050, 12/0800 23/06 34/0050,
//            12/0800 23/11 36/0035, 12/0800 23/11, 12/0800 23/01, 12/0800 14/4?%f0, 12/86dd, -)
// as a decision tree: the first rule that matches. A clause whose bytes run past the packet's
// end is false (Click's rule).
inline __attribute__((always_inline)) std::uint32_t classify10(const rte_mbuf* m) {
  const std::uint8_t* d = rte_pktmbuf_mtod(m, const std::uint8_t*);
  const std::uint32_t len = m->data_len;
  if (len < 14) return 9;
  const std::uint16_t type = load_be16(d + 12);
  if (type == 0x0800) {
    if (len >= 24) {
      const std::uint8_t proto = d[23];
      if (proto == 0x06) {
        if (len >= 38 && load_be16(d + 36) == 0x0050) return 2;
        if (len >= 36 && load_be16(d + 34) == 0x0050) return 3;
      } else if (proto == 0x11) {
        if (len >= 38 && load_be16(d + 36) == 0x0035) return 4;
        return 5;
      } else if (proto == 0x01) {
        return 6;
      }
    }
    if (len >= 15 && (d[14] & 0xf0) == 0x40) return 7;
    return 9;
  }
  if (type == 0x0806) {
    if (len >= 22) {
      const std::uint16_t op = load_be16(d + 20);
      if (op == 0x0001) return 0;
      if (op == 0x0002) return 1;
    }
    return 9;
  }
  if (type == 0x86dd) return 8;
  return 9;
}

// firewall: Strip(14) -> CheckIPHeader(CHECKSUM false) -> IPFilter(100 deny rules, allow all)
// -> Unstrip(14), with the rules in a table scanned one by one for each packet: the naive
// linear-scan ACL that nb's compiled IPFilter is measured against. Rule i (as nbbench writes it):
//   i % 4 == 0: deny src net 172.16.i.0/24 and tcp dst port 1000+i
//   i % 4 == 1: deny dst host 192.168.i.1 and udp
//   i % 4 == 2: deny tcp src net 10.i.0.0/16 and dst port 22
//   i % 4 == 3: deny udp dst port 2000+i
// A port test needs a TCP/UDP datagram, unfragmented or a first fragment, with the port's bytes
// inside the datagram (IPFilter's semantics).
struct AclRule {
  std::uint32_t src, src_mask, dst, dst_mask;
  std::uint8_t proto;  // 0: any
  bool port;           // the rule tests the destination port
  std::uint16_t dport_lo, dport_hi;
};
constexpr std::uint32_t kAclRules = 100;
AclRule g_acl[kAclRules];

void make_acl() {
  auto ip = [](std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) { return a << 24 | b << 16 | c << 8 | d; };
  for (std::uint32_t i = 0; i < kAclRules; ++i) {
    AclRule r{};
    switch (i % 4) {
      case 0: r = {ip(172, 16, i, 0), 0xffffff00u, 0, 0, 6, true, static_cast<std::uint16_t>(1000 + i), static_cast<std::uint16_t>(1000 + i)}; break;
      case 1: r = {0, 0, ip(192, 168, i, 1), 0xffffffffu, 17, false, 0, 0}; break;
      case 2: r = {ip(10, i, 0, 0), 0xffff0000u, 0, 0, 6, true, 22, 22}; break;
      default: r = {0, 0, 0, 0, 17, true, static_cast<std::uint16_t>(2000 + i), static_cast<std::uint16_t>(2000 + i)}; break;
    }
    g_acl[i] = r;
  }
}

// kRules = 0 is firewall-base: the same header checks and field extraction with no rule, so that
// firewall - firewall-base is what the scan of the rules alone costs.
template <std::uint32_t kRules>
inline __attribute__((always_inline)) bool firewall_nf(rte_mbuf* m, std::uint64_t& bad, std::uint64_t& denied) {
  const std::uint8_t* const frame = rte_pktmbuf_mtod(m, const std::uint8_t*);
  const std::uint32_t len = m->data_len;
  if (unlikely(len < kEther)) return false;  // Strip(14)
  const std::uint8_t* ip = frame + kEther;
  const std::uint32_t avail = len - kEther;
  // CheckIPHeader(CHECKSUM false).
  if (unlikely(avail < 20)) return ++bad, false;
  const std::uint8_t vihl = ip[0];
  if (unlikely((vihl >> 4) != 4)) return ++bad, false;
  const std::uint32_t hlen = (vihl & 0x0fu) * 4u;
  if (unlikely(hlen < 20 || hlen > avail)) return ++bad, false;
  const std::uint32_t total = load_be16(ip + 2);
  if (unlikely(total < hlen || total > avail)) return ++bad, false;
  if (total < avail) {
    const std::uint32_t trim = avail - total;
    m->data_len = static_cast<std::uint16_t>(m->data_len - trim);
    m->pkt_len -= trim;
  }
  // The packet's 5-tuple fields.
  std::uint32_t src, dst;
  std::memcpy(&src, ip + 12, 4);
  std::memcpy(&dst, ip + 16, 4);
  src = rte_be_to_cpu_32(src);
  dst = rte_be_to_cpu_32(dst);
  const std::uint8_t proto = ip[9];
  const bool later_fragment = (load_be16(ip + 6) & 0x1fff) != 0;
  const bool has_port = !later_fragment && (proto == 6 || proto == 17) && total - hlen >= 4;
  const std::uint16_t dport = has_port ? load_be16(ip + hlen + 2) : 0;
  // The linear scan: the first rule that matches decides (all rules deny; then allow all).
  for (std::uint32_t i = 0; i < kRules; ++i) {
    const AclRule& r = g_acl[i];
    if ((src & r.src_mask) == r.src && (dst & r.dst_mask) == r.dst && (r.proto == 0 || r.proto == proto) &&
        (!r.port || (has_port && dport >= r.dport_lo && dport <= r.dport_hi)))
      return ++denied, false;
  }
  return true;
}

// ids: Strip(14) -> SignatureMatcher(rules, PAYLOAD_ONLY true) with both outputs -> Unstrip(14):
// the IPv4 TCP/UDP payload (up to the IP total length or the end of the data) scanned with
// Hyperscan's hs_scan against one block-mode database of the signatures nbbench writes to
// ids.rules (kept in step with tools/bench/main.cpp's ids_rules()):
//   20 literals "nb-bench-sig-NN" and 5 caseless regexes /evil[0-9]{K}x/ with K = 2..6,
// each with HS_FLAG_SINGLEMATCH. Packets no signature matches and alerts both go out; malformed
// ones are dropped (SignatureMatcher's semantics); a zero-length payload is not scanned.
hs_database_t* g_hs_db = nullptr;
hs_scratch_t* g_hs_scratch = nullptr;

void make_ids() {
  std::vector<std::string> exprs;
  std::vector<unsigned> flags, ids;
  for (int i = 0; i < 20; ++i) {
    char lit[32];
    std::snprintf(lit, sizeof lit, "nb-bench-sig-%02d", i);
    std::string e;
    for (const char* c = lit; *c; ++c) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(*c));
      e += hex;
    }
    exprs.push_back(e);
    flags.push_back(HS_FLAG_SINGLEMATCH);
  }
  for (int k = 2; k <= 6; ++k) {
    exprs.push_back("evil[0-9]{" + std::to_string(k) + "}x");
    flags.push_back(HS_FLAG_SINGLEMATCH | HS_FLAG_CASELESS);
  }
  std::vector<const char*> ptrs;
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    ptrs.push_back(exprs[i].c_str());
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ptrs.size()), HS_MODE_BLOCK,
                       nullptr, &g_hs_db, &err) != HS_SUCCESS) {
    std::fprintf(stderr, "nb-bench-native: hs_compile_multi: %s\n", err && err->message ? err->message : "?");
    std::exit(1);
  }
  if (hs_alloc_scratch(g_hs_db, &g_hs_scratch) != HS_SUCCESS) {
    std::fprintf(stderr, "nb-bench-native: hs_alloc_scratch failed\n");
    std::exit(1);
  }
}

int ids_on_match(unsigned int id, unsigned long long, unsigned long long, unsigned int, void* ctx) {
  ++static_cast<std::uint64_t*>(ctx)[id < 9 ? id : 9];
  return 0;
}

// Returns false for packets to drop; counts alerts in `alerts`, per-signature hits in `hits`.
inline __attribute__((always_inline)) bool ids_nf(rte_mbuf* m, std::uint64_t& bad, std::uint64_t& alerts,
                                                   std::uint64_t* hits) {
  const std::uint8_t* const frame = rte_pktmbuf_mtod(m, const std::uint8_t*);
  const std::uint32_t len = m->data_len;
  if (unlikely(len < kEther + 20)) return ++bad, false;
  const std::uint8_t* ip = frame + kEther;
  const std::uint32_t avail = len - kEther;
  const std::uint32_t hlen = (ip[0] & 0x0fu) * 4u;
  const std::uint32_t total = load_be16(ip + 2);
  if (unlikely((ip[0] >> 4) != 4 || hlen < 20 || hlen > avail || total < hlen)) return ++bad, false;
  const std::uint32_t end = total < avail ? total : avail;
  std::uint32_t payload = hlen;
  const bool first = (load_be16(ip + 6) & 0x1fff) == 0;
  if (first && ip[9] == 6) {
    if (unlikely(hlen + 20 > avail)) return ++bad, false;
    const std::uint32_t th = (ip[hlen + 12] >> 4) * 4u;
    if (unlikely(th < 20 || hlen + th > end)) return ++bad, false;
    payload = hlen + th;
  } else if (first && ip[9] == 17) {
    if (unlikely(hlen + 8 > end)) return ++bad, false;
    payload = hlen + 8;
  }
  if (payload == end) return true;  // nothing to scan: clean
  std::uint64_t before = 0;
  for (int i = 0; i < 10; ++i) before += hits[i];
  if (unlikely(hs_scan(g_hs_db, reinterpret_cast<const char*>(ip + payload), end - payload, 0, g_hs_scratch,
                       ids_on_match, hits) != HS_SUCCESS))
    return ++bad, false;
  std::uint64_t after = 0;
  for (int i = 0; i < 10; ++i) after += hits[i];
  alerts += after != before;
  return true;
}

// ---------------------------------------------------------------------------------------------
// maglev and monitor: CheckIPHeader(14, CHECKSUM false) then, written out by hand, what MaglevLB
// (8 backends, CACHE_SIZE 128) or FlowMonitor (CAPACITY 65536) do: the 5-tuple hashed with
// rte_jhash_3words, Maglev's permutation table of 65537 entries, a 4-way set-associative flow
// cache, the destination rewritten with incremental IP and TCP/UDP checksum updates; or an
// open-addressing table of per-flow packet and byte counters.

// CheckIPHeader(14, CHECKSUM false) and the 5-tuple. Returns the IP header, or null to drop.
struct Tuple {
  std::uint32_t src, dst, ports, proto;
  bool operator==(const Tuple&) const = default;
};
inline __attribute__((always_inline)) std::uint8_t* check_tuple(rte_mbuf* m, Tuple& t, std::uint32_t& l4, std::uint64_t& bad) {
  std::uint8_t* const frame = rte_pktmbuf_mtod(m, std::uint8_t*);
  const std::uint32_t len = m->data_len;
  if (unlikely(len < kEther + 20)) return ++bad, nullptr;
  std::uint8_t* ip = frame + kEther;
  const std::uint32_t avail = len - kEther;
  const std::uint8_t vihl = ip[0];
  if (unlikely((vihl >> 4) != 4)) return ++bad, nullptr;
  const std::uint32_t hlen = (vihl & 0x0fu) * 4u;
  if (unlikely(hlen < 20 || hlen > avail)) return ++bad, nullptr;
  const std::uint32_t total = load_be16(ip + 2);
  if (unlikely(total < hlen || total > avail)) return ++bad, nullptr;
  if (total < avail) {
    const std::uint32_t trim = avail - total;
    m->data_len = static_cast<std::uint16_t>(m->data_len - trim);
    m->pkt_len -= trim;
  }
  std::memcpy(&t.src, ip + 12, 4);
  std::memcpy(&t.dst, ip + 16, 4);
  t.src = rte_be_to_cpu_32(t.src);
  t.dst = rte_be_to_cpu_32(t.dst);
  t.proto = ip[9] ? ip[9] : 256;
  t.ports = 0;
  l4 = 0;
  const bool fragment = (load_be16(ip + 6) & 0x3fff) != 0;
  if (!fragment && ((ip[9] == 6 && total >= hlen + 20) || (ip[9] == 17 && total >= hlen + 8))) {
    std::uint32_t p;
    std::memcpy(&p, ip + hlen, 4);
    t.ports = rte_be_to_cpu_32(p);
    l4 = hlen;
  }
  return ip;
}

constexpr std::uint32_t kMaglevM = 65537, kMaglevBackends = 8, kCacheBuckets = 32;  // 128 flows
std::uint16_t g_maglev[kMaglevM];
std::uint32_t g_backends[kMaglevBackends];
struct CacheEntry {
  Tuple t;
  std::uint32_t backend;
};
CacheEntry g_cache[kCacheBuckets * 4];
std::uint32_t g_clock;

void make_maglev() {
  std::uint32_t offset[kMaglevBackends], skip[kMaglevBackends], next[kMaglevBackends] = {};
  for (std::uint32_t i = 0; i < kMaglevBackends; ++i) {
    g_backends[i] = 0x0a020001u + i;  // 10.2.0.1 ..
    const std::uint8_t name[4] = {10, 2, 0, static_cast<std::uint8_t>(1 + i)};
    offset[i] = rte_jhash(name, 4, 0x6d61676cu) % kMaglevM;
    skip[i] = rte_jhash(name, 4, 0x65763031u) % (kMaglevM - 1) + 1;
  }
  for (auto& e : g_maglev) e = 0xffff;
  for (std::uint32_t filled = 0; filled < kMaglevM;)
    for (std::uint32_t i = 0; i < kMaglevBackends && filled < kMaglevM; ++i) {
      std::uint32_t c;
      do c = static_cast<std::uint32_t>((offset[i] + std::uint64_t{next[i]++} * skip[i]) % kMaglevM);
      while (g_maglev[c] != 0xffff);
      g_maglev[c] = static_cast<std::uint16_t>(i);
      ++filled;
    }
}

// csum_adjust32 and store_be16: shared with the NAT workload above.

inline __attribute__((always_inline)) bool maglev_nf(rte_mbuf* m, std::uint64_t& bad, std::uint64_t& new_flows) {
  Tuple t;
  std::uint32_t l4;
  std::uint8_t* ip = check_tuple(m, t, l4, bad);
  if (unlikely(!ip)) return false;
  const std::uint32_t h = rte_jhash_3words(t.src, t.dst, t.ports, t.proto);
  CacheEntry* b = g_cache + (h & (kCacheBuckets - 1)) * 4;
  std::uint32_t backend = 0xffff;
  for (std::uint32_t w = 0; w < 4; ++w)
    if (b[w].t == t) backend = b[w].backend;
  if (backend == 0xffff) {
    ++new_flows;
    backend = g_maglev[h % kMaglevM];
    std::uint32_t w = 0;
    while (w < 4 && b[w].t.proto != 0) ++w;
    b[w < 4 ? w : g_clock++ % 4] = {t, backend};
  }
  const std::uint32_t to = g_backends[backend], to_be = rte_cpu_to_be_32(to);
  std::memcpy(ip + 16, &to_be, 4);
  store_be16(ip + 10, csum_adjust32(load_be16(ip + 10), t.dst, to));
  if (l4 && ip[9] == 6) {
    store_be16(ip + l4 + 16, csum_adjust32(load_be16(ip + l4 + 16), t.dst, to));
  } else if (l4) {
    const std::uint16_t c = load_be16(ip + l4 + 6);
    if (c) {
      const std::uint16_t n = csum_adjust32(c, t.dst, to);
      store_be16(ip + l4 + 6, n ? n : 0xffff);
    }
  }
  return true;
}

constexpr std::uint32_t kMonitorSlots = 65536;
struct FlowCount {
  Tuple t;
  std::uint64_t packets, bytes;
};
FlowCount g_flows[kMonitorSlots];

inline __attribute__((always_inline)) bool monitor_nf(rte_mbuf* m, std::uint64_t& bad, std::uint64_t& overflow) {
  Tuple t;
  std::uint32_t l4;
  if (unlikely(!check_tuple(m, t, l4, bad))) return false;
  const std::uint32_t len = m->data_len;  // after CheckIPHeader's trim, as FlowMonitor sees it
  const std::uint32_t h = rte_jhash_3words(t.src, t.dst, t.ports, t.proto);
  for (std::uint32_t i = 0; i < 32; ++i) {
    FlowCount& f = g_flows[(h + i) & (kMonitorSlots - 1)];
    if (f.t.proto == 0) f.t = t;
    if (f.t == t) {
      ++f.packets;
      f.bytes += len;
      return true;
    }
  }
  ++overflow;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The worker.

struct Worker {
  Workload workload;
  bool once = false;  // the input is finite: stop at its end
  rte_mempool* pool = nullptr;
  std::uint16_t rx_port, tx_port;
  std::uint16_t burst;
  std::uint64_t packets = 0, tx = 0, dropped = 0, cycles = 0;
  double cpu_seconds = 0;  // CPU time the worker thread got: less than cycles / tsc_hz when preempted
  std::uint64_t bad = 0, expired = 0;
  std::uint64_t hits[10] = {};
};

// Sends `n` packets, retrying a bounded number of times like nbrun; frees what is left.
inline void send(Worker& w, rte_mbuf** pkts, std::uint16_t n) {
  std::uint16_t sent = 0;
  for (unsigned tries = 0; sent < n && tries <= kTxRetries; ++tries)
    sent = static_cast<std::uint16_t>(sent + rte_eth_tx_burst(w.tx_port, 0, pkts + sent, n - sent));
  w.tx += sent;
  if (unlikely(sent < n)) {
    rte_pktmbuf_free_bulk(pkts + sent, n - sent);
    w.dropped += n - sent;
  }
}

template <Workload W>
void loop(Worker& w) {
  rte_mbuf* pkts[64];
  rte_mbuf* out[64];
  rte_mbuf* drop[64];
  std::uint64_t received = 0, bad = 0, expired = 0, dropped = 0;
  std::uint64_t hits[10] = {};
  while (!g_stop.load(std::memory_order_relaxed)) {
    const std::uint16_t n = rte_eth_rx_burst(w.rx_port, 0, pkts, w.burst);
    if (n == 0) {
      // A pcap file at its end returns nothing; so does an empty mempool (as nbrun decides).
      if (w.once && rte_mempool_avail_count(w.pool) >= 2u * w.burst) break;
      continue;
    }
    received += n;
    if constexpr (W == Workload::Fwd) {
      send(w, pkts, n);
    } else {
      std::uint16_t nout = 0, ndrop = 0;
      for (std::uint16_t i = 0; i < n; ++i) {
        rte_mbuf* m = pkts[i];
        bool keep;
        if constexpr (W == Workload::Ttl) {
          keep = ttl_nf(m, bad, expired);
        } else if constexpr (W == Workload::Firewall) {
          keep = firewall_nf<kAclRules>(m, bad, expired);  // "expired" carries the denied count
        } else if constexpr (W == Workload::FirewallBase) {
          keep = firewall_nf<0>(m, bad, expired);
        } else if constexpr (W == Workload::Nat || W == Workload::NatNew) {
          keep = nat_nf(m, bad, expired);  // "expired" carries the NAT's drops
        } else if constexpr (W == Workload::Maglev) {
          keep = maglev_nf(m, bad, expired);  // "expired" carries the new flows
        } else if constexpr (W == Workload::Monitor) {
          keep = monitor_nf(m, bad, expired);  // "expired" carries the overflow
        } else if constexpr (W == Workload::Ids) {
          keep = ids_nf(m, bad, expired, hits);  // "expired" carries the alert count
        } else if constexpr (W == Workload::Chain5) {
          keep = ttl_nf(m, bad, expired) && ttl_nf(m, bad, expired) && ttl_nf(m, bad, expired) &&
                 ttl_nf(m, bad, expired) && ttl_nf(m, bad, expired);
        } else if constexpr (W == Workload::Lpm) {
          // Every output goes to the same port, as in classify.
          const int port = native_lpm::route(g_lpm, m, bad);
          keep = port >= 0;
          ++hits[static_cast<unsigned>(port + 1) % 10];
        } else {
          // Every output goes to the same port; the per-output counters keep the
          // classification (which one matched) from being optimised away.
          ++hits[classify10(m)];
          keep = true;
        }
        // Branch-free compaction of the burst into the packets to send and to free.
        out[nout] = m;
        drop[ndrop] = m;
        nout = static_cast<std::uint16_t>(nout + keep);
        ndrop = static_cast<std::uint16_t>(ndrop + !keep);
      }
      if (nout) send(w, out, nout);
      if (unlikely(ndrop)) {
        rte_pktmbuf_free_bulk(drop, ndrop);
        dropped += ndrop;
      }
    }
  }
  w.packets = received;
  w.bad = bad;
  w.expired = expired;
  w.dropped += dropped;
  for (int i = 0; i < 10; ++i) w.hits[i] = hits[i];
}

int worker_main(void* arg) {
  auto* w = static_cast<Worker*>(arg);
  timespec c0{}, c1{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  const std::uint64_t t0 = rte_rdtsc();
  switch (w->workload) {
    case Workload::Fwd: loop<Workload::Fwd>(*w); break;
    case Workload::Ttl: loop<Workload::Ttl>(*w); break;
    case Workload::Chain5: loop<Workload::Chain5>(*w); break;
    case Workload::Classify: loop<Workload::Classify>(*w); break;
    case Workload::Firewall: loop<Workload::Firewall>(*w); break;
    case Workload::FirewallBase: loop<Workload::FirewallBase>(*w); break;
    case Workload::Lpm: loop<Workload::Lpm>(*w); break;
    case Workload::Nat: loop<Workload::Nat>(*w); break;
    case Workload::NatNew: loop<Workload::NatNew>(*w); break;
    case Workload::Maglev: loop<Workload::Maglev>(*w); break;
    case Workload::Monitor: loop<Workload::Monitor>(*w); break;
    case Workload::Ids: loop<Workload::Ids>(*w); break;
  }
  w->cycles = rte_rdtsc() - t0;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  w->cpu_seconds = static_cast<double>(c1.tv_sec - c0.tv_sec) + static_cast<double>(c1.tv_nsec - c0.tv_nsec) * 1e-9;
  g_done = true;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Set-up, as nbrun does it.

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "nb-bench-native: %s\n"
               "usage: nb-bench-native fwd|ttl|chain5|classify|firewall|firewall-base|lpm|nat|nat-new|maglev|monitor|ids --pcap FILE [--routes FILE] (--duration SECONDS | --once) [--out OUT.pcap] [--burst N] "
               "[-- EAL arguments]\n",
               msg);
  std::exit(2);
}

[[noreturn]] void fail(const std::string& msg) {
  std::fprintf(stderr, "nb-bench-native: error: %s\n", msg.c_str());
  std::exit(1);
}

bool setup_port(std::uint16_t id, std::uint16_t nrx, std::uint16_t ntx, rte_mempool* pool, std::string& err) {
  rte_eth_conf conf{};
  int rc = rte_eth_dev_configure(id, nrx, ntx, &conf);
  if (rc != 0 && (nrx == 0 || ntx == 0)) {  // some drivers want a queue of each kind
    nrx = 1;
    ntx = 1;
    rc = rte_eth_dev_configure(id, nrx, ntx, &conf);
  }
  if (rc != 0) return err = std::string("configure: ") + rte_strerror(-rc), false;
  std::uint16_t rxd = 1024, txd = 1024;  // nbrun's defaults
  rte_eth_dev_adjust_nb_rx_tx_desc(id, &rxd, &txd);
  const int socket = rte_eth_dev_socket_id(id) < 0 ? static_cast<int>(rte_socket_id()) : rte_eth_dev_socket_id(id);
  for (std::uint16_t q = 0; q < nrx; ++q)
    if ((rc = rte_eth_rx_queue_setup(id, q, rxd, static_cast<unsigned>(socket), nullptr, pool)) != 0)
      return err = std::string("rx queue: ") + rte_strerror(-rc), false;
  for (std::uint16_t q = 0; q < ntx; ++q)
    if ((rc = rte_eth_tx_queue_setup(id, q, txd, static_cast<unsigned>(socket), nullptr)) != 0)
      return err = std::string("tx queue: ") + rte_strerror(-rc), false;
  if ((rc = rte_eth_dev_start(id)) != 0) return err = std::string("start: ") + rte_strerror(-rc), false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string workload_name, pcap, out, routes;
  double duration = -1;
  bool once = false;
  long burst = 32;
  std::vector<std::string> eal_user;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--") {
      for (int k = i + 1; k < argc; ++k) eal_user.emplace_back(argv[k]);
      break;
    } else if (a == "-h" || a == "--help") {
      std::printf(
          "nb-bench-native - hand-written DPDK baseline for nbbench (no nb code).\n"
          "usage: nb-bench-native fwd|ttl|chain5|classify|firewall|firewall-base|lpm|nat|nat-new|maglev|monitor|ids --pcap FILE [--routes FILE] (--duration SECONDS | --once) [--out OUT.pcap] [--burst N] "
          "[-- EAL arguments]\n"
          "Reads FILE through net_pcap (infinite_rx=1), sends to net_null0, one worker core.\n"
          "--once: read FILE once and stop at its end; --out OUT.pcap: send there instead of net_null0.\n"
          "Prints {\"workload\",\"packets\",\"tx\",\"dropped\",\"cycles\",\"tsc_hz\",\"seconds\"} as JSON.\n");
      return 0;
    } else if (a == "--pcap") {
      pcap = value();
    } else if (a == "--routes") {
      routes = value();
    } else if (a == "--out") {
      out = value();
    } else if (a == "--once") {
      once = true;
    } else if (a == "--duration") {
      char* end = nullptr;
      std::string v = value();
      duration = std::strtod(v.c_str(), &end);
      if (*end || duration <= 0) usage("--duration wants a positive number of seconds");
    } else if (a == "--burst") {
      char* end = nullptr;
      std::string v = value();
      burst = std::strtol(v.c_str(), &end, 10);
      if (*end || burst < 1 || burst > 64) usage("--burst wants 1..64");
    } else if (!a.empty() && a[0] == '-') {
      usage(("unknown option " + a).c_str());
    } else if (workload_name.empty()) {
      workload_name = a;
    } else {
      usage("one workload only");
    }
  }
  Workload workload;
  if (workload_name == "fwd") workload = Workload::Fwd;
  else if (workload_name == "ttl") workload = Workload::Ttl;
  else if (workload_name == "chain5") workload = Workload::Chain5;
  else if (workload_name == "classify") workload = Workload::Classify;
  else if (workload_name == "firewall") workload = Workload::Firewall;
  else if (workload_name == "firewall-base") workload = Workload::FirewallBase;
  else if (workload_name == "lpm") workload = Workload::Lpm;
  else if (workload_name == "nat") workload = Workload::Nat;
  else if (workload_name == "nat-new") workload = Workload::NatNew;
  else if (workload_name == "maglev") workload = Workload::Maglev;
  else if (workload_name == "monitor") workload = Workload::Monitor;
  else if (workload_name == "ids") workload = Workload::Ids;
  else usage(workload_name.empty() ? "no workload given" : ("unknown workload " + workload_name).c_str());
  if (pcap.empty()) usage("--pcap FILE is required");
  if (workload == Workload::Lpm && routes.empty()) usage("lpm needs --routes FILE");
  if (duration <= 0 && !once) usage("--duration SECONDS is required (or --once)");
  if (pcap.find(',') != std::string::npos || out.find(',') != std::string::npos)
    usage("pcap file names cannot contain ','");
  if (FILE* f = std::fopen(pcap.c_str(), "rb")) std::fclose(f);
  else fail("cannot open " + pcap + ": " + std::strerror(errno));

  // EAL exactly as nbrun's embedded default.
  std::vector<std::string> args{"nb-bench-native"};
  bool has_prefix = false;
  for (const std::string& a : eal_user) has_prefix |= a.rfind("--file-prefix", 0) == 0;
  if (eal_user.empty()) {
    const bool two = std::thread::hardware_concurrency() >= 2;
    args.insert(args.end(), {"-l", two ? "0-1" : "0", "--no-huge", "-m", "512", "--no-pci", "--no-telemetry",
                             "--log-level=*:warning"});
  } else {
    args.insert(args.end(), eal_user.begin(), eal_user.end());
  }
  if (!has_prefix) args.push_back("--file-prefix=nb-native-" + std::to_string(getpid()));
  std::vector<char*> argv_eal;
  for (std::string& a : args) argv_eal.push_back(a.data());
  argv_eal.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(args.size()), argv_eal.data()) < 0)
    fail(std::string("DPDK initialisation failed: ") + rte_strerror(rte_errno));

  // The same pool nbrun makes for one rx and one tx port with 1024 descriptors each:
  // 2048 + 2 * (1024 + 64) rounded up to 2^k - 1, and like nbrun's no private area. (A 32-byte
  // one, left from when nbrun kept annotations there, put every frame's data 32 bytes off a cache
  // line, so a 64-byte frame straddled two: net_pcap's copy cost this program about 8 cycles per
  // packet that nbrun does not pay.)
  rte_mempool* pool = rte_pktmbuf_pool_create("nb_native_mbufs", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                              static_cast<int>(rte_socket_id()));
  if (!pool) fail(std::string("cannot allocate the mempool: ") + rte_strerror(rte_errno));

  const std::string pcap_args = "rx_pcap=" + pcap + (once ? "" : ",infinite_rx=1");
  if (rte_vdev_init("net_pcap0", pcap_args.c_str()) != 0) fail("cannot create net_pcap0 for " + pcap);
  const char* tx_name = out.empty() ? "net_null0" : "net_pcap1";
  if (rte_vdev_init(tx_name, out.empty() ? "" : ("tx_pcap=" + out).c_str()) != 0)
    fail(std::string("cannot create ") + tx_name);
  std::uint16_t rx_port, tx_port;
  if (rte_eth_dev_get_port_by_name("net_pcap0", &rx_port) != 0 || rte_eth_dev_get_port_by_name(tx_name, &tx_port) != 0)
    fail("the virtual devices have no ports");
  std::string err;
  if (!setup_port(rx_port, 1, 0, pool, err)) fail("net_pcap0: " + err);
  if (!setup_port(tx_port, 0, 1, pool, err)) fail(std::string(tx_name) + ": " + err);
  if ((workload == Workload::Nat || workload == Workload::NatNew) && !nat_setup(workload == Workload::NatNew))
    fail(std::string("rte_hash_create: ") + rte_strerror(rte_errno));

  make_acl();
  if (workload == Workload::Lpm) {
    std::string lpm_err;
    if (!native_lpm::load(routes, g_lpm, lpm_err)) fail(lpm_err);
  }
  make_maglev();
  if (workload == Workload::Ids) make_ids();
  Worker w;
  w.workload = workload;
  w.rx_port = rx_port;
  w.tx_port = tx_port;
  w.burst = static_cast<std::uint16_t>(burst);
  w.once = once;
  w.pool = pool;

  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  const unsigned worker_lcore = rte_get_next_lcore(-1, 1, 0);
  if (worker_lcore < RTE_MAX_LCORE) {
    rte_eal_remote_launch(worker_main, &w, worker_lcore);
    while ((once || elapsed() < duration) && !g_done.load())
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    g_stop = true;
    rte_eal_wait_lcore(worker_lcore);
  } else {
    std::thread timer([&] {
      while (!g_done.load() && (once || elapsed() < duration)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      g_stop = true;
    });
    worker_main(&w);
    timer.join();
  }
  const double seconds = elapsed();

  std::printf("{\"workload\": \"%s\", \"packets\": %" PRIu64 ", \"tx\": %" PRIu64 ", \"dropped\": %" PRIu64
              ", \"cycles\": %" PRIu64 ", \"tsc_hz\": %" PRIu64 ", \"seconds\": %.6f, \"cpu_seconds\": %.6f, \"bad\": %" PRIu64
              ", \"expired\": %" PRIu64 ", \"hits\": [",
              workload_name.c_str(), w.packets, w.tx, w.dropped, w.cycles, rte_get_tsc_hz(), seconds, w.cpu_seconds, w.bad,
              w.expired);
  for (int i = 0; i < 10; ++i) std::printf("%s%" PRIu64, i ? ", " : "", w.hits[i]);
  std::printf("]}\n");
  std::fflush(stdout);

  rte_eth_dev_stop(rx_port);
  rte_eth_dev_stop(tx_port);
  rte_eth_dev_close(rx_port);
  rte_eth_dev_close(tx_port);
  rte_mempool_free(pool);
  // EAL leaves its runtime directory (some 6 MB of fbarrays with --no-huge) behind; this one is
  // ours alone (the prefix holds our pid).
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  rte_eal_cleanup();
  if (!has_prefix) {
    std::error_code ec;
    std::filesystem::remove_all(runtime_dir, ec);
  }
  return 0;
}

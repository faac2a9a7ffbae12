// nb-bench-native: the baseline nbbench compares nb's engines with. A hand-written DPDK program
// doing the same per-packet work as nb's elements, the way one would write it without nb: one
// run-to-completion loop, rx_burst -> straight-line per-packet code -> tx_burst, no function
// pointers, no per-packet metadata. It uses no nb code at all.
//
//   nb-bench-native WORKLOAD --pcap FILE --duration SECONDS [--burst N] [-- EAL arguments]
//   nb-bench-native WORKLOAD --pcap FILE --once --out OUT.pcap      (to check it against nb)
//
// WORKLOAD is fwd, ttl, chain5, classify, firewall or ids (see docs/performance.md). The ports are those
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
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

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

enum class Workload { Fwd, Ttl, Chain5, Classify, Firewall, Ids };

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
  for (std::uint32_t i = 0; i < kAclRules; ++i) {
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
          keep = firewall_nf(m, bad, expired);  // "expired" carries the denied count
        } else if constexpr (W == Workload::Ids) {
          keep = ids_nf(m, bad, expired, hits);  // "expired" carries the alert count
        } else if constexpr (W == Workload::Chain5) {
          keep = ttl_nf(m, bad, expired) && ttl_nf(m, bad, expired) && ttl_nf(m, bad, expired) &&
                 ttl_nf(m, bad, expired) && ttl_nf(m, bad, expired);
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
               "usage: nb-bench-native fwd|ttl|chain5|classify|firewall|ids --pcap FILE (--duration SECONDS | --once) [--out OUT.pcap] [--burst N] "
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
  std::string workload_name, pcap, out;
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
          "usage: nb-bench-native fwd|ttl|chain5|classify|firewall|ids --pcap FILE (--duration SECONDS | --once) [--out OUT.pcap] [--burst N] "
          "[-- EAL arguments]\n"
          "Reads FILE through net_pcap (infinite_rx=1), sends to net_null0, one worker core.\n"
          "--once: read FILE once and stop at its end; --out OUT.pcap: send there instead of net_null0.\n"
          "Prints {\"workload\",\"packets\",\"tx\",\"dropped\",\"cycles\",\"tsc_hz\",\"seconds\"} as JSON.\n");
      return 0;
    } else if (a == "--pcap") {
      pcap = value();
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
  else if (workload_name == "ids") workload = Workload::Ids;
  else usage(workload_name.empty() ? "no workload given" : ("unknown workload " + workload_name).c_str());
  if (pcap.empty()) usage("--pcap FILE is required");
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
  // 2048 + 2 * (1024 + 64) rounded up to 2^k - 1.
  rte_mempool* pool = rte_pktmbuf_pool_create("nb_native_mbufs", 8191, 256, 32, RTE_MBUF_DEFAULT_BUF_SIZE,
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

  make_acl();
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

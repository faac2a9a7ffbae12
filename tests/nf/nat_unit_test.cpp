// IPRewriter's mapping logic, run natively on real DPDK memory: EAL (no hugepages) for rte_hash,
// a real mbuf mempool, the element's own configure/setup/push/transfer/teardown.
//   - random TCP/UDP packets: the rewritten IP and TCP/UDP checksums equal a full recomputation,
//     and replies are translated back to the original tuple;
//   - port range exhaustion, and a port freed by expiry is reused;
//   - idle timeouts, lazily on lookup and by the sweep (the timeout in TSC ticks set in State);
//   - transfer into a new table keeps every mapping;
//   - FTPPortMapper: PORT parsing, the command rewritten to another length, TCPRewriter's
//     sequence-number deltas on both directions (SACK too), malformed commands, transfer.
#include "../../elements/ip/ftp_port_mapper.hpp"
#include "../../elements/ip/icmp_rewriter.hpp"
#include "../../elements/ip/ip_rewriter.hpp"
#include "../../elements/ip/rewriter.hpp"

#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

rte_mempool* g_pool = nullptr;

void eal_once() {
  static bool done = false;
  if (done) return;
  done = true;
  std::string prefix = "--file-prefix=nb-natunit-" + std::to_string(getpid());
  std::vector<std::string> args{"nb_nat_unit", "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
                                "--log-level=*:error", prefix};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  REQUIRE(rte_eal_init(static_cast<int>(argv.size()), argv.data()) >= 0);
  std::atexit([] {
    rte_eal_cleanup();
    std::error_code ec;
    std::filesystem::remove_all("/var/run/dpdk/nb-natunit-" + std::to_string(getpid()), ec);
  });
  // A private area for the annotations, as nbrun's pool has.
  g_pool = rte_pktmbuf_pool_create("nat_unit", 1023, 0, 64, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  REQUIRE(g_pool != nullptr);
}

struct Nat {
  IPRewriter::Config config{};
  IPRewriter::State state{};
  explicit Nat(const Configured& args, decltype(&IPRewriter::configure) configure = &IPRewriter::configure) {
    eal_once();
    std::string error;
    REQUIRE(configure(args.args(), config, error));
    INFO(error);
    REQUIRE(IPRewriter::setup(config, state, error));
  }
  ~Nat() { IPRewriter::teardown(config, state); }
  Nat(const Nat&) = delete;
  Nat& operator=(const Nat&) = delete;
};

std::uint16_t fold_sum(const std::uint8_t* d, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += std::uint32_t{d[i]} << 8 | d[i + 1];
  if (n & 1) sum += std::uint32_t{d[n - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}
std::uint32_t be32(const Bytes& b, std::size_t o) {
  return std::uint32_t{b[o]} << 24 | std::uint32_t{b[o + 1]} << 16 | std::uint32_t{b[o + 2]} << 8 | b[o + 3];
}
std::uint16_t be16(const Bytes& b, std::size_t o) { return static_cast<std::uint16_t>(b[o] << 8 | b[o + 1]); }
void put16(Bytes& b, std::size_t o, std::uint16_t v) {
  b[o] = static_cast<std::uint8_t>(v >> 8);
  b[o + 1] = static_cast<std::uint8_t>(v);
}
void put32(Bytes& b, std::size_t o, std::uint32_t v) {
  put16(b, o, static_cast<std::uint16_t>(v >> 16));
  put16(b, o + 2, static_cast<std::uint16_t>(v));
}
// The L4 checksum over the pseudo header, computed from scratch (0 when correct... as a fold).
std::uint16_t l4_verify(const Bytes& p) {
  const std::size_t l4len = p.size() - 20;
  std::uint32_t sum = (be32(p, 12) >> 16) + (be32(p, 12) & 0xffff) + (be32(p, 16) >> 16) + (be32(p, 16) & 0xffff) +
                      p[9] + static_cast<std::uint32_t>(l4len);
  return fold_sum(p.data() + 20, l4len, sum);
}

// An IPv4 packet (no options) with valid checksums; UDP checksum 0 when zero_udp.
Bytes make_packet(std::uint8_t proto, std::uint32_t s, std::uint16_t sp, std::uint32_t d, std::uint16_t dp,
                  const Bytes& payload, bool zero_udp = false) {
  const std::size_t l4h = proto == 6 ? 20 : 8;
  Bytes p(20 + l4h + payload.size(), 0);
  p[0] = 0x45;
  put16(p, 2, static_cast<std::uint16_t>(p.size()));
  p[8] = 64;
  p[9] = proto;
  put32(p, 12, s);
  put32(p, 16, d);
  put16(p, 10, static_cast<std::uint16_t>(~fold_sum(p.data(), 20)));
  put16(p, 20, sp);
  put16(p, 22, dp);
  if (proto == 6) {
    p[32] = 0x50;
    p[33] = 0x18;
  } else {
    put16(p, 24, static_cast<std::uint16_t>(8 + payload.size()));
  }
  // memcpy's source must not be null even for zero bytes (an empty vector's data() may be).
  if (!payload.empty()) std::memcpy(p.data() + 20 + l4h, payload.data(), payload.size());
  if (!(proto == 17 && zero_udp)) {
    std::uint16_t c = static_cast<std::uint16_t>(~l4_verify(p));
    if (proto == 17 && c == 0) c = 0xffff;
    put16(p, proto == 6 ? 36 : 26, c);
  }
  return p;
}

struct Result {
  bool sent = false;
  std::uint32_t port = 0;  // output, or drop reason
  Bytes data;
};

Result push(Nat& nat, std::uint32_t in_port, const Bytes& bytes) {
  rte_mbuf* m = rte_pktmbuf_alloc(g_pool);
  REQUIRE(m != nullptr);
  char* d = rte_pktmbuf_append(m, static_cast<std::uint16_t>(bytes.size()));
  REQUIRE(d != nullptr);
  if (!bytes.empty()) std::memcpy(d, bytes.data(), bytes.size());  // a null source is UB even for 0 bytes
  new (anno_of(m)) PacketAnno{};  // no IP header annotation: the packet starts with its IP header
  Context ctx(4, nullptr);
  detail::push<IPRewriter>(&nat.config, &nat.state, ctx, in_port, m);
  Result r;
  REQUIRE(ctx.emit_count() + ctx.drop_count() == 1);
  rte_mbuf* out = nullptr;
  if (ctx.emit_count() == 1) {
    r.sent = true;
    r.port = ctx.emit(0).port;
    out = ctx.emit(0).mbuf;
  } else {
    r.port = ctx.dropped(0).reason;
    out = ctx.dropped(0).mbuf;
  }
  const auto* od = rte_pktmbuf_mtod(out, const std::uint8_t*);
  r.data.assign(od, od + out->data_len);
  rte_pktmbuf_free(out);
  return r;
}

constexpr std::uint32_t kNat = 0xc0000201;  // 192.0.2.1

}  // namespace

TEST_CASE("IPRewriter: random flows, checksums equal a full recomputation, replies come back", "[nat]") {
  Nat nat(Configured("IPRewriter(pattern 192.0.2.1 50000-59999 - - 0 1, drop, CAPACITY 4096)", 2));
  std::mt19937 rng(42);
  for (int i = 0; i < 400; ++i) {
    const std::uint8_t proto = rng() % 2 ? 6 : 17;
    const std::uint32_t s = 0x0a0a0000u | (rng() & 0xffff), d = rng();
    const auto sp = static_cast<std::uint16_t>(rng()), dp = static_cast<std::uint16_t>(rng());
    Bytes payload(rng() % 200);
    for (auto& b : payload) b = static_cast<std::uint8_t>(rng());
    const bool zero = proto == 17 && rng() % 4 == 0;
    INFO("packet " << i << " proto " << int(proto));
    Result f = push(nat, 0, make_packet(proto, s, sp, d, dp, payload, zero));
    REQUIRE(f.sent);
    CHECK(f.port == 0);
    CHECK(be32(f.data, 12) == kNat);
    CHECK(be32(f.data, 16) == d);
    const std::uint16_t nsp = be16(f.data, 20);
    CHECK(nsp >= 50000);
    CHECK(nsp <= 59999);
    CHECK(be16(f.data, 22) == dp);
    CHECK(fold_sum(f.data.data(), 20) == 0xffff);  // IP header checksum
    if (zero) CHECK(be16(f.data, 26) == 0);
    else CHECK(l4_verify(f.data) == 0xffff);
    // The reply, on input 1.
    Result r = push(nat, 1, make_packet(proto, d, dp, kNat, nsp, payload));
    REQUIRE(r.sent);
    CHECK(r.port == 1);
    CHECK(be32(r.data, 12) == d);
    CHECK(be16(r.data, 20) == dp);
    CHECK(be32(r.data, 16) == s);
    CHECK(be16(r.data, 22) == sp);
    CHECK(fold_sum(r.data.data(), 20) == 0xffff);
    CHECK(l4_verify(r.data) == 0xffff);
  }
  CHECK(nat.state.mapped == 400);
  CHECK(nat.state.reply == 400);
  // An outside packet of no flow: dropped by the `drop` spec.
  Result u = push(nat, 1, make_packet(17, 0x01020304, 53, kNat, 40000, {}));
  CHECK_FALSE(u.sent);
  CHECK(u.port == IPRewriter::kDrops["no mapping"]);
}

TEST_CASE("IPRewriter: port range exhaustion, round-robin, reuse after expiry", "[nat]") {
  Nat nat(Configured("IPRewriter(pattern 192.0.2.1 7000-7003# - - 0 0, CAPACITY 4096)", 1));
  std::vector<std::uint16_t> ports;
  for (std::uint16_t i = 0; i < 4; ++i) {
    Result f = push(nat, 0, make_packet(17, 0x0a0a0002, static_cast<std::uint16_t>(1000 + i), 0x08080808, 53, {1}));
    REQUIRE(f.sent);
    ports.push_back(be16(f.data, 20));
  }
  CHECK(ports == std::vector<std::uint16_t>{7000, 7001, 7002, 7003});
  Result full = push(nat, 0, make_packet(17, 0x0a0a0002, 2000, 0x08080808, 53, {1}));
  CHECK_FALSE(full.sent);
  CHECK(full.port == IPRewriter::kDrops["no free port"]);
  CHECK(nat.state.no_ports == 1);
  // An established flow still passes.
  CHECK(push(nat, 0, make_packet(17, 0x0a0a0002, 1001, 0x08080808, 53, {1})).sent);
  // Every flow expires (timeout 0 ticks): the next new flow gets a port again.
  nat.state.udp_ticks = 0;
  Result again = push(nat, 0, make_packet(17, 0x0a0a0002, 2000, 0x08080808, 53, {1}));
  REQUIRE(again.sent);
  CHECK(be16(again.data, 20) >= 7000);
  CHECK(be16(again.data, 20) <= 7003);
  CHECK(nat.state.expired >= 1);
}

// Click's port choice (IPRewriterPattern): by default the packet's own source port when it is
// in the range and free, else a free port from a random start; `#` sequential; `?` random.
TEST_CASE("IPRewriter: Click's port choice, # and ? suffixes", "[nat][click]") {
  auto ports_of = [](const char* spec, std::uint16_t first_sport, int n) {
    Nat nat(Configured(std::string("IPRewriter(pattern 192.0.2.1 ") + spec + " - - 0 0, CAPACITY 4096)", 1));
    std::vector<std::uint16_t> ports;
    for (int i = 0; i < n; ++i) {
      Result f =
          push(nat, 0, make_packet(17, 0x0a0a0002, static_cast<std::uint16_t>(first_sport + i), 0x08080808, 53, {1}));
      REQUIRE(f.sent);
      ports.push_back(be16(f.data, 20));
    }
    return ports;
  };
  // Default: source ports inside the range are kept; one already taken gets another free one.
  CHECK(ports_of("40000-40999", 40100, 3) == std::vector<std::uint16_t>{40100, 40101, 40102});
  {
    Nat nat(Configured("IPRewriter(pattern 192.0.2.1 40000-40999 - - 0 0, CAPACITY 4096)", 1));
    Result a = push(nat, 0, make_packet(17, 0x0a0a0002, 40500, 0x08080808, 53, {1}));
    Result b = push(nat, 0, make_packet(17, 0x0a0a0003, 40500, 0x08080808, 53, {1}));  // same port, other host
    REQUIRE(a.sent);
    REQUIRE(b.sent);
    CHECK(be16(a.data, 20) == 40500);
    CHECK(be16(b.data, 20) != 40500);
    CHECK(be16(b.data, 20) >= 40000);
    CHECK(be16(b.data, 20) <= 40999);
  }
  // Outside the range: random starts, not the range's first ports in order.
  const auto outside = ports_of("40000-40999", 1000, 8);
  CHECK(outside != std::vector<std::uint16_t>{40000, 40001, 40002, 40003, 40004, 40005, 40006, 40007});
  for (std::uint16_t p : outside) CHECK((p >= 40000 && p <= 40999));
  CHECK(std::set<std::uint16_t>(outside.begin(), outside.end()).size() == outside.size());
  // `#`: sequential from the range's start, even for source ports inside it.
  CHECK(ports_of("40000-40999#", 40100, 3) == std::vector<std::uint16_t>{40000, 40001, 40002});
  // `?`: random, the packet's own port not preferred.
  const auto random = ports_of("40000-40999?", 40100, 8);
  CHECK(random != std::vector<std::uint16_t>{40100, 40101, 40102, 40103, 40104, 40105, 40106, 40107});
  for (std::uint16_t p : random) CHECK((p >= 40000 && p <= 40999));
  // The same traffic picks the same ports in every run (a fixed generator).
  CHECK(ports_of("40000-40999?", 40100, 8) == random);
  ParamError e;
  CHECK_FALSE(IPRewriter::spec.params[0].validate("pattern 192.0.2.1 40000-40999#? - - 0 0", e));
}

TEST_CASE("IPRewriter: idle timeouts, on lookup and by the sweep", "[nat]") {
  Nat nat(Configured("IPRewriter(pattern 192.0.2.1 50000-50999# - - 0 1, drop, CAPACITY 64)", 2));
  for (std::uint16_t i = 0; i < 10; ++i)
    REQUIRE(push(nat, 0, make_packet(17, 0x0a0a0002, static_cast<std::uint16_t>(3000 + i), 0x08080808, 53, {})).sent);
  CHECK(nat.state.flows_active == 10);
  // Within the timeout a reply is translated.
  CHECK(push(nat, 1, make_packet(17, 0x08080808, 53, kNat, 50000, {})).sent);
  // Past it (timeout 0 ticks: any idle time), the reply finds no flow and the flow is gone.
  nat.state.udp_ticks = 0;
  Result late = push(nat, 1, make_packet(17, 0x08080808, 53, kNat, 50001, {}));
  CHECK_FALSE(late.sent);
  CHECK(late.port == IPRewriter::kDrops["no mapping"]);
  CHECK(nat.state.expired >= 1);
  // The sweep (two slots per packet) empties the table under unrelated traffic: packets that
  // are dropped before any lookup (ICMP) still sweep.
  Bytes icmp = make_packet(17, 0x0a0a0002, 1, 0x08080808, 1, {});
  icmp[9] = 1;
  for (int i = 0; i < 40; ++i) CHECK_FALSE(push(nat, 0, icmp).sent);
  CHECK(nat.state.flows_active == 0);
  CHECK(nat.state.expired == 10);
  CHECK(nat.state.nfree == 64);
}

// The idle timeouts are seconds in the arguments and TSC ticks in the State, which the expiry
// (tested above with a UDP flow) compares a flow's idle time against.
TEST_CASE("IPRewriter: TCP_TIMEOUT, TCP_DONE_TIMEOUT and UDP_TIMEOUT set the idle limits", "[nat]") {
  Nat nat(
      Configured("IPRewriter(pattern 192.0.2.1 50000-50999 - - 0 1, drop, CAPACITY 64, UDP_TIMEOUT 5, TCP_TIMEOUT 7, "
                 "TCP_DONE_TIMEOUT 3)",
                 2));
  const std::uint64_t hz = rte_get_tsc_hz();
  CHECK(nat.state.tcp_ticks == 7 * hz);
  CHECK(nat.state.tcp_done_ticks == 3 * hz);
  CHECK(nat.state.udp_ticks == 5 * hz);
}

// Click's time units (issue 18): the timeouts are times, a bare number still seconds.
TEST_CASE("IPRewriter: timeouts take Click's time units", "[nat][click]") {
  Nat nat(
      Configured("IPRewriter(pattern 192.0.2.1 50000-50999 - - 0 1, drop, CAPACITY 64, UDP_TIMEOUT 5min, "
                 "TCP_TIMEOUT 1h, TCP_DONE_TIMEOUT 1500ms)",
                 2));
  const std::uint64_t hz = rte_get_tsc_hz();
  CHECK(nat.config.udp_timeout == 300'000'000);
  CHECK(nat.state.udp_ticks == 300 * hz);
  CHECK(nat.state.tcp_ticks == 3600 * hz);
  CHECK(nat.state.tcp_done_ticks == hz + hz / 2);
  Nat defaults(Configured("IPRewriter(pattern 192.0.2.1 50000-50999 - - 0 1, drop, CAPACITY 64)", 2));
  CHECK(defaults.state.tcp_ticks == 86400 * hz);  // Click's defaults: 24h, 4min, 5min
  CHECK(defaults.state.tcp_done_ticks == 240 * hz);
  CHECK(defaults.state.udp_ticks == 300 * hz);
}

// A mapping outlives a short wait under a long timeout and not a long wait under a short one
// (only lower bounds on the time slept are relied on).
TEST_CASE("IPRewriter: a mapping expires after its UDP_TIMEOUT, not before", "[nat][click]") {
  Nat brief(Configured("IPRewriter(pattern 192.0.2.1 50000-50999# - - 0 1, drop, CAPACITY 64, UDP_TIMEOUT 2ms)", 2));
  Nat lasting(Configured("IPRewriter(pattern 192.0.2.1 50000-50999# - - 0 1, drop, CAPACITY 64, UDP_TIMEOUT 1h)", 2));
  for (Nat* nat : {&brief, &lasting}) {
    Result f = push(*nat, 0, make_packet(17, 0x0a0a0002, 3000, 0x08080808, 53, {}));
    REQUIRE(f.sent);
    REQUIRE(be16(f.data, 20) == 50000);
  }
  usleep(50'000);
  Result late = push(brief, 1, make_packet(17, 0x08080808, 53, kNat, 50000, {}));
  CHECK_FALSE(late.sent);
  CHECK(late.port == IPRewriter::kDrops["no mapping"]);
  CHECK(brief.state.expired == 1);
  Result kept = push(lasting, 1, make_packet(17, 0x08080808, 53, kNat, 50000, {}));
  CHECK(kept.sent);
  CHECK(be16(kept.data, 22) == 3000);
  CHECK(lasting.state.expired == 0);
}

TEST_CASE("IPRewriter: MAPPING_CAPACITY bounds the table as CAPACITY does, with a counted drop", "[nat][click]") {
  Nat nat(Configured("IPRewriter(pattern 192.0.2.1 50000-50999 - - 0 1, drop, MAPPING_CAPACITY 4)", 2));
  CHECK(nat.config.capacity == 4);
  for (std::uint16_t i = 0; i < 4; ++i)
    REQUIRE(push(nat, 0, make_packet(17, 0x0a0a0002, static_cast<std::uint16_t>(3000 + i), 0x08080808, 53, {})).sent);
  Result full = push(nat, 0, make_packet(17, 0x0a0a0002, 4000, 0x08080808, 53, {}));
  CHECK_FALSE(full.sent);
  CHECK(full.port == IPRewriter::kDrops["table full"]);
  CHECK(nat.state.table_full == 1);
  // Established flows still pass.
  CHECK(push(nat, 0, make_packet(17, 0x0a0a0002, 3001, 0x08080808, 53, {})).sent);
  IPRewriter::Config both{};
  std::string error;
  CHECK_FALSE(IPRewriter::configure(
      Configured("IPRewriter(pattern 192.0.2.1 50000-50999 - - 0 1, drop, CAPACITY 8, MAPPING_CAPACITY 4)", 2).args(),
      both, error));
  CHECK(error.find("give one of them") != std::string::npos);
}

TEST_CASE("IPRewriter: CAPACITY flows fit, the next one finds the table full", "[nat]") {
  Nat nat(Configured("IPRewriter(pattern 192.0.2.1 50000-50999 - - 0 1, drop, CAPACITY 16)", 2));
  for (std::uint16_t i = 0; i < 16; ++i)
    REQUIRE(push(nat, 0, make_packet(17, 0x0a0a0002, static_cast<std::uint16_t>(3000 + i), 0x08080808, 53, {})).sent);
  Result full = push(nat, 0, make_packet(17, 0x0a0a0002, 4000, 0x08080808, 53, {}));
  CHECK_FALSE(full.sent);
  CHECK(full.port == IPRewriter::kDrops["table full"]);
  CHECK(nat.state.flows_active == 16);
}

TEST_CASE("IPRewriter: transfer to a new table keeps the mappings", "[nat]") {
  Nat old_nat(Configured("IPRewriter(pattern 192.0.2.1 50000-50999 - - 0 1, drop, CAPACITY 128)", 2));
  std::vector<std::uint16_t> ports;
  for (std::uint16_t i = 0; i < 20; ++i) {
    Result f = push(old_nat, 0, make_packet(6, 0x0a0a0002, static_cast<std::uint16_t>(4000 + i), 0x08080808, 80, {}));
    REQUIRE(f.sent);
    ports.push_back(be16(f.data, 20));
  }
  Nat new_nat(Configured("IPRewriter(pattern 192.0.2.1 50000-50999 - - 0 1, drop, CAPACITY 1024, UDP_TIMEOUT 60)", 2));
  IPRewriter::transfer(old_nat.config, old_nat.state, new_nat.config, new_nat.state);
  CHECK(new_nat.state.flows_active == 20);
  for (std::uint16_t i = 0; i < 20; ++i) {
    Result r = push(new_nat, 1, make_packet(6, 0x08080808, 80, kNat, ports[i], {}));
    REQUIRE(r.sent);
    CHECK(be16(r.data, 22) == 4000 + i);
    Result f = push(new_nat, 0, make_packet(6, 0x0a0a0002, static_cast<std::uint16_t>(4000 + i), 0x08080808, 80, {}));
    REQUIRE(f.sent);
    CHECK(be16(f.data, 20) == ports[i]);
  }
  CHECK(new_nat.state.mapped == 20);  // no new mapping was made
}

TEST_CASE("IPRewriter: malformed packets are dropped, never read past their end", "[nat]") {
  Nat nat(Configured("IPRewriter(pattern 192.0.2.1 50000-50999 - - 0 1, drop, CAPACITY 4096)", 2));
  Bytes tcp = make_packet(6, 0x0a0a0002, 1, 0x08080808, 2, {});
  for (std::size_t n = 0; n < tcp.size(); ++n) {
    Bytes cut(tcp.begin(), tcp.begin() + static_cast<std::ptrdiff_t>(n));
    if (n >= 20) put16(cut, 2, static_cast<std::uint16_t>(n));
    Result r = push(nat, 0, cut);
    INFO("length " << n);
    CHECK_FALSE(r.sent);
    CHECK(r.port == IPRewriter::kDrops["malformed"]);
  }
  CHECK(nat.state.mapped == 0);
}

namespace {
// An ICMP echo (type 8 request, 0 reply) with a valid checksum.
Bytes make_echo(std::uint8_t type, std::uint32_t s, std::uint32_t d, std::uint16_t id, std::uint16_t seq) {
  Bytes p(28 + 4, 0);
  p[0] = 0x45;
  put16(p, 2, static_cast<std::uint16_t>(p.size()));
  p[8] = 64;
  p[9] = 1;
  put32(p, 12, s);
  put32(p, 16, d);
  put16(p, 10, static_cast<std::uint16_t>(~fold_sum(p.data(), 20)));
  p[20] = type;
  put16(p, 24, id);
  put16(p, 26, seq);
  p[28] = 0xab;
  put16(p, 22, static_cast<std::uint16_t>(~fold_sum(p.data() + 20, p.size() - 20)));
  return p;
}
}  // namespace

TEST_CASE("TCPRewriter: IPRewriter's mappings for TCP; UDP passes or drops by the spec", "[nat][click]") {
  Nat nat(Configured("TCPRewriter(pattern 192.0.2.1 50000-50999# - - 0 1, drop)", 2), &TCPRewriter::configure);
  CHECK(nat.config.mode == IPRewriter::Mode::Tcp);
  Result out = push(nat, 0, make_packet(6, 0x0a000002, 1234, 0x08080808, 80, {1, 2, 3}));
  REQUIRE(out.sent);
  CHECK(out.port == 0);
  CHECK(be32(out.data, 12) == kNat);
  CHECK(be16(out.data, 20) == 50000);
  CHECK(fold_sum(out.data.data(), 20) == 0xffff);
  CHECK(l4_verify(out.data) == 0xffff);
  Result back = push(nat, 1, make_packet(6, 0x08080808, 80, kNat, 50000, {}));
  REQUIRE(back.sent);
  CHECK(back.port == 1);
  CHECK(be32(back.data, 16) == 0x0a000002);
  CHECK(be16(back.data, 22) == 1234);
  Result udp = push(nat, 0, make_packet(17, 0x0a000002, 1234, 0x08080808, 53, {}));
  CHECK_FALSE(udp.sent);
  CHECK(udp.port == IPRewriter::kDrops["not TCP"]);
  Nat pass(Configured("TCPRewriter(pass 1)", 2), &TCPRewriter::configure);
  Result passed = push(pass, 0, make_packet(17, 0x0a000002, 1234, 0x08080808, 53, {}));
  CHECK(passed.sent);
  CHECK(passed.port == 1);
}

TEST_CASE("ICMPPingRewriter(SRC, DST): requests get the address and an identifier, replies come back", "[nat][click]") {
  Nat nat(Configured("ICMPPingRewriter(192.0.2.1, -)", 2), &ICMPPingRewriter::configure);
  CHECK(nat.config.mode == IPRewriter::Mode::Ping);
  CHECK(nat.config.nspecs == 1);
  Result req = push(nat, 0, make_echo(8, 0x0a000002, 0x08080808, 77, 1));
  REQUIRE(req.sent);
  CHECK(req.port == 0);
  CHECK(be32(req.data, 12) == kNat);
  CHECK(be32(req.data, 16) == 0x08080808);
  CHECK(be16(req.data, 24) == 77);  // its own identifier was free
  CHECK(fold_sum(req.data.data(), 20) == 0xffff);
  CHECK(fold_sum(req.data.data() + 20, req.data.size() - 20) == 0xffff);
  // A second host with the same identifier to the same destination gets another one.
  Result req2 = push(nat, 0, make_echo(8, 0x0a000003, 0x08080808, 77, 1));
  REQUIRE(req2.sent);
  const std::uint16_t id2 = be16(req2.data, 24);
  CHECK(id2 != 77);
  CHECK(fold_sum(req2.data.data() + 20, req2.data.size() - 20) == 0xffff);
  Result rep = push(nat, 0, make_echo(0, 0x08080808, kNat, id2, 1));
  REQUIRE(rep.sent);
  CHECK(rep.port == 1);
  CHECK(be32(rep.data, 16) == 0x0a000003);
  CHECK(be16(rep.data, 24) == 77);
  CHECK(fold_sum(rep.data.data(), 20) == 0xffff);
  CHECK(fold_sum(rep.data.data() + 20, rep.data.size() - 20) == 0xffff);
  // A reply no request mapped, and what is no echo, are dropped.
  Result stray = push(nat, 0, make_echo(0, 0x08080808, kNat, 999, 1));
  CHECK_FALSE(stray.sent);
  CHECK(stray.port == IPRewriter::kDrops["no mapping"]);
  Result udp = push(nat, 0, make_packet(17, 0x0a000002, 1234, 0x08080808, 53, {}));
  CHECK_FALSE(udp.sent);
  CHECK(udp.port == IPRewriter::kDrops["not ICMP echo"]);
  CHECK(nat.state.mapped == 2);
}

TEST_CASE("ICMPPingRewriter: INPUTSPECs as IPRewriter's, TIMEOUT, and bad forms", "[nat][click]") {
  Nat nat(Configured("ICMPPingRewriter(pattern 192.0.2.1 1000-1009# - - 1 0, pass 1, TIMEOUT 2min)", 2),
          &ICMPPingRewriter::configure);
  CHECK(nat.config.udp_timeout == 120'000'000);
  Result req = push(nat, 0, make_echo(8, 0x0a000002, 0x08080808, 77, 1));
  REQUIRE(req.sent);
  CHECK(req.port == 1);
  CHECK(be16(req.data, 24) == 1000);
  Result rep = push(nat, 1, make_echo(0, 0x08080808, kNat, 1000, 1));
  REQUIRE(rep.sent);
  CHECK(rep.port == 0);
  CHECK(be16(rep.data, 24) == 77);
  // `pass`: an unknown reply goes on unchanged.
  Result stray = push(nat, 1, make_echo(0, 0x08080808, kNat, 5, 1));
  CHECK(stray.sent);
  CHECK(stray.port == 1);
  IPRewriter::Config c{};
  std::string error;
  CHECK_FALSE(ICMPPingRewriter::configure(Configured("ICMPPingRewriter(192.0.2.1, -, -)", 2).args(), c, error));
  CHECK(error.find("older ICMPPingRewriter(SRC, DST)") != std::string::npos);
  CHECK_FALSE(ICMPPingRewriter::configure(Configured("ICMPPingRewriter(192.0.2.1, -)", 1).args(), c, error));
  CHECK(error.find("2 outputs") != std::string::npos);
  CHECK_FALSE(
      ICMPPingRewriter::configure(Configured("ICMPPingRewriter(pattern 192.0.2.1 1-9 - 80 0 1)", 2).args(), c, error));
  CHECK(error.find("no destination port") != std::string::npos);
}

namespace {

// An ICMP error from `from` to the quoted packet's source, quoting its first `quote` bytes (Click's
// ICMPError quotes the IP header and 8 bytes).
Bytes make_error(std::uint8_t type, std::uint8_t code, std::uint32_t from, const Bytes& quoted, std::size_t quote) {
  const std::size_t q = quote < quoted.size() ? quote : quoted.size();
  Bytes p(28 + q, 0);
  p[0] = 0x45;
  put16(p, 2, static_cast<std::uint16_t>(p.size()));
  p[8] = 255;
  p[9] = 1;
  put32(p, 12, from);
  put32(p, 16, be32(quoted, 12));
  put16(p, 10, static_cast<std::uint16_t>(~fold_sum(p.data(), 20)));
  p[20] = type;
  p[21] = code;
  std::memcpy(p.data() + 28, quoted.data(), q);
  put16(p, 22, static_cast<std::uint16_t>(~fold_sum(p.data() + 20, p.size() - 20)));
  return p;
}

// The States ICMPRewriter's MAPS name, as the runtime's HostServices::peer_state gives them.
std::vector<void*> g_peers;
void* test_peer_state(void*, std::uint32_t i) {
  return i < g_peers.size() ? g_peers[i] : nullptr;
}
std::vector<const void*> g_peer_configs;
const void* test_peer_config(void*, std::uint32_t i) {
  return i < g_peer_configs.size() ? g_peer_configs[i] : nullptr;
}

struct Out {
  bool sent = false;
  std::uint32_t port = 0;
  std::uint32_t dst_anno = 0;
  Bytes data;
};

template <typename E>
Out push_element(const typename E::Config& c, typename E::State& s, std::uint32_t noutputs, std::uint32_t in_port,
                 const Bytes& bytes, const HostServices* host) {
  rte_mbuf* m = rte_pktmbuf_alloc(g_pool);
  REQUIRE(m != nullptr);
  char* d = rte_pktmbuf_append(m, static_cast<std::uint16_t>(bytes.size()));
  REQUIRE(d != nullptr);
  if (!bytes.empty()) std::memcpy(d, bytes.data(), bytes.size());  // an empty vector's data() may be null
  new (anno_of(m)) PacketAnno{};
  Context ctx(noutputs, host);
  detail::push<E>(&c, &s, ctx, in_port, m);
  REQUIRE(ctx.emit_count() + ctx.drop_count() == 1);
  Out r;
  rte_mbuf* out = nullptr;
  if (ctx.emit_count() == 1) {
    r.sent = true;
    r.port = ctx.emit(0).port;
    out = ctx.emit(0).mbuf;
  } else {
    r.port = ctx.dropped(0).reason;
    out = ctx.dropped(0).mbuf;
  }
  r.dst_anno = anno_of(out)->dst_ip;
  const auto* od = rte_pktmbuf_mtod(out, const std::uint8_t*);
  r.data.assign(od, od + out->data_len);
  rte_pktmbuf_free(out);
  return r;
}

struct IcmpRw {
  ICMPRewriter::Config config{};
  ICMPRewriter::State state{};
  HostServices host{};
  std::uint32_t noutputs;
  IcmpRw(const std::string& text, std::uint32_t nout, std::vector<void*> peers) : noutputs(nout) {
    std::string error;
    REQUIRE(ICMPRewriter::configure(Configured(text, nout).args(), config, error));
    g_peers = std::move(peers);
    host.peer_state = &test_peer_state;
  }
  Out push(const Bytes& b) { return push_element<ICMPRewriter>(config, state, noutputs, 0, b, &host); }
};

constexpr std::uint32_t kA = 0x121a042c;  // 18.26.4.44
constexpr std::uint32_t kB = 0x0a000008;  // 10.0.0.8
constexpr std::uint32_t kR = 0x13131313;  // 19.19.19.19, the router that sends the error

}  // namespace

// Click's test/icmp/ICMPRewriter-01.clicktest: IPRewriter(pattern 21.0.0.1 1024-65535# - - 0 0)
// maps 18.26.4.44.20 > 10.0.0.8.80 (TCP, then UDP) to 21.0.0.1.1024 and .1025; a time-exceeded
// error from 19.19.19.19 to 21.0.0.1 comes back as one to 18.26.4.44 quoting the original packet.
TEST_CASE("ICMPRewriter: Click's ICMPRewriter-01, errors about TCP and UDP flows IPRewriter mapped", "[nat][click]") {
  Nat nat(Configured("IPRewriter(pattern 21.0.0.1 1024-65535# - - 0 0)", 1));
  IcmpRw ierw("ICMPRewriter(rw)", 1, {&nat.state});
  for (const std::uint8_t proto : {std::uint8_t{6}, std::uint8_t{17}}) {
    INFO("proto " << int(proto));
    const Bytes a = make_packet(proto, kA, 20, kB, 80, {});
    Result b = push(nat, 0, a);
    REQUIRE(b.sent);
    CHECK(be32(b.data, 12) == 0x15000001);
    CHECK(be16(b.data, 20) == (proto == 6 ? 1024 : 1025));
    for (const std::size_t quote : {std::size_t{28}, b.data.size()}) {
      Out d = ierw.push(make_error(11, 0, kR, b.data, quote));
      REQUIRE(d.sent);
      CHECK(d.port == 0);
      CHECK(be32(d.data, 12) == kR);
      CHECK(be32(d.data, 16) == kA);
      CHECK(d.dst_anno == kA);  // DST_ANNO defaults to true
      CHECK(d.data[20] == 11);
      CHECK(fold_sum(d.data.data(), 20) == 0xffff);
      CHECK(fold_sum(d.data.data() + 20, d.data.size() - 20) == 0xffff);
      // The quote is the original packet again, checksums and all (d~ of the test).
      const std::size_t q = quote < a.size() ? quote : a.size();
      CHECK(Bytes(d.data.begin() + 28, d.data.end()) == Bytes(a.begin(), a.begin() + static_cast<long>(q)));
    }
  }
  CHECK(ierw.state.rewritten == 4);
}

// Click's test/icmp/ICMPRewriter-02.clicktest: ICMPPingRewriter(pattern 2.0.0.2 - 0-65535 0 0)
// maps an echo 1.0.0.1 > 5.0.0.5 (identifier 10) to 2.0.0.2; an unreachable from 3.0.0.3 to 2.0.0.2
// comes back as one to 1.0.0.1 quoting the original echo.
TEST_CASE("ICMPRewriter: Click's ICMPRewriter-02, an error about a ping ICMPPingRewriter mapped", "[nat][click]") {
  Nat ping(Configured("ICMPPingRewriter(pattern 2.0.0.2 1024-65535# - - 0 0)", 1), &ICMPPingRewriter::configure);
  Nat other(Configured("IPRewriter(pattern 21.0.0.1 1024-65535# - - 0 0)", 1));
  // The second rewriter named is searched when the first has no mapping.
  IcmpRw ierw("ICMPRewriter(rw icmp, DST_ANNO false)", 2, {&other.state, &ping.state});
  const Bytes a = make_echo(8, 0x01000001, 0x05000005, 10, 0);
  Result b = push(ping, 0, a);
  REQUIRE(b.sent);
  CHECK(be32(b.data, 12) == 0x02000002);
  Out d = ierw.push(make_error(3, 0, 0x03000003, b.data, b.data.size()));
  REQUIRE(d.sent);
  CHECK(d.port == 0);
  CHECK(be32(d.data, 16) == 0x01000001);
  CHECK(d.dst_anno == 0);  // DST_ANNO false
  CHECK(fold_sum(d.data.data(), 20) == 0xffff);
  CHECK(fold_sum(d.data.data() + 20, d.data.size() - 20) == 0xffff);
  CHECK(Bytes(d.data.begin() + 28, d.data.end()) == a);
  // An error about a flow no rewriter mapped, and an ICMP packet that is no error: output 1.
  Out u = ierw.push(make_error(3, 1, 0x03000003, make_packet(17, 0x02000002, 5, 0x05000005, 6, {}), 28));
  CHECK(u.sent);
  CHECK(u.port == 1);
  Out e = ierw.push(make_echo(8, 0x03000003, 0x02000002, 1, 1));
  CHECK(e.sent);
  CHECK(e.port == 1);
  CHECK(ierw.state.unmapped == 2);
}

TEST_CASE("ICMPRewriter: one output drops what no mapping rewrites; not ICMP is dropped", "[nat][click]") {
  Nat nat(Configured("IPRewriter(pattern 21.0.0.1 1024-65535# - - 0 0)", 1));
  IcmpRw ierw("ICMPRewriter(rw)", 1, {&nat.state});
  Out u = ierw.push(make_error(11, 0, kR, make_packet(6, 0x15000001, 2000, kB, 80, {}), 28));
  CHECK_FALSE(u.sent);
  CHECK(u.port == ICMPRewriter::kDrops["unmapped"]);
  Out t = ierw.push(make_packet(6, kA, 1, kB, 2, {}));
  CHECK_FALSE(t.sent);
  CHECK(t.port == ICMPRewriter::kDrops["not ICMP"]);
  // Cut short: a quote without its transport header is not looked up.
  Out s = ierw.push(make_error(11, 0, kR, make_packet(6, 0x15000001, 1024, kB, 80, {}), 24));
  CHECK_FALSE(s.sent);
  // No peers bound (no runtime): nothing is found, nothing crashes.
  IcmpRw lone("ICMPRewriter(rw)", 1, {});
  CHECK_FALSE(lone.push(make_error(11, 0, kR, make_packet(6, 0x15000001, 1024, kB, 80, {}), 28)).sent);
  ICMPRewriter::Config c{};
  std::string error;
  CHECK(ICMPRewriter::configure(Configured("ICMPRewriter(a b c)", 1).args(), c, error));
  CHECK(c.nmaps == 3);
}

namespace {
std::uint64_t g_cycles = 0;
std::uint64_t test_cycles() {
  return g_cycles;
}

struct OldRw {
  Rewriter::Config config{};
  Rewriter::State state{};
  HostServices host{};
  explicit OldRw(const std::string& text) {
    std::string error;
    REQUIRE(Rewriter::configure(Configured(text, 2).args(), config, error));
    host.now_cycles = &test_cycles;
    host.cycles_per_second = 1000;
  }
  Out push(std::uint32_t in, const Bytes& b) { return push_element<Rewriter>(config, state, 2, in, b, &host); }
};
}  // namespace

// Click's Rewriter of January 2000 (conf/rewriter.click): the behaviour its source gives.
TEST_CASE("Rewriter: each address pair gets FAKENET|index and LOCALADDR; input 1 maps back", "[nat][click]") {
  g_cycles = 0;
  OldRw rw("Rewriter(10.0.0.0, 18.26.4.47, 10)");
  CHECK(rw.config.gc_us == 10'000'000);
  const std::uint32_t local = 0x121a042f;
  Out f1 = rw.push(0, make_packet(6, 0x121a042d, 1000, 0x08080808, 80, {1, 2, 3}));
  REQUIRE(f1.sent);
  CHECK(f1.port == 0);
  CHECK(be32(f1.data, 12) == 0x0a000001);
  CHECK(be32(f1.data, 16) == local);
  CHECK(be16(f1.data, 20) == 1000);  // ports stay
  CHECK(fold_sum(f1.data.data(), 20) == 0xffff);
  CHECK(l4_verify(f1.data) == 0xffff);
  Out f2 = rw.push(0, make_packet(17, 0x121a042e, 53, 0x08080808, 53, {9}));
  CHECK(be32(f2.data, 12) == 0x0a000002);
  CHECK(l4_verify(f2.data) == 0xffff);
  Out f3 = rw.push(0, make_packet(6, 0x121a042d, 1001, 0x08080808, 81, {}));
  CHECK(be32(f3.data, 12) == 0x0a000001);  // the same pair, another flow: the same index
  // The answer from LOCALADDR to the fake address goes back to the real pair, reversed.
  Out r = rw.push(1, make_packet(6, local, 80, 0x0a000002, 53, {4, 5}));
  REQUIRE(r.sent);
  CHECK(r.port == 1);
  CHECK(be32(r.data, 12) == 0x08080808);
  CHECK(be32(r.data, 16) == 0x121a042e);
  CHECK(r.dst_anno == 0x121a042e);
  CHECK(fold_sum(r.data.data(), 20) == 0xffff);
  CHECK(l4_verify(r.data) == 0xffff);
  Out none = rw.push(1, make_packet(6, local, 80, 0x0a000009, 53, {}));
  CHECK_FALSE(none.sent);
  CHECK(none.port == Rewriter::kDrops["no mapping"]);
  CHECK(rw.state.created == 2);
  std::string table;
  Rewriter::spec.handlers[0].read(&rw.config, &rw.state, table);
  CHECK(table == "18.26.4.45/8.8.8.8 -> 10.0.0.1/18.26.4.47\n18.26.4.46/8.8.8.8 -> 10.0.0.2/18.26.4.47\n");
  Out igmp = rw.push(0, make_packet(2, 0x121a042d, 0, 0x08080808, 0, {}));
  CHECK_FALSE(igmp.sent);
  CHECK(igmp.port == Rewriter::kDrops["protocol"]);
}

TEST_CASE("Rewriter: GC_SECONDS frees mappings unused that long; the table holds 63", "[nat][click]") {
  g_cycles = 0;
  OldRw rw("Rewriter(10.0.0.0, 18.26.4.47, 10)");  // 10 s: 10000 cycles at 1000 Hz
  rw.push(0, make_packet(17, 0x01000001, 1, 0x08080808, 2, {}));
  rw.push(0, make_packet(17, 0x01000002, 1, 0x08080808, 2, {}));
  g_cycles = 6000;
  CHECK(rw.push(1, make_packet(17, 0x121a042f, 2, 0x0a000001, 1, {})).sent);  // uses mapping 1
  g_cycles = 11000;  // mapping 2 unused for 11 s, mapping 1 for 5 s
  Out gone = rw.push(1, make_packet(17, 0x121a042f, 2, 0x0a000002, 1, {}));
  CHECK_FALSE(gone.sent);
  CHECK(gone.port == Rewriter::kDrops["no mapping"]);
  CHECK(rw.state.freed == 1);
  CHECK(rw.push(1, make_packet(17, 0x121a042f, 2, 0x0a000001, 1, {})).sent);
  // The freed index is the next pair's.
  Out again = rw.push(0, make_packet(17, 0x01000003, 1, 0x08080808, 2, {}));
  CHECK(be32(again.data, 12) == 0x0a000002);
  for (std::uint32_t i = 4; i < 70; ++i) rw.push(0, make_packet(17, 0x01000000 | i, 1, 0x08080808, 2, {}));
  CHECK(rw.state.created == 63 + 1);  // 63 slots, one of them made twice
  Out full = rw.push(0, make_packet(17, 0x02000000, 1, 0x08080808, 2, {}));
  CHECK_FALSE(full.sent);
  CHECK(full.port == Rewriter::kDrops["table full"]);
  Rewriter::Config c{};
  std::string error;
  CHECK(Rewriter::configure(Configured("Rewriter(10.0.0.0, 1.2.3.4, 2min)", 2).args(), c, error));
  CHECK(c.gc_us == 120'000'000);
}

// ---------------------------------------------------------------------------------------------
// FTPPortMapper and TCPRewriter's sequence-number deltas (Click's FTPPortMapper, mazu-nat.click).

namespace {

// A TCP segment with the given numbers, flags, options (a multiple of 4 bytes) and payload.
Bytes make_tcp(std::uint32_t s, std::uint16_t sp, std::uint32_t d, std::uint16_t dp, std::uint32_t seq,
               std::uint32_t ack, std::uint8_t flags, const std::string& payload, const Bytes& options = {}) {
  const std::size_t th = 20 + options.size();
  Bytes p(20 + th + payload.size(), 0);
  p[0] = 0x45;
  put16(p, 2, static_cast<std::uint16_t>(p.size()));
  p[8] = 64;
  p[9] = 6;
  put32(p, 12, s);
  put32(p, 16, d);
  put16(p, 10, static_cast<std::uint16_t>(~fold_sum(p.data(), 20)));
  put16(p, 20, sp);
  put16(p, 22, dp);
  put32(p, 24, seq);
  put32(p, 28, ack);
  p[32] = static_cast<std::uint8_t>((th / 4) << 4);
  p[33] = flags;
  put16(p, 34, 65535);
  if (!options.empty()) std::memcpy(p.data() + 40, options.data(), options.size());
  if (!payload.empty()) std::memcpy(p.data() + 20 + th, payload.data(), payload.size());
  put16(p, 36, static_cast<std::uint16_t>(~l4_verify(p)));
  return p;
}
std::string payload_of(const Bytes& p) {
  const std::size_t at = 20 + (p[32] >> 4) * 4u;
  return std::string(p.begin() + static_cast<std::ptrdiff_t>(at), p.end());
}

Result push_with(Nat& nat, std::uint32_t in_port, const Bytes& bytes) {
  return push(nat, in_port, bytes);
}

constexpr std::uint32_t kClient = 0x0a000005;  // 10.0.0.5
constexpr std::uint32_t kServer = 0xc6336407;  // 198.51.100.7
constexpr std::uint32_t kExtern = 0xd106c6d5;  // 209.6.198.213

// mazu-nat.click's FTP part: FTPPortMapper(tcp_rw, rw, 0) -> [0] tcp_rw, the data rewriter rw.
struct Ftp {
  Nat tcp_rw{Configured("TCPRewriter(pattern 209.6.198.213 50000-65535# - - 0 1, drop)", 2), &TCPRewriter::configure};
  Nat rw{Configured("IPRewriter(pattern 209.6.198.213 50000-65535# - - 0 1, pass 0)", 2)};
  FTPPortMapper::Config config{};
  FTPPortMapper::State state{};
  HostServices host{};
  explicit Ftp(const std::string& text = "FTPPortMapper(tcp_rw, rw, 0)") {
    std::string error;
    REQUIRE(FTPPortMapper::configure(Configured(text, 1).args(), config, error));
    bind();
  }
  void bind() {
    g_peers = {&tcp_rw.state, &rw.state};
    g_peer_configs = {&tcp_rw.config, &rw.config};
    host.peer_state = &test_peer_state;
    host.peer_config = &test_peer_config;
  }
  // Through the mapper only.
  Out map(const Bytes& b) { return push_element<FTPPortMapper>(config, state, 1, 0, b, &host); }
  // Client to server: the mapper, then tcp_rw's input 0.
  Result out(const Bytes& b) {
    Out m = map(b);
    REQUIRE(m.sent);
    return push_with(tcp_rw, 0, m.data);
  }
  // Server to client: tcp_rw's input 1.
  Result in(const Bytes& b) { return push_with(tcp_rw, 1, b); }
};

bool sums_ok(const Bytes& p) {
  return fold_sum(p.data(), 20) == 0xffff && l4_verify(p) == 0xffff;
}

}  // namespace

TEST_CASE("FTPPortMapper: PORT commands parsed as Click's, malformed ones recognised", "[nat][click][ftp]") {
  auto parse = [](const std::string& text, FTPPortMapper::PortCommand& c) {
    return FTPPortMapper::parse(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), c);
  };
  using P = FTPPortMapper::Parse;
  FTPPortMapper::PortCommand c{};
  REQUIRE(parse("PORT 10,0,0,5,4,210\r\n", c) == P::Port);
  CHECK(c.addr == kClient);
  CHECK(c.port == 1234);
  CHECK(c.arg_begin == 5);
  CHECK(c.arg_end == 19);
  REQUIRE(parse("port   1,2,3,4,255,0\n", c) == P::Port);  // any case, several spaces, LF alone
  CHECK(c.addr == 0x01020304);
  CHECK(c.port == 0xff00);
  CHECK(c.arg_begin == 7);
  CHECK(parse("PoRt 1,2,3,4,5,6\r\nLIST\r\n", c) == P::Port);
  for (const char* bad : {"PORT 1,2,3,4,5\r\n", "PORT 1,2,3,4,5,6", "PORT 1,2,3,4,5,6 \r\n", "PORT 1,2,3,4,5,256\r\n",
                          "PORT 1,,3,4,5,6\r\n", "PORT 1,2,3,4,5,6,7\r\n", "PORT \r\n", "PORT ", "PORT 1,2,3,4,5,",
                          "PORT 9999999999999,2,3,4,5,6\r\n", "PORT a,b,c,d,e,f\r\n"}) {
    INFO(bad);
    CHECK(parse(bad, c) == P::Malformed);
  }
  for (const char* other : {"", "PORT", "PORTX 1,2,3,4,5,6\r\n", "PASV\r\n", "USER x\r\n", " PORT 1,2,3,4,5,6\r\n"}) {
    INFO(other);
    CHECK(parse(other, c) == P::NotPort);
  }
  char buf[24];
  CHECK(std::string(buf, FTPPortMapper::format(kExtern, 50000, buf)) == "209,6,198,213,195,80");
  CHECK(std::string(buf, FTPPortMapper::format(0, 0, buf)) == "0,0,0,0,0,0");
  CHECK(std::string(buf, FTPPortMapper::format(0xffffffff, 65535, buf)) == "255,255,255,255,255,255");
}

TEST_CASE("FTPPortMapper: a PORT command rewritten longer and shorter; seq and ack shifted both ways",
          "[nat][click][ftp]") {
  Ftp ftp;
  const std::uint8_t kAck = TCPView::kACK, kPshAck = TCPView::kACK | TCPView::kPSH;
  // The control connection: the SYN passes the mapper unchanged and makes tcp_rw's mapping.
  Result syn = ftp.out(make_tcp(kClient, 40000, kServer, 21, 1000, 0, TCPView::kSYN, ""));
  REQUIRE(syn.sent);
  CHECK(be32(syn.data, 12) == kExtern);
  const std::uint16_t cport = be16(syn.data, 20);
  CHECK(cport == 50000);
  Result synack = ftp.in(make_tcp(kServer, 21, kExtern, cport, 5000, 1001, TCPView::kSYN | kAck, ""));
  REQUIRE(synack.sent);
  CHECK(be32(synack.data, 28) == 1001);

  // PORT 10,0,0,5,4,210 (14 bytes of argument) becomes 209,6,198,213,195,80 (20): 6 bytes longer.
  const std::string port1 = "PORT 10,0,0,5,4,210\r\n";
  Out mapped = ftp.map(make_tcp(kClient, 40000, kServer, 21, 1001, 5001, kPshAck, port1));
  REQUIRE(mapped.sent);
  CHECK(payload_of(mapped.data) == "PORT 209,6,198,213,195,80\r\n");
  CHECK(be16(mapped.data, 2) == mapped.data.size());
  CHECK(mapped.data.size() == 40 + port1.size() + 6);
  CHECK(sums_ok(mapped.data));
  CHECK(be32(mapped.data, 12) == kClient);  // the addresses are tcp_rw's to change
  CHECK(ftp.state.rewritten == 1);
  // The data connection's mapping in rw: 10.0.0.5:1234 -> server:20 leaves as 209.6.198.213:50000.
  Result data = push(ftp.rw, 0, make_tcp(kClient, 1234, kServer, 20, 7, 0, TCPView::kSYN, ""));
  REQUIRE(data.sent);
  CHECK(be32(data.data, 12) == kExtern);
  CHECK(be16(data.data, 20) == 50000);
  Result data_in = push(ftp.rw, 1, make_tcp(kServer, 20, kExtern, 50000, 9, 8, TCPView::kSYN | kAck, ""));
  REQUIRE(data_in.sent);
  CHECK(be32(data_in.data, 16) == kClient);
  CHECK(be16(data_in.data, 22) == 1234);
  CHECK(ftp.rw.state.mapped == 1);  // the data SYN found the mapping the PORT command made

  // The PORT packet through tcp_rw: its own seq is not shifted (it starts before the change).
  Result p1 = ftp.in(make_tcp(kServer, 21, kExtern, cport, 5001, 1001, kAck, ""));  // (a pure ack first)
  REQUIRE(p1.sent);
  CHECK(be32(p1.data, 28) == 1001);                                              // below the trigger: not shifted
  const std::uint32_t after1 = 1001 + static_cast<std::uint32_t>(port1.size());  // client's next seq
  // A retransmission of the PORT packet is rewritten alike and keeps its seq; the delta stays +6.
  Result re = ftp.out(make_tcp(kClient, 40000, kServer, 21, 1001, 5001, kPshAck, port1));
  REQUIRE(re.sent);
  CHECK(be32(re.data, 24) == 1001);
  CHECK(payload_of(re.data) == "PORT 209,6,198,213,195,80\r\n");
  CHECK(sums_ok(re.data));
  CHECK(ftp.rw.state.mapped == 1);
  // The client's next segment is shifted by +6; the server's ack of it is shifted back.
  Result list = ftp.out(make_tcp(kClient, 40000, kServer, 21, after1, 5001, kPshAck, "LIST\r\n"));
  REQUIRE(list.sent);
  CHECK(be32(list.data, 24) == after1 + 6);
  CHECK(sums_ok(list.data));
  Result ack = ftp.in(make_tcp(kServer, 21, kExtern, cport, 5001, after1 + 6 + 6, kAck, "200 ok\r\n"));
  REQUIRE(ack.sent);
  CHECK(be32(ack.data, 28) == after1 + 6);
  CHECK(be32(ack.data, 24) == 5001);  // the server's own seq has no delta
  CHECK(sums_ok(ack.data));
  // An ack of the PORT segment alone (before the change) is not shifted.
  Result ack_port = ftp.in(make_tcp(kServer, 21, kExtern, cport, 5001, after1 + 6, kAck, ""));
  CHECK(be32(ack_port.data, 28) == after1);

  // SACK blocks of the server are shifted back like the ack (NOP NOP SACK(2 blocks) = 20 bytes).
  Bytes sack = {1, 1, 5, 18};
  for (const std::uint32_t edge : {after1 + 6 + 6, after1 + 6 + 20, after1 + 6, after1 + 6 + 3})
    for (int i = 3; i >= 0; --i) sack.push_back(static_cast<std::uint8_t>(edge >> (8 * i)));
  Result sacked = ftp.in(make_tcp(kServer, 21, kExtern, cport, 5001, after1 + 6, kAck, "", sack));
  REQUIRE(sacked.sent);
  CHECK(be32(sacked.data, 40 + 4) == after1 + 6);
  CHECK(be32(sacked.data, 40 + 8) == after1 + 20);
  CHECK(be32(sacked.data, 40 + 12) == after1);
  CHECK(be32(sacked.data, 40 + 16) == after1 + 3);
  CHECK(sums_ok(sacked.data));

  // A second PORT, longer numbers than the mapped ones: 100,100,100,100,100,100 (23) becomes
  // 209,6,198,213,195,81 (20): 3 bytes shorter; the delta after it is +6-3 = +3.
  const std::uint32_t at2 = after1 + 6;
  const std::string port2 = "PORT 100,100,100,100,100,100\r\n";
  Result p2 = ftp.out(make_tcp(kClient, 40000, kServer, 21, at2, 5009, kPshAck, port2));
  REQUIRE(p2.sent);
  CHECK(payload_of(p2.data) == "PORT 209,6,198,213,195,81\r\n");
  CHECK(be32(p2.data, 24) == at2 + 6);
  CHECK(be16(p2.data, 2) == p2.data.size());
  CHECK(sums_ok(p2.data));
  const std::uint32_t after2 = at2 + static_cast<std::uint32_t>(port2.size());
  Result next = ftp.out(make_tcp(kClient, 40000, kServer, 21, after2, 5009, kPshAck, "QUIT\r\n"));
  CHECK(be32(next.data, 24) == after2 + 3);
  Result ack2 = ftp.in(make_tcp(kServer, 21, kExtern, cport, 5009, after2 + 3 + 6, kAck, ""));
  CHECK(be32(ack2.data, 28) == after2 + 6);
  // A late retransmission of LIST (between the two changes) still gets +6.
  Result old = ftp.out(make_tcp(kClient, 40000, kServer, 21, after1, 5001, kPshAck, "LIST\r\n"));
  CHECK(be32(old.data, 24) == after1 + 6);
  // Acks between the changes map back by the first delta.
  Result ack_mid = ftp.in(make_tcp(kServer, 21, kExtern, cport, 5009, at2 + 6, kAck, ""));
  CHECK(be32(ack_mid.data, 28) == at2);
  CHECK(ftp.state.rewritten == 3);

  // Hot reload with new arguments: the deltas move with the mapping to the new table.
  Nat moved(Configured("TCPRewriter(pattern 209.6.198.213 50000-65535# - - 0 1, drop, CAPACITY 512)", 2),
            &TCPRewriter::configure);
  IPRewriter::transfer(ftp.tcp_rw.config, ftp.tcp_rw.state, moved.config, moved.state);
  Result after_reload = push(moved, 0, make_tcp(kClient, 40000, kServer, 21, after2 + 6, 5009, kPshAck, "NOOP\r\n"));
  REQUIRE(after_reload.sent);
  CHECK(be32(after_reload.data, 24) == after2 + 6 + 3);
  Result ack_reload = push(moved, 1, make_tcp(kServer, 21, kExtern, cport, 5009, after2 + 3 + 12, kAck, ""));
  CHECK(be32(ack_reload.data, 28) == after2 + 12);
  CHECK(sums_ok(ack_reload.data));
  // Into an IPRewriter (no deltas there): the mapping stays, the shift is gone.
  Nat plain(Configured("IPRewriter(pattern 209.6.198.213 50000-65535# - - 0 1, drop)", 2));
  IPRewriter::transfer(ftp.tcp_rw.config, ftp.tcp_rw.state, plain.config, plain.state);
  Result unshifted = push(plain, 0, make_tcp(kClient, 40000, kServer, 21, after2 + 6, 5009, kPshAck, "NOOP\r\n"));
  CHECK(be32(unshifted.data, 24) == after2 + 6);
}

TEST_CASE("FTPPortMapper: malformed, split and unmapped PORT commands pass unchanged and are counted",
          "[nat][click][ftp]") {
  Ftp ftp;
  // No control mapping yet: unchanged, counted as unmapped.
  const Bytes early = make_tcp(kClient, 40000, kServer, 21, 1, 1, TCPView::kACK, "PORT 10,0,0,5,4,210\r\n");
  Out u = ftp.map(early);
  REQUIRE(u.sent);
  CHECK(u.data == early);
  CHECK(ftp.state.unmapped == 1);
  REQUIRE(ftp.out(make_tcp(kClient, 40000, kServer, 21, 0, 0, TCPView::kSYN, "")).sent);
  std::uint64_t malformed = 0;
  for (const char* bad : {"PORT 10,0,0,5,4\r\n", "PORT 10,0,0,5,4,", "PORT 10,0,0,5,4,210", "PORT 10,0,0,5,4,2100\r\n",
                          "PORT 10,0,0,5,,210\r\n", "PORT 300,0,0,5,4,210\r\n", "PORT x\r\n", "PORT "}) {
    INFO(bad);
    const Bytes b = make_tcp(kClient, 40000, kServer, 21, 1, 1, TCPView::kACK, bad);
    Out o = ftp.map(b);
    REQUIRE(o.sent);
    CHECK(o.data == b);
    CHECK(ftp.state.malformed == ++malformed);
  }
  // A command split across two packets: each half is left alone.
  for (const char* half : {"PORT 10,0,0", ",5,4,210\r\n"}) {
    const Bytes b = make_tcp(kClient, 40000, kServer, 21, 1, 1, TCPView::kACK, half);
    CHECK(ftp.map(b).data == b);
  }
  CHECK(ftp.state.malformed == malformed + 1);
  CHECK(ftp.state.rewritten == 0);
  CHECK(ftp.rw.state.mapped == 0);
  // Cut short anywhere: the IP length says more than the packet holds, or the TCP header is not
  // all there; never read past the end, never changed.
  const Bytes whole = make_tcp(kClient, 40000, kServer, 21, 1, 1, TCPView::kACK, "PORT 10,0,0,5,4,210\r\n");
  for (std::size_t n = 0; n < whole.size(); ++n) {
    const Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
    INFO("length " << n);
    Out o = ftp.map(cut);
    REQUIRE(o.sent);
    CHECK(o.data == cut);
  }
  // The IP total length ends the payload early (cutting the command): malformed, unchanged.
  Bytes shortened = whole;
  put16(shortened, 2, static_cast<std::uint16_t>(whole.size() - 3));
  shortened[10] = shortened[11] = 0;
  put16(shortened, 10, static_cast<std::uint16_t>(~fold_sum(shortened.data(), 20)));
  CHECK(ftp.map(shortened).data == shortened);
  CHECK(ftp.state.malformed == malformed + 2);
  // Not TCP: unchanged.
  const Bytes udp = make_packet(17, kClient, 40000, kServer, 21, {'P', 'O', 'R', 'T', ' '});
  CHECK(ftp.map(udp).data == udp);
  // No data mapping: the data rewriter's input 1 is `pass 0`.
  Ftp pass("FTPPortMapper(tcp_rw, rw, 1)");
  REQUIRE(pass.out(make_tcp(kClient, 40000, kServer, 21, 0, 0, TCPView::kSYN, "")).sent);
  CHECK(pass.map(whole).data == whole);
  CHECK(pass.state.no_data_map == 1);
  // No peers bound (no runtime): nothing found, nothing crashes.
  Ftp lone;
  g_peers.clear();
  g_peer_configs.clear();
  CHECK(lone.map(whole).data == whole);
  FTPPortMapper::Config c{};
  std::string error;
  CHECK_FALSE(FTPPortMapper::configure(Configured("FTPPortMapper(a b, rw, 0)", 1).args(), c, error));
}

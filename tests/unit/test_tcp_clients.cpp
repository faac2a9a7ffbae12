// Click's toy TCP clients (issue 18): ToyTCP and WebGen, driven by a clock the test holds and
// by hand-made replies of a server.
#include "../../elements/source/toy_tcp.hpp"
#include "../../elements/source/web_gen.hpp"

#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

std::uint32_t get16(const Bytes& b, std::size_t at) {
  return std::uint32_t{b.at(at)} << 8 | b.at(at + 1);
}
std::uint32_t get32(const Bytes& b, std::size_t at) {
  return get16(b, at) << 16 | get16(b, at + 2);
}
void put16(Bytes& b, std::size_t at, std::uint32_t v) {
  b.at(at) = static_cast<std::uint8_t>(v >> 8);
  b.at(at + 1) = static_cast<std::uint8_t>(v);
}
void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xffff);
}
std::uint16_t fold_sum(const Bytes& b, std::size_t from, std::size_t n) {
  return checksum::fold(checksum::add(0, std::span<const std::uint8_t>(b.data() + from, n)));
}
// The TCP checksum of an IPv4 packet with a 20-byte header verifies.
bool tcp_sum_ok(const Bytes& p) {
  const std::uint32_t len = get16(p, 2) - 20;
  std::uint32_t sum = checksum::add(0, std::span<const std::uint8_t>(p.data() + 12, 8));
  sum += 6 + len;
  return checksum::fold(checksum::add(sum, std::span<const std::uint8_t>(p.data() + 20, len))) == 0xffff;
}

class Clock final : public PullContext {
 public:
  std::uint32_t pull(std::uint32_t, rte_mbuf**, std::uint32_t) override { return 0; }
  void push_copy(std::uint32_t, rte_mbuf*) override {}
  std::uint32_t ninputs() const override { return 1; }
  std::uint32_t noutputs() const override { return 1; }
  std::uint64_t now_cycles() const override { return now; }
  std::uint64_t cycles_per_second() const override { return 1000000; }  // a cycle a microsecond
  rte_mbuf* new_packet() override { return make_mbuf({}, kHeadroom, 256); }
  void stop_router() override {}
  void drop(rte_mbuf* m, std::uint32_t) override { MbufFree{}(m); }
  const HostServices* host() const override { return &services; }
  std::uint64_t now = 1000;
  HostServices services;
};

// One packet from the pull side, or an empty vector.
Bytes tick(auto& e, Clock& clock) {
  rte_mbuf* out[8] = {};
  const std::uint32_t n = e.pull(clock, out, 8);
  REQUIRE(n <= 1);
  if (n == 0) return {};
  MbufPtr m(out[0]);
  return data_of(m.get());
}

// A TCP header alone (ToyTCP's input, after Strip(34)).
Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags) {
  Bytes t(20, 0);
  put16(t, 0, sport);
  put16(t, 2, dport);
  put32(t, 4, seq);
  put32(t, 8, ack);
  t[12] = 0x50;
  t[13] = flags;
  put16(t, 14, 29200);
  return t;
}

// An IPv4 TCP packet (WebGen's input, after Strip(14)).
Bytes ip_tcp(std::uint32_t src, std::uint32_t dst, std::uint16_t sport, std::uint16_t dport, std::uint32_t seq,
             std::uint32_t ack, std::uint8_t flags, std::size_t data = 0, std::uint8_t proto = 6) {
  Bytes p(20, 0);
  p[0] = 0x45;
  put16(p, 2, static_cast<std::uint32_t>(40 + data));
  p[8] = 64;
  p[9] = proto;
  put32(p, 12, src);
  put32(p, 16, dst);
  put16(p, 10, checksum::finish(checksum::add(0, std::span<const std::uint8_t>(p.data(), 20))));
  Bytes t = tcp(sport, dport, seq, ack, flags);
  p.insert(p.end(), t.begin(), t.end());
  p.resize(40 + data, 'x');
  return p;
}

rte_mbuf* roomy(const Bytes& b) {
  return make_mbuf(b, kHeadroom, 256);
}

constexpr std::uint8_t kFIN = 0x01, kSYN = 0x02, kRST = 0x04, kPSH = 0x08, kACK = 0x10;

}  // namespace

TEST_CASE("ToyTCP opens a connection on its clock and answers every reply with one-byte segments", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("ToyTCP(5432, INTERVAL 0.5, SEED 7)");
    Instance<ToyTCP> e(args, via);
    REQUIRE(e.ok());
    Clock clock;
    CopyHost copier;
    HostServices host{&copy_mbuf, &copier};
    // The clock arms, then nothing before INTERVAL, then a SYN.
    CHECK(tick(e, clock).empty());
    clock.now += 499999;
    CHECK(tick(e, clock).empty());
    clock.now += 1;
    const Bytes syn = tick(e, clock);
    REQUIRE(syn.size() == 20);
    const auto& st = *static_cast<const ToyTCP::State*>(e.state());
    const std::uint32_t sport = get16(syn, 0), iss = get32(syn, 4);
    CHECK(sport == st.sport);
    CHECK(sport >= 1024);
    CHECK(sport < 61024);
    CHECK(get16(syn, 2) == 5432);
    CHECK(iss < (1u << 28));
    CHECK(syn[12] == 0x50);
    CHECK(syn[13] == kSYN);
    CHECK(get16(syn, 14) == 61440);
    CHECK(get16(syn, 16) == 0);  // SetTCPChecksum's job, after IPEncap
    CHECK(!st.connected);

    // The SYN-ACK: connected; the answer acknowledges the peer's SYN and carries one byte at
    // sent + 1 past the next sequence number.
    Outcome out = e.push(roomy(tcp(5432, sport, 90000, iss + 1, kSYN | kACK)), 1, &host);
    const Bytes a1 = out.only().data();
    REQUIRE(a1.size() == 21);
    CHECK(a1[13] == kACK);
    CHECK(get32(a1, 8) == 90001);
    CHECK(get32(a1, 4) == iss + 1 + 1 + 1);
    CHECK(a1[20] == 0);
    CHECK(st.connected);
    CHECK(e.counter("good") == 1);
    // Every fourth segment halves the window (the SYN was the first, this the second).
    CHECK(get16(a1, 14) == 61440);
    std::vector<Bytes> seen;
    for (int i = 0; i < 4; ++i) {
      Outcome o = e.push(roomy(tcp(5432, sport, 90001, iss + 1, kACK)), 1, &host);
      seen.push_back(o.only().data());
    }
    CHECK(get16(seen[0], 14) == 61440);
    CHECK(get16(seen[1], 14) == 30720);
    CHECK(get32(seen[3], 4) == iss + 1 + 1 + 5);
    // The sixth packet pushed makes two segments, in order.
    Outcome two = e.push(roomy(tcp(5432, sport, 90001, iss + 1, kACK)), 1, &host);
    REQUIRE(two.emits.size() == 2);
    CHECK(two.drops.empty());
    CHECK(get32(two.emits[0].data(), 4) == iss + 1 + 1 + 6);
    CHECK(get32(two.emits[1].data(), 4) == iss + 1 + 1 + 7);
    CHECK(e.counter("sent") == 8);
    // Not from DPORT, and too short: answered all the same, counted as neither.
    CHECK(e.push(roomy(tcp(80, sport, 1, 1, kACK)), 1, &host).only().data().size() == 21);
    CHECK(e.push(roomy(Bytes(6, 0)), 1, &host).only().data().size() == 21);
    CHECK(e.counter("good") == 6);
    // A packet with no room for the answer.
    CHECK(e.push(make_mbuf(Bytes(8, 0)), 1, &host).dropped_for(ToyTCP::kDrops["no room"]));
    // RST: answered, then silence until the next tick opens a new connection.
    CHECK(e.push(roomy(tcp(5432, sport, 90001, 0, kRST)), 1, &host).emits.size() == 1);
    CHECK(e.counter("bad") == 1);
    CHECK(e.push(roomy(tcp(5432, sport, 90001, 0, kACK)), 1, &host).dropped_for(ToyTCP::kDrops["reset"]));
    clock.now += 500000;
    const Bytes syn2 = tick(e, clock);
    REQUIRE(syn2.size() == 20);
    CHECK(syn2[13] == kSYN);
    CHECK(get16(syn2, 0) != sport);
    CHECK(e.counter("connections") == 2);
    // The same SEED repeats the port and sequence number; another changes them.
    Configured same_args("ToyTCP(5432, SEED 7)");
    Instance<ToyTCP> same(same_args, via);
    Configured other_args("ToyTCP(5432, SEED 8)");
    Instance<ToyTCP> other(other_args, via);
    Clock c2;
    CHECK(tick(same, c2).empty());
    CHECK(tick(other, c2).empty());
    c2.now += 1000000;
    const Bytes s2 = tick(same, c2), o2 = tick(other, c2);
    CHECK(get16(s2, 0) == sport);
    CHECK(get32(s2, 4) == iss);
    CHECK(get32(o2, 4) != iss);
    // Another worker draws other numbers.
    Instance<ToyTCP> w1(same_args, via);
    Clock c3;
    c3.services.worker = 1;
    c3.services.nworkers = 2;
    CHECK(tick(w1, c3).empty());
    c3.now += 1000000;
    CHECK(get32(tick(w1, c3), 4) != iss);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ToyTCP's ACTIVE false and the active handler stop its clock", "[kernels][click]") {
  Configured args("ToyTCP(80, INTERVAL 0.001, ACTIVE false)");
  Instance<ToyTCP> e(args, Via::Ops);
  REQUIRE(e.ok());
  Clock clock;
  for (int i = 0; i < 5; ++i, clock.now += 10000) CHECK(tick(e, clock).empty());
  std::string error, value;
  for (const HandlerSpec& h : ToyTCP::spec.handlers)
    if (h.name == "active") {
      REQUIRE(h.write(&e.config(), e.mutable_state(), "true", error));
      h.read(&e.config(), e.state(), value);
    }
  CHECK(value == "true");
  CHECK(tick(e, clock).empty());  // arms
  clock.now += 1000;
  CHECK(tick(e, clock).size() == 20);
  Configured bad("ToyTCP(65536)");
  CHECK(!bad.front_end_ok());
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("WebGen opens HTTP connections at RATE, asks for a page, acknowledges and closes", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("WebGen(7.1.0.0/16, 1.0.0.1, 1000, SEED 3, LIMIT 2)");
    Instance<WebGen> e(args, via);
    REQUIRE(e.ok());
    e.setup();
    Clock clock;
    HostServices host;
    CHECK(tick(e, clock).empty());  // arms
    clock.now += 1000;
    CHECK(tick(e, clock).empty());  // 1/RATE must have passed, strictly (as Click)
    clock.now += 1;
    const Bytes syn = tick(e, clock);
    REQUIRE(syn.size() == 40);
    CHECK(fold_sum(syn, 0, 20) == 0xffff);
    CHECK(tcp_sum_ok(syn));
    CHECK(syn[8] == 250);
    CHECK(syn[9] == 6);
    const std::uint32_t src = get32(syn, 12);
    CHECK((src >> 16) == 0x0701);
    CHECK(get32(syn, 16) == 0x01000001);
    const std::uint32_t sport = get16(syn, 20), iss = get32(syn, 24);
    CHECK(get16(syn, 22) == 80);
    CHECK(syn[33] == kSYN);
    CHECK(get16(syn, 34) == 61440);
    CHECK(e.counter("initiated") == 1);

    // SYN-ACK: the request and FIN in one segment.
    Outcome o = e.push(roomy(ip_tcp(0x01000001, src, 80, sport, 5000, iss + 1, kSYN | kACK)), 1, &host);
    const Bytes req = o.only().data();
    CHECK(anno_ref(o.only().m.get()).dst_ip == 0x01000001);
    CHECK(anno_ref(o.only().m.get()).network_offset == 0);
    CHECK(fold_sum(req, 0, 20) == 0xffff);
    CHECK(tcp_sum_ok(req));
    CHECK(req[33] == (kACK | kPSH | kFIN));
    CHECK(get32(req, 24) == iss + 1);
    CHECK(get32(req, 28) == 5001);
    const std::string text(req.begin() + 40, req.end());
    INFO(text);
    REQUIRE(text.size() == 30);
    CHECK(text.substr(0, 10) == "GET /spec/");
    CHECK(text[10] == text[12]);
    CHECK(text.substr(17) == " HTTP/1.0\r\n\r\n");
    const std::uint32_t len = 30;
    // The server's ACK of it asks for nothing.
    CHECK(e.push(roomy(ip_tcp(0x01000001, src, 80, sport, 5001, iss + len + 2, kACK)), 1, &host)
              .dropped_for(WebGen::kDrops["absorbed"]));
    // Its data is acknowledged; then its FIN, and the connection is done.
    const Bytes ack = e.push(roomy(ip_tcp(0x01000001, src, 80, sport, 5001, iss + len + 2, kACK | kPSH, 100)), 1, &host)
                          .only()
                          .data();
    CHECK(ack.size() == 40);
    CHECK(ack[33] == kACK);
    CHECK(get32(ack, 24) == iss + len + 2);
    CHECK(get32(ack, 28) == 5101);
    CHECK(tcp_sum_ok(ack));
    const Bytes fin =
        e.push(roomy(ip_tcp(0x01000001, src, 80, sport, 5101, iss + len + 2, kACK | kFIN)), 1, &host).only().data();
    CHECK(fin[33] == (kACK | kFIN));
    CHECK(get32(fin, 28) == 5102);
    CHECK(e.counter("completed") == 1);
    // Forgotten: a late segment of it is reset.
    const Bytes rst = e.push(roomy(ip_tcp(0x01000001, src, 80, sport, 5102, 777, kACK)), 1, &host).only().data();
    CHECK(rst[33] == kRST);
    CHECK(get32(rst, 12) == src);
    CHECK(get32(rst, 16) == 0x01000001);
    CHECK(get16(rst, 20) == sport);
    CHECK(get16(rst, 22) == 80);
    CHECK(get32(rst, 24) == 777);
    CHECK(tcp_sum_ok(rst));
    CHECK(e.counter("rsts_sent") == 1);
    CHECK(e.push(roomy(ip_tcp(0x01000001, src, 80, sport, 1, 1, kRST)), 1, &host)
              .dropped_for(WebGen::kDrops["stray reset"]));
    CHECK(e.push(roomy(ip_tcp(0x01000001, src, 80, sport, 1, 1, kACK, 0, 17)), 1, &host)
              .dropped_for(WebGen::kDrops["malformed"]));
    Bytes cut = ip_tcp(0x01000001, src, 80, sport, 1, 1, kACK, 8);
    cut.resize(44);
    CHECK(e.push(roomy(cut), 1, &host).dropped_for(WebGen::kDrops["malformed"]));

    // The second connection gets no answer: its SYN again every second, 6 times, then given up.
    clock.now += 1001;
    const Bytes syn2 = tick(e, clock);
    REQUIRE(syn2.size() == 40);
    CHECK(get32(syn2, 24) != iss);
    for (int i = 0; i < 6; ++i) {
      clock.now += 1000001;
      const Bytes again = tick(e, clock);
      REQUIRE(again.size() == 40);
      CHECK(get32(again, 24) == get32(syn2, 24));
      CHECK(get16(again, 4) != get16(syn2, 4));  // a new identification
    }
    clock.now += 1000001;
    CHECK(tick(e, clock).empty());
    CHECK(e.counter("timeouts") == 1);
    // LIMIT 2: no third.
    clock.now += 5000000;
    CHECK(tick(e, clock).empty());
    CHECK(e.counter("initiated") == 2);
    std::string open;
    for (const HandlerSpec& h : WebGen::spec.handlers)
      if (h.name == "open") h.read(&e.config(), e.state(), open);
    CHECK(open == "0");
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("WebGen's draws repeat under one SEED, differ per worker and steer replies to it", "[kernels][click]") {
  auto first_syn = [](const char* text, std::uint32_t worker, std::uint32_t nworkers) {
    Configured args(text);
    Instance<WebGen> e(args, Via::Ops);
    REQUIRE(e.ok());
    e.setup();
    Clock clock;
    clock.services.worker = worker;
    clock.services.nworkers = nworkers;
    CHECK(tick(e, clock).empty());
    clock.now += 1000001;
    return tick(e, clock);
  };
  const Bytes a = first_syn("WebGen(7.1.0.0/16, 1.0.0.1, 1, SEED 5)", 0, 1);
  const Bytes b = first_syn("WebGen(7.1.0.0/16, 1.0.0.1, 1, SEED 5)", 0, 1);
  const Bytes c = first_syn("WebGen(7.1.0.0/16, 1.0.0.1, 1, SEED 6)", 0, 1);
  REQUIRE(a.size() == 40);
  CHECK(a == b);
  CHECK(a != c);
  // A bare address: every connection from it.
  const Bytes d = first_syn("WebGen(7.1.2.3, 1.0.0.1, 1)", 0, 1);
  CHECK(get32(d, 12) == 0x07010203);
  // With 4 workers, worker 3's connection hashes back to worker 3.
  for (std::uint32_t w = 0; w < 4; ++w) {
    const Bytes s = first_syn("WebGen(10.0.0.0/8, 1.0.0.1, 1)", w, 4);
    REQUIRE(s.size() == 40);
    CHECK(worker_of_hash(flow_hash_v4(get32(s, 12), get32(s, 16), static_cast<std::uint16_t>(get16(s, 20)), 80), 4) ==
          w);
  }
  // RATE 1..100000.
  Configured zero("WebGen(7.1.0.0/16, 1.0.0.1, 0)");
  CHECK(!zero.front_end_ok());
  Configured fast("WebGen(7.1.0.0/16, 1.0.0.1, 100001)");
  CHECK(!fast.front_end_ok());
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("WebGen forgets a connection the server resets, and starts none when all are in use", "[kernels][click]") {
  Configured args("WebGen(7.1.0.0/16, 1.0.0.1, 1)");  // 10 control blocks
  Instance<WebGen> e(args, Via::Direct);
  REQUIRE(e.ok());
  e.setup();
  Clock clock;
  HostServices host;
  CHECK(tick(e, clock).empty());
  clock.now += 1000001;
  const Bytes syn = tick(e, clock);
  REQUIRE(syn.size() == 40);
  CHECK(e.push(roomy(ip_tcp(0x01000001, get32(syn, 12), 80, get16(syn, 20), 0, get32(syn, 24) + 1, kRST | kACK)), 1,
               &host)
            .dropped_for(WebGen::kDrops["reset"]));
  CHECK(e.counter("resets") == 1);
  // A stall of 12 seconds: the clock catches up (Click's loop), 10 blocks for 12 connections.
  clock.now += 12000001;
  rte_mbuf* out[32] = {};
  const std::uint32_t n = e.pull(clock, out, 32);
  for (std::uint32_t i = 0; i < n; ++i) MbufFree{}(out[i]);
  CHECK(n == 10);
  CHECK(e.counter("initiated") == 11);
  CHECK(e.counter("no_cb") == 2);
  CHECK(g_live_mbufs == 0);
}

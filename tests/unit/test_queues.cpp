// Queues and pull processing (issue 18, docs/queues.md): each pull element's pull side on a
// pull context whose inputs and clock the test holds, both through the spec's ops and directly.
#include "../../elements/aqm/red.hpp"
#include "../../elements/queue/bandwidth_rated_unqueue.hpp"
#include "../../elements/queue/bandwidth_shaper.hpp"
#include "../../elements/queue/delay_shaper.hpp"
#include "../../elements/queue/link_unqueue.hpp"
#include "../../elements/queue/prio_sched.hpp"
#include "../../elements/queue/pull_tee.hpp"
#include "../../elements/queue/queue.hpp"
#include "../../elements/queue/rated_unqueue.hpp"
#include "../../elements/queue/round_robin_sched.hpp"
#include "../../elements/queue/shaper.hpp"
#include "../../elements/queue/stride_sched.hpp"
#include "../../elements/queue/timed_sink.hpp"
#include "../../elements/queue/unqueue.hpp"
#include "../../elements/source/fast_udp_source.hpp"
#include "../../elements/source/idle.hpp"
#include "../../elements/source/infinite_source.hpp"
#include "../../elements/source/rated_source.hpp"
#include "../../elements/source/timed_source.hpp"
#include "../../elements/standard/set_timestamp.hpp"
#include "../support/element_harness.hpp"

#include <nb/compiler/registry.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

// Inputs are queues of packets tagged by their first byte; the clock moves when the test says.
class TestPull final : public PullContext {
 public:
  explicit TestPull(std::uint32_t ninputs, std::uint32_t noutputs = 1) : inputs(ninputs), noutputs_(noutputs) {}
  std::uint32_t pull(std::uint32_t port, rte_mbuf** out, std::uint32_t max) override {
    ++pulls;
    std::uint32_t n = 0;
    while (port < inputs.size() && n < max && !inputs[port].empty()) {
      out[n++] = inputs[port].front();
      inputs[port].pop_front();
    }
    return n;
  }
  void push_copy(std::uint32_t port, rte_mbuf* m) override { copies.push_back({port, data_of(m)[0]}); }
  std::uint32_t ninputs() const override { return static_cast<std::uint32_t>(inputs.size()); }
  std::uint32_t noutputs() const override { return noutputs_; }
  std::uint64_t now_cycles() const override { return now; }
  std::uint64_t cycles_per_second() const override { return 1000; }
  rte_mbuf* new_packet() override {
    if (pool_empty) return nullptr;
    rte_mbuf* m = make_mbuf({}, kHeadroom, 2048);
    made.push_back(m);
    return m;
  }
  void stop_router() override { ++stops; }
  void drop(rte_mbuf* m, std::uint32_t reason) override {
    dropped.push_back({reason, data_of(m)[0]});
    MbufFree{}(m);
  }
  const HostServices* host() const override { return &services; }
  bool flushing() const override { return flush; }

  void feed(std::uint32_t port, std::uint8_t tag, std::size_t len = 60) {
    Bytes b(len, 0);
    b[0] = tag;
    inputs[port].push_back(make_mbuf(b));
  }
  ~TestPull() override {
    for (auto& q : inputs)
      for (rte_mbuf* m : q) MbufFree{}(m);
  }

  std::vector<std::deque<rte_mbuf*>> inputs;
  std::vector<std::pair<std::uint32_t, std::uint8_t>> copies;
  std::uint64_t now = 5000;
  std::uint32_t pulls = 0;
  std::vector<rte_mbuf*> made;
  bool pool_empty = false;
  int stops = 0;
  std::vector<std::pair<std::uint32_t, std::uint8_t>> dropped;  // reason, tag
  HostServices services;  // the test's: no timestamp field unless a test gives one
  bool flush = false;

 private:
  std::uint32_t noutputs_;
};

// Pulls up to max and returns the tags, freeing the packets.
template <class E>
std::vector<int> pull_tags(Instance<E>& e, TestPull& ctx, std::uint32_t max) {
  rte_mbuf* out[64];
  const std::uint32_t n = e.pull(ctx, out, max);
  std::vector<int> tags;
  for (std::uint32_t i = 0; i < n; ++i) {
    tags.push_back(data_of(out[i])[0]);
    MbufFree{}(out[i]);
  }
  return tags;
}

// A handler of E by name, read or written on one State, as the runtime's control thread would.
template <class E>
const HandlerSpec& handler_named(std::string_view name) {
  for (const HandlerSpec& h : E::spec.handlers)
    if (h.name == name) return h;
  FAIL("no handler " << std::string(name));
  return E::spec.handlers[0];
}
template <class E>
std::string read_handler(Instance<E>& e, std::string_view name) {
  std::string out;
  handler_named<E>(name).read(&e.config(), e.state(), out);
  return out;
}
template <class E>
bool write_handler(Instance<E>& e, std::string_view name, std::string_view value) {
  std::string error;
  return handler_named<E>(name).write(&e.config(), e.mutable_state(), value, error);
}

// The packets' timestamp field in the tests' mbufs: free bytes of the dynamic-field area, as the
// runtime's is, and a flag bit no test mbuf sets otherwise.
constexpr std::int32_t kStampOffset = 96;
constexpr std::uint64_t kStampFlag = std::uint64_t{1} << 40;
constexpr std::uint64_t kEpochUs = 1'100'000'000'000'000;  // the wall clock at TSC 0

HostServices stamped(std::uint64_t hz = 1000) {
  HostServices h;
  h.timestamp_offset = kStampOffset;
  h.timestamp_flag = kStampFlag;
  h.epoch_us = kEpochUs;
  h.cycles_per_second = hz;
  return h;
}

std::uint64_t stamp_of(rte_mbuf* m) {
  std::uint64_t us = 0;
  HostServices h = stamped();
  return packet_timestamp(h, m, us) ? us : 0;
}

}  // namespace

TEST_CASE("Queue stores up to CAPACITY packets, oldest first, and drops at the tail", "[kernels][queue]") {
  {
    for (Via via : kBothWays) {
      INFO(name_of(via));
      Configured c("Queue(3)");
      Instance<Queue> q(c, via);
      REQUIRE(q.ok());
      q.setup();
      for (std::uint8_t tag = 1; tag <= 5; ++tag) {
        Outcome out = q.push(Bytes(60, tag), 1);
        if (tag <= 3) {
          CHECK(out.drops.empty());
        } else {
          REQUIRE(out.drops.size() == 1);
          CHECK(reason_name(Queue::spec, out.drops[0].reason) == "full");
        }
      }
      CHECK(Queue::spec.ops->held(&q.config(), q.state()) == 3);
      CHECK(static_cast<const Queue::State*>(q.state())->highwater == 3);
      TestPull ctx(0);
      CHECK(pull_tags(q, ctx, 2) == std::vector<int>{1, 2});
      CHECK(pull_tags(q, ctx, 64) == std::vector<int>{3});
      CHECK(pull_tags(q, ctx, 64).empty());
    }
  }
}

TEST_CASE("SimpleQueue and ThreadSafeQueue are Queue under Click's names", "[queue]") {
  const auto& reg = compiler::Registry::builtin();
  for (const char* cls : {"SimpleQueue", "ThreadSafeQueue"}) {
    const compiler::ElementClass* ec = reg.find(cls);
    REQUIRE(ec != nullptr);
    CHECK(ec->spec->ops == Queue::spec.ops);
    CHECK(ec->spec->params.data() == Queue::spec.params.data());  // CAPACITY and all
    CHECK(ec->processing.input(0) == 'h');
    CHECK(ec->processing.output(0) == 'l');
  }
}

TEST_CASE("Unqueue pulls at most BURST and nothing while inactive", "[kernels][queue]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured c("Unqueue(2)");
    Instance<Unqueue> u(c, via);
    REQUIRE(u.ok());
    TestPull ctx(1);
    for (std::uint8_t t = 1; t <= 5; ++t) ctx.feed(0, t);
    CHECK(pull_tags(u, ctx, 64) == std::vector<int>{1, 2});
    CHECK(pull_tags(u, ctx, 1) == std::vector<int>{3});
    CHECK(u.counter("count") == 3);

    Configured off("Unqueue(ACTIVE false)");
    Instance<Unqueue> v(off, via);
    REQUIRE(v.ok());
    CHECK(pull_tags(v, ctx, 64).empty());
    const HandlerSpec* active = nullptr;
    for (const HandlerSpec& h : Unqueue::spec.handlers)
      if (h.name == "active") active = &h;
    REQUIRE(active != nullptr);
    std::string error, text;
    REQUIRE(active->write(&v.config(), v.mutable_state(), "true", error));
    active->read(&v.config(), v.state(), text);
    CHECK(text == "true");
    CHECK(pull_tags(v, ctx, 64) == std::vector<int>{4, 5});  // BURST defaults to 32
  }
}

TEST_CASE("RatedUnqueue and Shaper let RATE packets a second through, BURST saved up", "[kernels][queue]") {
  auto run = [](auto& e, TestPull& ctx) {
    for (std::uint8_t t = 1; t <= 40; ++t) ctx.feed(0, t);
    CHECK(pull_tags(e, ctx, 64).size() == 1);  // one token to start with
    CHECK(pull_tags(e, ctx, 64).empty());      // no time has passed
    ctx.now += 300;                            // 0.3 s at 10/s: 3 tokens
    CHECK(pull_tags(e, ctx, 64).size() == 3);
    ctx.now += 100000;  // long idle: no more than BURST saved up
    CHECK(pull_tags(e, ctx, 64).size() == 4);
    ctx.now += 1000;  // asked for less than there is: the rest stays saved
    CHECK(pull_tags(e, ctx, 2).size() == 2);
    CHECK(pull_tags(e, ctx, 64).size() == 2);
  };
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured r("RatedUnqueue(10, BURST 4)");
    Instance<RatedUnqueue> ru(r, via);
    REQUIRE(ru.ok());
    TestPull a(1);
    run(ru, a);
    Configured s("Shaper(10, BURST 4)");
    Instance<Shaper> sh(s, via);
    REQUIRE(sh.ok());
    TestPull b(1);
    run(sh, b);
    CHECK(sh.counter("count") == 12);
  }
}

TEST_CASE("BandwidthRatedUnqueue and BandwidthShaper let RATE bytes a second through", "[kernels][queue]") {
  auto run = [](auto& e, TestPull& ctx) {
    for (std::uint8_t t = 1; t <= 40; ++t) ctx.feed(0, t, 100);
    // 1000 bytes/s: one byte's worth to start, which lets one 100-byte packet go into debt.
    CHECK(pull_tags(e, ctx, 64).size() == 1);
    ctx.now += 50;  // 50 bytes: the debt is not paid yet
    CHECK(pull_tags(e, ctx, 64).empty());
    ctx.now += 350;  // 400 bytes in all, 99 owed: 301 left, so three packets (the last into debt)
    CHECK(pull_tags(e, ctx, 64).size() == 3);
    ctx.now += 100000;  // long idle: no more than BURST (250) bytes saved up
    CHECK(pull_tags(e, ctx, 64).size() == 3);
  };
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured r("BandwidthRatedUnqueue(1000, BURST 250)");
    Instance<BandwidthRatedUnqueue> ru(r, via);
    REQUIRE(ru.ok());
    TestPull a(1);
    run(ru, a);
    Configured s("BandwidthShaper(1000, BURST 250)");
    Instance<BandwidthShaper> sh(s, via);
    REQUIRE(sh.ok());
    TestPull b(1);
    run(sh, b);
  }
}

TEST_CASE("RoundRobinSched takes one packet from each input in turn; PrioSched drains input 0 first",
          "[kernels][queue]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured rc("RoundRobinSched");
    Instance<RoundRobinSched> rr(rc, via);
    REQUIRE(rr.ok());
    TestPull a(3);
    for (std::uint8_t t : {10, 11, 12}) a.feed(0, t);
    a.feed(2, 30);
    CHECK(pull_tags(rr, a, 3) == std::vector<int>{10, 30, 11});
    CHECK(pull_tags(rr, a, 64) == std::vector<int>{12});  // the turn went on from input 1

    Configured pc("PrioSched");
    Instance<PrioSched> ps(pc, via);
    REQUIRE(ps.ok());
    TestPull b(2);
    for (std::uint8_t t : {10, 11}) b.feed(0, t);
    for (std::uint8_t t : {20, 21, 22}) b.feed(1, t);
    CHECK(pull_tags(ps, b, 3) == std::vector<int>{10, 11, 20});
    b.feed(0, 12);
    CHECK(pull_tags(ps, b, 64) == std::vector<int>{12, 21, 22});
  }
}

TEST_CASE("PullTee gives pulled packets on and pushes a copy of each out of its other outputs", "[kernels][queue]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured c("PullTee", 3);
    Instance<PullTee> t(c, via);
    REQUIRE(t.ok());
    TestPull ctx(1, 3);
    ctx.feed(0, 7);
    ctx.feed(0, 8);
    CHECK(pull_tags(t, ctx, 64) == std::vector<int>{7, 8});
    CHECK(ctx.copies == std::vector<std::pair<std::uint32_t, std::uint8_t>>{{1, 7}, {2, 7}, {1, 8}, {2, 8}});
  }
}

// Pulls and returns the packets' bytes, freeing them.
template <class E>
std::vector<Bytes> pull_bytes(Instance<E>& e, TestPull& ctx, std::uint32_t max) {
  rte_mbuf* out[64];
  const std::uint32_t n = e.pull(ctx, out, max);
  std::vector<Bytes> v;
  for (std::uint32_t i = 0; i < n; ++i) {
    v.push_back(data_of(out[i]));
    MbufFree{}(out[i]);
  }
  return v;
}

TEST_CASE("InfiniteSource makes BURST copies of DATA until LIMIT, and STOP ends the run", "[kernels][source]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured c("InfiniteSource(\"ab\\<0a FF>\", 5, 2, STOP true)");
    Instance<InfiniteSource> s(c, via);
    REQUIRE(s.ok());
    TestPull ctx(0);
    const Bytes want{'a', 'b', 0x0a, 0xff};
    auto got = pull_bytes(s, ctx, 64);
    REQUIRE(got.size() == 2);  // BURST
    CHECK(got[0] == want);
    CHECK(pull_bytes(s, ctx, 64).size() == 2);
    CHECK(pull_bytes(s, ctx, 64).size() == 1);  // LIMIT 5
    CHECK(ctx.stops == 0);
    CHECK(pull_bytes(s, ctx, 64).empty());
    CHECK(ctx.stops == 1);  // STOP true, once
    CHECK(pull_bytes(s, ctx, 64).empty());
    CHECK(ctx.stops == 1);
    CHECK(s.counter("count") == 5);

    Configured l("InfiniteSource(\"x\", LENGTH 6, ACTIVE false)");
    Instance<InfiniteSource> t(l, via);
    REQUIRE(t.ok());
    CHECK(pull_bytes(t, ctx, 64).empty());  // inactive
    Configured x("InfiniteSource(\"x\", LENGTH 6)");
    Instance<InfiniteSource> u(x, via);
    REQUIRE(u.ok());
    ctx.pool_empty = true;
    CHECK(pull_bytes(u, ctx, 64).empty());  // no buffer: nothing made, nothing counted
    CHECK(u.counter("count") == 0);
    ctx.pool_empty = false;
    CHECK(pull_bytes(u, ctx, 64) == std::vector<Bytes>{Bytes{'x', 0, 0, 0, 0, 0}});  // padded to LENGTH

    Configured def("InfiniteSource");
    Instance<InfiniteSource> f(def, via);
    REQUIRE(f.ok());
    auto frame = pull_bytes(f, ctx, 64);
    REQUIRE(frame.size() == 1);
    REQUIRE(frame[0].size() == 60);
    CHECK(frame[0][12] == 0x08);
    CHECK(frame[0][13] == 0x00);
    CHECK(checksum::fold(checksum::add(0, {frame[0].data() + 14, 20})) == 0xffff);  // a valid IPv4 header
  }
}

TEST_CASE("RatedSource makes RATE packets a second, TimedSource one every INTERVAL", "[kernels][source]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured r("RatedSource(\"r\", 10, 100)");
    Instance<RatedSource> rs(r, via);
    REQUIRE(rs.ok());
    TestPull ctx(0);
    CHECK(pull_bytes(rs, ctx, 64).size() == 1);  // one to start with
    ctx.now += 500;                             // 0.5 s at 10 a second
    CHECK(pull_bytes(rs, ctx, 64).size() == 1);  // no saving up: an even stream
    ctx.now += 100;
    CHECK(pull_bytes(rs, ctx, 64).size() == 1);
    CHECK(pull_bytes(rs, ctx, 64).empty());

    Configured t("TimedSource(250ms, \"t\", LIMIT 3)");
    Instance<TimedSource> ts(t, via);
    REQUIRE(ts.ok());
    CHECK(pull_bytes(ts, ctx, 64).size() == 1);
    ctx.now += 200;
    CHECK(pull_bytes(ts, ctx, 64).empty());
    ctx.now += 50;  // 250 ms after the first
    CHECK(pull_bytes(ts, ctx, 64).size() == 1);
    ctx.now += 250;
    CHECK(pull_bytes(ts, ctx, 64).size() == 1);
    ctx.now += 250;
    CHECK(pull_bytes(ts, ctx, 64).empty());  // LIMIT 3
    Configured bad("TimedSource(soon)");
    CHECK_FALSE(bad.front_end_ok());
  }
}

TEST_CASE("Idle sends nothing and drops what is pushed to it", "[kernels][source]") {
  for (Via via : kBothWays) {
    Configured c("Idle");
    Instance<Idle> idle(c, via);
    REQUIRE(idle.ok());
    TestPull ctx(1);
    ctx.feed(0, 1);
    CHECK(pull_tags(idle, ctx, 64).empty());
    CHECK(idle.push(Bytes(10, 1), 1).dropped_for(0));
  }
}

TEST_CASE("StrideSched gives each input turns in proportion to its tickets, ties to the lower input",
          "[kernels][queue]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured c("StrideSched(10, 30)", 1, compiler::Registry::builtin(), 2);
    Instance<StrideSched> s(c, via);
    REQUIRE(s.ok());
    TestPull ctx(2);
    for (int k = 0; k < 20; ++k) {
      ctx.feed(0, 0);
      ctx.feed(1, 1);
    }
    // Strides 6553 and 2184: input 1 three turns to input 0's one, in Click's order.
    CHECK(pull_tags(s, ctx, 8) == std::vector<int>{1, 1, 1, 0, 1, 1, 1, 0});
    // An input with nothing to give is stepped past, and the other goes on.
    while (!ctx.inputs[0].empty()) {
      MbufFree{}(ctx.inputs[0].front());
      ctx.inputs[0].pop_front();
    }
    CHECK(pull_tags(s, ctx, 3) == std::vector<int>{1, 1, 1});
    CHECK(read_handler(s, "tickets") == "10, 30");
    CHECK(write_handler(s, "tickets", "1 0"));  // input 1 leaves the schedule
    CHECK(pull_tags(s, ctx, 4).empty());
    CHECK(read_handler(s, "tickets") == "10, 0");
    CHECK_FALSE(write_handler(s, "tickets", "2 5"));
    CHECK_FALSE(write_handler(s, "tickets", "one 5"));
  }
  {
    Configured c("StrideSched(10, 20, 30)", 1, compiler::Registry::builtin(), 3);
    Instance<StrideSched> s(c, Via::Ops);
    REQUIRE(s.ok());
    TestPull ctx(3);
    for (int k = 0; k < 10; ++k)
      for (std::uint8_t i = 0; i < 3; ++i) ctx.feed(i, i);
    CHECK(pull_tags(s, ctx, 12) == std::vector<int>{2, 1, 2, 2, 1, 0, 2, 1, 2, 2, 1, 0});
  }
  {
    // Equal tickets tie: the input put back last goes first (Click's insertion), 0 never pulled.
    Configured c("StrideSched(1, 0, 1)", 1, compiler::Registry::builtin(), 3);
    Instance<StrideSched> s(c, Via::Direct);
    REQUIRE(s.ok());
    TestPull ctx(3);
    for (int k = 0; k < 4; ++k)
      for (std::uint8_t i = 0; i < 3; ++i) ctx.feed(i, i);
    CHECK(pull_tags(s, ctx, 6) == std::vector<int>{0, 2, 2, 0, 0, 2});
  }
  {
    // One number of tickets per input, as Click asks; more than 32768 counts as 32768.
    Configured c("StrideSched(10, 20)", 1, compiler::Registry::builtin(), 3);
    Instance<StrideSched> s(c, Via::Ops);
    CHECK_FALSE(s.ok());
    CHECK(s.error().find("3 inputs but 2 TICKETS") != std::string::npos);
    Configured big("StrideSched(100000)");
    Instance<StrideSched> b(big, Via::Ops);
    REQUIRE(b.ok());
    CHECK(b.config().tickets[0] == StrideSched::kMaxTickets);
    Configured bad("StrideSched(ten)");
    CHECK_FALSE(bad.front_end_ok());
    CHECK(bad.diagnostics().find("expected a number of tickets") != std::string::npos);
  }
}

TEST_CASE("TimedSink pulls one packet every INTERVAL and drops it", "[kernels][queue]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured c("TimedSink(100ms)", 0);
    Instance<TimedSink> t(c, via);
    REQUIRE(t.ok());
    TestPull ctx(1);  // 1000 cycles a second: 100 ms is 100 cycles
    for (std::uint8_t tag = 1; tag <= 5; ++tag) ctx.feed(0, tag);
    rte_mbuf* out[4];
    CHECK(t.pull(ctx, out, 4) == 0);  // gives nothing on
    REQUIRE(ctx.dropped.size() == 1);
    CHECK(ctx.dropped[0].second == 1);
    CHECK(reason_name(TimedSink::spec, ctx.dropped[0].first) == "sunk");
    ctx.now += 99;
    CHECK(t.pull(ctx, out, 4) == 0);
    CHECK(ctx.dropped.size() == 1);
    ctx.now += 1;
    t.pull(ctx, out, 4);
    CHECK(ctx.dropped.size() == 2);
    // Late by 30: the next is still due 100 after this one was due.
    ctx.now += 130;
    t.pull(ctx, out, 4);
    CHECK(ctx.dropped.size() == 3);
    ctx.now += 70;
    t.pull(ctx, out, 4);
    CHECK(ctx.dropped.size() == 4);
    CHECK(t.counter("count") == 4);
    CHECK(read_handler(t, "interval") == "0.100000");
    CHECK(write_handler(t, "interval", "0.25"));
    CHECK(read_handler(t, "interval") == "0.250000");
    CHECK_FALSE(write_handler(t, "interval", "0"));
    CHECK_FALSE(write_handler(t, "interval", "soon"));
  }
  Configured dflt("TimedSink", 0);
  Instance<TimedSink> d(dflt, Via::Ops);
  REQUIRE(d.ok());
  CHECK(d.config().interval_us == 500'000);  // Click's default
}

TEST_CASE("SetTimestamp stamps packets with the wall clock, or with TIMESTAMP", "[kernels][queue]") {
  static std::uint64_t cycles = 0;
  HostServices host = stamped();
  host.now_cycles = [] { return cycles; };
  for (Via via : kBothWays) {
    INFO(name_of(via));
    cycles = 2500;  // 2.5 s after the TSC's 0, in 1000 cycles a second
    Configured c("SetTimestamp");
    Instance<SetTimestamp> s(c, via);
    REQUIRE(s.ok());
    Outcome out = s.push(Bytes(60, 7), 1, &host);
    REQUIRE(out.sent_to(0));
    CHECK(stamp_of(out.emits[0].m.get()) == kEpochUs + 2'500'000);
    CHECK(out.emits[0].data() == Bytes(60, 7));
    Configured fixed("SetTimestamp(1100000000.25)");
    Instance<SetTimestamp> f(fixed, via);
    REQUIRE(f.ok());
    out = f.push(Bytes(60, 7), 1, &host);
    REQUIRE(out.sent_to(0));
    CHECK(stamp_of(out.emits[0].m.get()) == 1'100'000'000'250'000);
    // Without a timestamp field (no host), the packet goes on unstamped.
    out = s.push(Bytes(60, 7), 1);
    REQUIRE(out.sent_to(0));
    CHECK(stamp_of(out.emits[0].m.get()) == 0);
  }
  Configured first("SetTimestamp(FIRST true)");
  Instance<SetTimestamp> f(first, Via::Ops);
  CHECK_FALSE(f.ok());
  CHECK(f.error().find("FIRST must be false") != std::string::npos);
  Configured bad("SetTimestamp(yesterday)");
  CHECK_FALSE(bad.front_end_ok());
}

TEST_CASE("DelayShaper holds each packet until its timestamp plus DELAY", "[kernels][queue]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured c("DelayShaper(10ms)");
    Instance<DelayShaper> d(c, via);
    REQUIRE(d.ok());
    d.setup();
    TestPull ctx(1);  // 1000 cycles a second: a cycle is a millisecond
    ctx.services = stamped();
    const std::uint64_t now_us = kEpochUs + ctx.now * 1000;
    // Stamped 4 ms ago: due in 6 ms. Stamped long ago: due at once. No stamp: 10 ms from its pull.
    ctx.feed(0, 1);
    set_packet_timestamp(ctx.services, ctx.inputs[0].back(), now_us - 4000);
    ctx.feed(0, 2);
    set_packet_timestamp(ctx.services, ctx.inputs[0].back(), 1'000'000);
    ctx.feed(0, 3);
    rte_mbuf* out[4];
    CHECK(d.pull(ctx, out, 4) == 0);
    CHECK(DelayShaper::spec.ops->held(&d.config(), d.state()) == 1);
    CHECK(ctx.inputs[0].size() == 2);  // one packet held at a time
    ctx.now += 5;
    CHECK(d.pull(ctx, out, 4) == 0);
    ctx.now += 1;
    REQUIRE(d.pull(ctx, out, 4) == 2);  // packet 1 is due, packet 2 was due long ago
    CHECK(data_of(out[0])[0] == 1);
    CHECK(data_of(out[1])[0] == 2);
    CHECK(stamp_of(out[0]) == kEpochUs + ctx.now * 1000);  // leaves stamped with the time it leaves
    MbufFree{}(out[0]);
    MbufFree{}(out[1]);
    // Packet 3 had no timestamp: it was pulled now, and is due 10 ms later.
    CHECK(DelayShaper::spec.ops->held(&d.config(), d.state()) == 1);
    ctx.now += 9;
    CHECK(d.pull(ctx, out, 4) == 0);
    CHECK(read_handler(d, "delay") == "0.010000");
    // An early stop: what it holds is given up at once.
    ctx.flush = true;
    REQUIRE(d.pull(ctx, out, 4) == 1);
    CHECK(data_of(out[0])[0] == 3);
    MbufFree{}(out[0]);
    CHECK(DelayShaper::spec.ops->held(&d.config(), d.state()) == 0);
    CHECK(d.counter("count") == 2);
    CHECK(write_handler(d, "delay", "0"));
    CHECK(read_handler(d, "delay") == "0.000000");
  }
}

TEST_CASE("LinkUnqueue delays packets by LATENCY plus their length over BANDWIDTH, one after another",
          "[kernels][queue]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured c("LinkUnqueue(20ms, 10kBps)");  // 100 bytes take 10 ms on the wire
    Instance<LinkUnqueue> l(c, via);
    REQUIRE(l.ok());
    CHECK(l.config().bandwidth == 10'000);
    l.setup();
    TestPull ctx(1);  // a cycle is a millisecond
    for (std::uint8_t tag = 1; tag <= 4; ++tag) ctx.feed(0, tag, 100);
    const std::uint64_t t0 = ctx.now;
    rte_mbuf* out[8];
    // Only what fits on the wire goes on: the first, arriving at 20 + 10.
    CHECK(l.pull(ctx, out, 8) == 0);
    CHECK(LinkUnqueue::spec.ops->held(&l.config(), l.state()) == 1);
    // 10 ms later the first is through the wire: the second follows it back to back, at 40.
    ctx.now = t0 + 10;
    CHECK(l.pull(ctx, out, 8) == 0);
    CHECK(LinkUnqueue::spec.ops->held(&l.config(), l.state()) == 2);
    ctx.now = t0 + 29;
    CHECK(l.pull(ctx, out, 8) == 0);
    ctx.now = t0 + 30;
    REQUIRE(l.pull(ctx, out, 8) == 1);
    CHECK(data_of(out[0])[0] == 1);
    MbufFree{}(out[0]);
    ctx.now = t0 + 40;
    REQUIRE(l.pull(ctx, out, 8) == 1);
    CHECK(data_of(out[0])[0] == 2);
    MbufFree{}(out[0]);
    CHECK(l.counter("count") == 2);
    CHECK(read_handler(l, "latency") == "0.020000");
    CHECK(read_handler(l, "bandwidth") == "10000");
    // An early stop: everything on the link is given up at once, in order.
    ctx.flush = true;
    const std::uint32_t held = LinkUnqueue::spec.ops->held(&l.config(), l.state());
    REQUIRE(held >= 1);
    REQUIRE(l.pull(ctx, out, 8) == held);
    CHECK(data_of(out[0])[0] == 3);
    for (std::uint32_t k = 0; k < held; ++k) MbufFree{}(out[k]);
    CHECK(LinkUnqueue::spec.ops->held(&l.config(), l.state()) == 0);
  }
  {
    // CAPACITY: however much room the wire has, no more than that many packets on the link.
    Configured c("LinkUnqueue(1s, 1GBps, CAPACITY 2)");
    Instance<LinkUnqueue> l(c, Via::Ops);
    REQUIRE(l.ok());
    l.setup();
    TestPull ctx(1);
    for (std::uint8_t tag = 1; tag <= 4; ++tag) ctx.feed(0, tag);
    rte_mbuf* out[8];
    CHECK(l.pull(ctx, out, 8) == 0);
    CHECK(LinkUnqueue::spec.ops->held(&l.config(), l.state()) == 2);
    CHECK(ctx.inputs[0].size() == 2);
    ctx.flush = true;  // the test's mbufs go back to the test, not to a mempool
    REQUIRE(l.pull(ctx, out, 8) == 2);
    for (int k = 0; k < 2; ++k) MbufFree{}(out[k]);
  }
  Configured slow("LinkUnqueue(1ms, 99B/s)");
  CHECK_FALSE(slow.front_end_ok());
  CHECK(slow.diagnostics().find("smaller than the minimum 100B/s") != std::string::npos);
  Configured units("LinkUnqueue(0.04s, 10000Mbps)");
  Instance<LinkUnqueue> u(units, Via::Ops);
  REQUIRE(u.ok());
  CHECK(u.config().bandwidth == 1'250'000'000);
  CHECK(u.config().latency_us == 40'000);
}

namespace {
std::uint64_t g_watched = 0;
std::uint64_t watched_length(void*) {
  return g_watched;
}
}  // namespace

TEST_CASE("RED marks packets by the average length of the queues it watches", "[kernels][queue]") {
  HostServices host;
  host.watched_length = &watched_length;
  host.cycles_per_second = 1000;
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured c("RED(10, 20, 0.5)");
    Instance<RED> r(c, via);
    REQUIRE(r.ok());
    CHECK(r.config().max_p == 0x8000);
    CHECK(r.config().kill_thresh == 40);  // gentle: every packet is marked past twice MAX_THRESH
    // Under MIN_THRESH nothing is marked.
    g_watched = 5;
    for (int k = 0; k < 50; ++k) CHECK(r.push(Bytes(60, 1), 1, &host).sent_to(0));
    // A long queue: the average (STABILITY 4) climbs past 40, and then every packet is marked.
    g_watched = 100;
    int marked = 0;
    for (int k = 0; k < 100; ++k) {
      Outcome out = r.push(Bytes(60, 1), 1, &host);
      if (!out.drops.empty()) {
        CHECK(reason_name(RED::spec, out.drops[0].reason) == "early");
        ++marked;
      }
    }
    CHECK(marked > 80);
    CHECK(r.push(Bytes(60, 1), 1, &host).dropped_for(0));
    CHECK(r.counter("marked") == static_cast<std::uint64_t>(marked) + 1);
    CHECK(std::stod(read_handler(r, "avg_queue_size")) > 99.0);
    // With output 1 connected, marked packets go there.
    CHECK(r.push(Bytes(60, 1), 2, &host).sent_to(1));
    CHECK(read_handler(r, "max_p") == "0.5");
  }
  {
    // STABILITY 0: the length itself. Half-way between the thresholds with MAX_P 1, about half or
    // more of the packets are marked (RED spreads them: the chance grows with each unmarked one).
    Configured c("RED(10, 20, 1, STABILITY 0, GENTLE false)");
    Instance<RED> r(c, Via::Ops);
    REQUIRE(r.ok());
    CHECK(r.config().kill_thresh == 20);
    g_watched = 15;
    int marked = 0;
    for (int k = 0; k < 1000; ++k) marked += r.push(Bytes(60, 1), 1, &host).drops.size();
    CHECK(marked > 400);
    CHECK(marked < 800);
    g_watched = 21;  // over MAX_THRESH, not gentle: every packet
    CHECK(r.push(Bytes(60, 1), 1, &host).dropped_for(0));
  }
  {
    // Pulled: a marked packet is dropped and the next one pulled.
    Configured c("RED(0, 1, 1, STABILITY 0, GENTLE false)");
    Instance<RED> r(c, Via::Direct);
    REQUIRE(r.ok());
    TestPull ctx(1);
    ctx.services.watched_length = &watched_length;
    for (std::uint8_t tag = 1; tag <= 3; ++tag) ctx.feed(0, tag);
    g_watched = 5;
    CHECK(pull_tags(r, ctx, 4).empty());
    CHECK(ctx.dropped.size() == 3);
    g_watched = 0;
    ctx.feed(0, 4);
    CHECK(pull_tags(r, ctx, 4) == std::vector<int>{4});
  }
  Configured inverted("RED(20, 10, 0.1)");
  Instance<RED> bad(inverted, Via::Ops);
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().find("MIN_THRESH (20) must be at most MAX_THRESH (10)") != std::string::npos);
  Configured p("RED(1, 2, 1.5)");
  CHECK_FALSE(p.front_end_ok());
  CHECK(p.diagnostics().find("expected a probability between 0 and 1") != std::string::npos);
}

TEST_CASE("FastUDPSource makes its UDP packet at RATE, steps its ports every INTERVAL, stops at LIMIT",
          "[kernels][source]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured c(
        "FastUDPSource(0, 5, 60, 00:00:00:00:00:01, 10.0.0.1, 1234, 00:00:00:00:00:02, 10.0.0.2, 5678, true, 2, "
        "STOP true)");
    Instance<FastUDPSource> f(c, via);
    REQUIRE(f.ok());
    TestPull ctx(0);
    rte_mbuf* out[8];
    REQUIRE(f.pull(ctx, out, 8) == 5);
    for (std::uint32_t k = 0; k < 5; ++k) {
      const Bytes b = data_of(out[k]);
      REQUIRE(b.size() == 60);
      CHECK(b[5] == 2);
      CHECK(b[11] == 1);
      CHECK((b[12] << 8 | b[13]) == 0x0800);
      CHECK(b[22] == 250);  // TTL
      CHECK(b[23] == 17);
      CHECK((b[16] << 8 | b[17]) == 46);
      CHECK(checksum::fold(checksum::add(0, {b.data() + 14, 20})) == 0xffff);
      // Ports step by one after every 2 packets.
      const int step = static_cast<int>(k / 2);
      CHECK((b[34] << 8 | b[35]) == 1234 + step);
      CHECK((b[36] << 8 | b[37]) == 5678 + step);
      CHECK((b[38] << 8 | b[39]) == 26);
      // The UDP checksum verifies over the pseudo-header and the datagram.
      std::uint32_t sum = checksum::add(0, {b.data() + 26, 8});  // addresses
      sum += 17 + 26;
      sum = checksum::add(sum, {b.data() + 34, 26});
      CHECK(checksum::fold(sum) == 0xffff);
      CHECK(anno_of(out[k])->network_offset == 14);
      CHECK(anno_of(out[k])->dst_ip == 0x0a000002u);
      MbufFree{}(out[k]);
    }
    CHECK(f.pull(ctx, out, 8) == 0);
    CHECK(ctx.stops == 1);
    CHECK(f.counter("count") == 5);
  }
  {
    // RATE 2000 a second on a 1000-cycle clock: 2 packets a cycle, saved up to 2 (a millisecond's).
    Configured c("FastUDPSource(2000, -1, 100, 00:00:00:00:00:01, 10.0.0.1, 1, 00:00:00:00:00:02, 10.0.0.2, 2, false)");
    Instance<FastUDPSource> f(c, Via::Ops);
    REQUIRE(f.ok());
    TestPull ctx(0);
    rte_mbuf* out[32];
    std::uint32_t n = f.pull(ctx, out, 32);
    CHECK(n == 1);  // the bucket starts with one
    const Bytes b = data_of(out[0]);
    CHECK(b.size() == 100);
    CHECK((b[40] << 8 | b[41]) == 0);  // CHECKSUM false
    for (std::uint32_t k = 0; k < n; ++k) MbufFree{}(out[k]);
    ctx.now += 10;
    n = f.pull(ctx, out, 32);
    CHECK(n == 2);
    for (std::uint32_t k = 0; k < n; ++k) MbufFree{}(out[k]);
    CHECK(read_handler(f, "active") == "true");
    CHECK(write_handler(f, "active", "false"));
    ctx.now += 10;
    CHECK(f.pull(ctx, out, 32) == 0);
  }
  Configured shorter("FastUDPSource(0, 1, 20, 0:0:0:0:0:1, 1.0.0.1, 1, 0:0:0:0:0:2, 2.0.0.2, 2)");
  Instance<FastUDPSource> s(shorter, Via::Ops);
  REQUIRE(s.ok());
  CHECK(s.config().len == 60);  // Click's minimum
}

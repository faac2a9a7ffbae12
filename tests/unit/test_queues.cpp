// Queues and pull processing (issue 18, docs/queues.md): each pull element's pull side on a
// pull context whose inputs and clock the test holds, both through the spec's ops and directly.
#include "../../elements/queue/bandwidth_rated_unqueue.hpp"
#include "../../elements/queue/bandwidth_shaper.hpp"
#include "../../elements/queue/prio_sched.hpp"
#include "../../elements/queue/pull_tee.hpp"
#include "../../elements/queue/queue.hpp"
#include "../../elements/queue/rated_unqueue.hpp"
#include "../../elements/queue/round_robin_sched.hpp"
#include "../../elements/queue/shaper.hpp"
#include "../../elements/queue/unqueue.hpp"
#include "../../elements/source/idle.hpp"
#include "../../elements/source/infinite_source.hpp"
#include "../../elements/source/rated_source.hpp"
#include "../../elements/source/timed_source.hpp"
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

// Click's paint and switch elements (issue 18): CheckPaint, PaintSwitch, PaintTee, Switch,
// StaticSwitch, RoundRobinSwitch, run through the harness both ways.
#include "../../elements/standard/check_paint.hpp"
#include "../../elements/standard/paint_switch.hpp"
#include "../../elements/standard/paint_tee.hpp"
#include "../../elements/standard/round_robin_switch.hpp"
#include "../../elements/standard/static_switch.hpp"
#include "../../elements/standard/switch.hpp"
#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

rte_mbuf* painted(std::uint8_t paint, std::uint8_t user0 = 0) {
  rte_mbuf* m = make_mbuf(Bytes(20, 0x11));
  anno_ref(m).paint = paint;
  anno_ref(m).user[0] = user0;
  return m;
}

const HandlerSpec& handler_named(const ElementSpec& spec, std::string_view name) {
  for (const HandlerSpec& h : spec.handlers)
    if (h.name == name) return h;
  FAIL("no handler " << std::string(name));
  return spec.handlers[0];
}

}  // namespace

TEST_CASE("CheckPaint sends COLOR to output 0 and the rest to output 1 or drops it", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured two("CheckPaint(7)", 2);
    Instance<CheckPaint> e(two, via);
    REQUIRE(e.ok());
    CHECK(e.push(painted(7), 2).sent_to(0));
    CHECK(e.push(painted(6), 2).sent_to(1));
    Configured one("CheckPaint(7)", 1);
    Instance<CheckPaint> d(one, via);
    REQUIRE(d.ok());
    Outcome out = d.push(painted(8), 1);
    REQUIRE(out.drops.size() == 1);
    CHECK(reason_name(CheckPaint::spec, out.drops[0].reason) == "other_color");
    Configured user("CheckPaint(COLOR 7, ANNO 1)", 2);
    Instance<CheckPaint> u(user, via);
    REQUIRE(u.ok());
    CHECK(u.push(painted(7, 0), 2).sent_to(1));
    CHECK(u.push(painted(0, 7), 2).sent_to(0));
    Configured bad("CheckPaint(COLOR 7, ANNO 16)");
    CHECK_FALSE(Instance<CheckPaint>(bad, via).ok());
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("PaintSwitch sends each packet to the output its color names", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured three("PaintSwitch", 3);
    Instance<PaintSwitch> e(three, via);
    REQUIRE(e.ok());
    for (std::uint8_t c = 0; c < 3; ++c) CHECK(e.push(painted(c), 3).sent_to(c));
    Outcome out = e.push(painted(3), 3);
    REQUIRE(out.drops.size() == 1);
    CHECK(reason_name(PaintSwitch::spec, out.drops[0].reason) == "no_output");
    Configured user("PaintSwitch(ANNO 1)", 3);
    Instance<PaintSwitch> u(user, via);
    REQUIRE(u.ok());
    CHECK(u.push(painted(0, 2), 3).sent_to(2));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("PaintTee copies packets of COLOR to output 1 and sends all to output 0", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    CopyHost copier;
    HostServices host{&copy_mbuf, &copier};
    Configured args("PaintTee(5)", 2);
    Instance<PaintTee> e(args, via);
    REQUIRE(e.ok());
    CHECK(e.push(painted(4), 2, &host).sent_to(0));
    Outcome out = e.push(painted(5), 2, &host);
    REQUIRE(out.emits.size() == 2);
    CHECK(out.emits[0].port == 1);
    CHECK(out.emits[1].port == 0);
    CHECK(out.emits[0].m.get() != out.emits[1].m.get());
    CHECK(out.emits[0].data() == out.emits[1].data());
    CHECK(anno_ref(out.emits[0].m.get()).paint == 5);
    CHECK(e.counter("copies") == 1);
    // ANNO 1: the colour is the first user byte, not the paint.
    Configured user("PaintTee(COLOR 5, ANNO 1)", 2);
    Instance<PaintTee> u(user, via);
    REQUIRE(u.ok());
    CHECK(u.push(painted(5, 0), 2, &host).sent_to(0));
    CHECK(u.push(painted(0, 5), 2, &host).emits.size() == 2);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Switch sends to K and its switch handler changes K while running", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("Switch(1)", 3);
    Instance<Switch> e(args, via);
    REQUIRE(e.ok());
    CHECK(e.push(painted(0), 3).sent_to(1));
    const HandlerSpec& h = handler_named(Switch::spec, "switch");
    std::string text, error;
    h.read(&e.config(), e.state(), text);
    CHECK(text == "1");
    REQUIRE(h.write(&e.config(), e.mutable_state(), "2", error));
    CHECK(e.push(painted(0), 3).sent_to(2));
    REQUIRE(h.write(&e.config(), e.mutable_state(), "-1", error));
    Outcome off = e.push(painted(0), 3);
    REQUIRE(off.drops.size() == 1);
    CHECK(reason_name(Switch::spec, off.drops[0].reason) == "switched_off");
    // A number that names no output switches off, as in Click.
    REQUIRE(h.write(&e.config(), e.mutable_state(), "9", error));
    CHECK(e.push(painted(0), 3).drops.size() == 1);
    REQUIRE(h.write(&e.config(), e.mutable_state(), "0", error));
    h.read(&e.config(), e.state(), text);
    CHECK(text == "0");
    CHECK(e.push(painted(0), 3).sent_to(0));
    CHECK_FALSE(h.write(&e.config(), e.mutable_state(), "one", error));
    CHECK(e.push(painted(0), 3).sent_to(0));

    Configured defaults("Switch", 2);
    Instance<Switch> d(defaults, via);
    REQUIRE(d.ok());
    CHECK(d.push(painted(0), 2).sent_to(0));
    Configured too_big("Switch(2)", 2);
    CHECK_FALSE(Instance<Switch>(too_big, via).ok());
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("StaticSwitch sends to K, or drops with K -1", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("StaticSwitch(1)", 2);
    Instance<StaticSwitch> e(args, via);
    REQUIRE(e.ok());
    CHECK(e.push(painted(0), 2).sent_to(1));
    Configured off("StaticSwitch(-1)", 2);
    Instance<StaticSwitch> o(off, via);
    REQUIRE(o.ok());
    Outcome out = o.push(painted(0), 2);
    REQUIRE(out.drops.size() == 1);
    CHECK(reason_name(StaticSwitch::spec, out.drops[0].reason) == "switched_off");
    Configured too_big("StaticSwitch(2)", 2);
    CHECK_FALSE(Instance<StaticSwitch>(too_big, via).ok());
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("RoundRobinSwitch sends packets to its outputs in turn", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("RoundRobinSwitch", 3);
    Instance<RoundRobinSwitch> e(args, via);
    REQUIRE(e.ok());
    for (std::uint32_t i = 0; i < 7; ++i) CHECK(e.push(painted(0), 3).sent_to(i % 3));
  }
  CHECK(g_live_mbufs == 0);
}

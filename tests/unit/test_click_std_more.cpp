// More of Click's standard elements (issue 18): HashSwitch, RandomSample, HostEtherFilter,
// DropBroadcasts, IPEncap and UDPIPEncap, through the harness's real front end and both ways.
#include "../../elements/ethernet/drop_broadcasts.hpp"
#include "../../elements/ethernet/host_ether_filter.hpp"
#include "../../elements/ip/ip_encap.hpp"
#include "../../elements/ip/udp_ip_encap.hpp"
#include "../../elements/standard/hash_switch.hpp"
#include "../../elements/standard/random_sample.hpp"
#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

std::uint16_t get16(const Bytes& b, std::size_t at) {
  return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1));
}

const HandlerSpec& handler_named(const ElementSpec& spec, std::string_view name) {
  for (const HandlerSpec& h : spec.handlers)
    if (h.name == name) return h;
  FAIL("no handler " << std::string(name));
  return spec.handlers[0];
}

// An Ethernet frame to `dst` from `src`, 20 bytes of payload.
Bytes frame(const EtherAddress& dst, const EtherAddress& src) {
  Bytes b(34, 0x11);
  for (std::size_t i = 0; i < 6; ++i) b[i] = dst[i], b[6 + i] = src[i];
  b[12] = 0x08, b[13] = 0x00;
  return b;
}

constexpr EtherAddress kMe{0x02, 0, 0, 0, 0, 0x01};
constexpr EtherAddress kOther{0x02, 0, 0, 0, 0, 0x02};
constexpr EtherAddress kBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr EtherAddress kMulticast{0x01, 0x00, 0x5e, 0, 0, 0x05};

struct LogCapture {
  std::vector<std::string> lines;
};
void capture_log(void* runtime, const void*, const char* text) {
  static_cast<LogCapture*>(runtime)->lines.push_back(text);
}

}  // namespace

TEST_CASE("HashSwitch sends packets by Click's hash of LENGTH bytes at OFFSET", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    // Four outputs: (sum ^ sum >> 4) & 3. Bytes 1, 2 at offset 2: sum 3 -> output 3.
    Configured four("HashSwitch(2, 2)", 4);
    Instance<HashSwitch> e(four, via);
    REQUIRE(e.ok());
    Bytes in(8, 0);
    in[2] = 1, in[3] = 2;
    CHECK(e.push(in, 4).sent_to(3));
    in[2] = 0x10, in[3] = 0;  // 16 ^ 1 = 17 -> 1
    CHECK(e.push(in, 4).sent_to(1));
    in[2] = 0xff, in[3] = 0xff;  // 510 ^ 31 = 481 -> 1
    Outcome out = e.push(in, 4);
    REQUIRE(out.sent_to(1));
    CHECK(out.only().data() == in);
    // Too short for the bytes: output 0.
    CHECK(e.push(Bytes(3, 9), 4).sent_to(0));
    // Three outputs: sum modulo 3.
    Configured three("HashSwitch(0, 3)", 3);
    Instance<HashSwitch> t(three, via);
    REQUIRE(t.ok());
    CHECK(t.push(Bytes{5, 5, 4}, 3).sent_to(14 % 3));
    CHECK(t.push(Bytes{0, 0, 3, 7}, 3).sent_to(0));
    Configured zero("HashSwitch(0, 0)", 2);
    CHECK_FALSE(Instance<HashSwitch>(zero, via).ok());
    Configured missing("HashSwitch(4)", 2);
    CHECK_FALSE(Instance<HashSwitch>(missing, via).ok());
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("RandomSample samples with probability P from a seeded sequence", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    // About a quarter of 4000 packets, the same ones on every run.
    auto run = [&](const std::string& text, std::uint32_t noutputs, std::vector<std::uint32_t>& ports) {
      Configured args(text, noutputs);
      Instance<RandomSample> e(args, via);
      REQUIRE(e.ok());
      std::uint64_t dropped = 0;
      for (int i = 0; i < 4000; ++i) {
        Outcome out = e.push(Bytes(20, 1), noutputs);
        if (out.emits.size() == 1)
          ports.push_back(out.emits[0].port);
        else
          ++dropped, ports.push_back(99);
      }
      return std::pair{e.counter("drops"), dropped};
    };
    std::vector<std::uint32_t> a, b, c;
    auto [drops_a, lost_a] = run("RandomSample(0.25)", 2, a);
    run("RandomSample(SAMPLE 0.25)", 2, b);
    CHECK(a == b);
    const auto sampled = static_cast<std::size_t>(std::count(a.begin(), a.end(), 0u));
    CHECK(sampled > 850);
    CHECK(sampled < 1150);
    CHECK(drops_a == 4000 - sampled);
    CHECK(lost_a == 0);
    // DROP 0.75 is P 0.25; another SEED another choice; one output drops the rest.
    run("RandomSample(DROP 0.75)", 2, c);
    CHECK(a == c);
    std::vector<std::uint32_t> d, f;
    run("RandomSample(0.25, SEED 7)", 2, d);
    CHECK(a != d);
    auto [drops_f, lost_f] = run("RandomSample(0.25)", 1, f);
    CHECK(drops_f == lost_f);
    CHECK(lost_f == drops_a);
    // 1 samples all, 0 none, ACTIVE false all.
    std::vector<std::uint32_t> all, none, off;
    run("RandomSample(1)", 2, all);
    run("RandomSample(0)", 2, none);
    run("RandomSample(0, ACTIVE false)", 2, off);
    CHECK(std::count(all.begin(), all.end(), 0u) == 4000);
    CHECK(std::count(none.begin(), none.end(), 1u) == 4000);
    CHECK(std::count(off.begin(), off.end(), 0u) == 4000);
    for (const char* bad : {"RandomSample", "RandomSample(1.5)", "RandomSample(0.5, DROP 0.5)", "RandomSample(x)",
                            "RandomSample(-0.1)"}) {
      INFO(bad);
      Configured cfg(bad, 2);
      CHECK_FALSE(Instance<RandomSample>(cfg, via).ok());
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("RandomSample's handlers read and change the probability and ACTIVE", "[kernels][click]") {
  Configured args("RandomSample(DROP 0.75)", 2);
  Instance<RandomSample> e(args, Via::Ops);
  REQUIRE(e.ok());
  std::string text, error;
  handler_named(RandomSample::spec, "sampling_prob").read(&e.config(), e.state(), text);
  CHECK(text == "0.25");
  handler_named(RandomSample::spec, "drop_prob").read(&e.config(), e.state(), text);
  CHECK(text == "0.75");
  REQUIRE(handler_named(RandomSample::spec, "drop_prob").write(&e.config(), e.mutable_state(), "1", error));
  handler_named(RandomSample::spec, "sampling_prob").read(&e.config(), e.state(), text);
  CHECK(text == "0");
  CHECK(e.push(Bytes(20, 1), 2).sent_to(1));
  CHECK_FALSE(handler_named(RandomSample::spec, "sampling_prob").write(&e.config(), e.mutable_state(), "2", error));
  REQUIRE(handler_named(RandomSample::spec, "active").write(&e.config(), e.mutable_state(), "false", error));
  CHECK(e.push(Bytes(20, 1), 2).sent_to(0));
  handler_named(RandomSample::spec, "active").read(&e.config(), e.state(), text);
  CHECK(text == "false");
  CHECK(e.counter("drops") == 1);
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("HostEtherFilter passes what an interface of ETHER receives", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured two("HostEtherFilter(02:00:00:00:00:01)", 2);
    Instance<HostEtherFilter> e(two, via);
    REQUIRE(e.ok());
    CHECK(e.push(frame(kMe, kOther), 2).sent_to(0));
    CHECK(e.push(frame(kBroadcast, kOther), 2).sent_to(0));
    CHECK(e.push(frame(kMulticast, kOther), 2).sent_to(0));
    CHECK(e.push(frame(kOther, kMe), 2).sent_to(1));  // DROP_OTHER by default
    CHECK(e.push(frame(kMe, kMe), 2).sent_to(0));     // DROP_OWN off by default
    Configured own("HostEtherFilter(02:00:00:00:00:01, true, false)", 1);
    Instance<HostEtherFilter> o(own, via);
    REQUIRE(o.ok());
    CHECK(o.push(frame(kMe, kMe), 1).dropped_for(HostEtherFilter::kDrops["own"]));
    CHECK(o.push(frame(kBroadcast, kMe), 1).dropped_for(HostEtherFilter::kDrops["own"]));
    CHECK(o.push(frame(kOther, kOther), 1).sent_to(0));
    Configured one("HostEtherFilter(02:00:00:00:00:01)", 1);
    Instance<HostEtherFilter> d(one, via);
    REQUIRE(d.ok());
    CHECK(d.push(frame(kOther, kOther), 1).dropped_for(HostEtherFilter::kDrops["other host"]));
    CHECK(d.push(Bytes(13, 0), 1).dropped_for(HostEtherFilter::kDrops["short"]));
    // OFFSET: the header 4 bytes in.
    Configured off("HostEtherFilter(02:00:00:00:00:01, OFFSET 4)", 2);
    Instance<HostEtherFilter> f(off, via);
    REQUIRE(f.ok());
    Bytes shifted(4, 0);
    const Bytes other = frame(kOther, kOther);
    shifted.insert(shifted.end(), other.begin(), other.end());
    CHECK(f.push(shifted, 2).sent_to(1));
    Bytes mine(4, 0);
    const Bytes me = frame(kMe, kOther);
    mine.insert(mine.end(), me.begin(), me.end());
    CHECK(f.push(mine, 2).sent_to(0));
    // The ether handler moves the interface.
    const HandlerSpec& h = handler_named(HostEtherFilter::spec, "ether");
    std::string text, error;
    h.read(&e.config(), e.state(), text);
    CHECK(text == "02-00-00-00-00-01");
    REQUIRE(h.write(&e.config(), e.mutable_state(), "02:00:00:00:00:02", error));
    CHECK(e.push(frame(kOther, kMe), 2).sent_to(0));
    CHECK(e.push(frame(kMe, kOther), 2).sent_to(1));
    CHECK_FALSE(h.write(&e.config(), e.mutable_state(), "02:00", error));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("DropBroadcasts drops link-level broadcasts by the Ethernet destination", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    LogCapture logs;
    HostServices host;
    host.runtime = &logs;
    host.log = &capture_log;
    Configured one("DropBroadcasts", 1);
    Instance<DropBroadcasts> e(one, via);
    REQUIRE(e.ok());
    CHECK(e.push(frame(kMe, kOther), 1, &host).sent_to(0));
    CHECK(e.push(frame(kBroadcast, kOther), 1, &host).dropped_for(DropBroadcasts::kDrops["broadcast"]));
    CHECK(e.push(frame(kMulticast, kOther), 1, &host).dropped_for(DropBroadcasts::kDrops["broadcast"]));
    CHECK(e.counter("drops") == 2);
    CHECK(logs.lines == std::vector<std::string>{"dropped a packet"});
    // IP header marked at 14: the Ethernet header before it decides.
    rte_mbuf* m = make_mbuf(frame(kBroadcast, kOther));
    anno_ref(m).network_offset = 14;
    CHECK(e.push(m, 1).dropped_for(DropBroadcasts::kDrops["broadcast"]));
    // Marked at 18 (a VLAN tag in between): the 14 bytes before the IP header.
    Bytes tagged(4, 0xff);
    const Bytes f = frame(kMe, kOther);
    tagged.insert(tagged.end(), f.begin(), f.end());
    m = make_mbuf(tagged);
    anno_ref(m).network_offset = 18;
    CHECK(e.push(m, 1).sent_to(0));
    // Marked at 0 (stripped): no Ethernet header, passes even though its first byte is odd.
    m = make_mbuf(Bytes(20, 0x45));
    anno_ref(m).network_offset = 0;
    CHECK(e.push(m, 1).sent_to(0));
    CHECK(e.push(Bytes{}, 1).sent_to(0));
    Configured two("DropBroadcasts", 2);
    Instance<DropBroadcasts> t(two, via);
    REQUIRE(t.ok());
    CHECK(t.push(frame(kBroadcast, kOther), 2).sent_to(1));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("IPEncap puts Click's IPv4 header in front", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("IPEncap(udp, 10.0.0.1, 10.0.0.2, TOS 0x10, TTL 9, DF true)");
    Instance<IPEncap> e(args, via);
    REQUIRE(e.ok());
    const Bytes payload(30, 0x7a);
    for (std::uint16_t id = 0; id < 2; ++id) {
      Outcome out = e.push(payload, 1);
      REQUIRE(out.sent_to(0));
      const Bytes got = out.only().data();
      REQUIRE(got.size() == 50);
      CHECK(got[0] == 0x45);
      CHECK(got[1] == 0x10);
      CHECK(get16(got, 2) == 50);
      CHECK(get16(got, 4) == id);
      CHECK(get16(got, 6) == 0x4000);
      CHECK(got[8] == 9);
      CHECK(got[9] == 17);
      CHECK(Bytes(got.begin() + 12, got.begin() + 20) == Bytes{10, 0, 0, 1, 10, 0, 0, 2});
      CHECK(checksum::fold(checksum::add(0, std::span<const std::uint8_t>(got.data(), 20))) == 0xffff);
      CHECK(Bytes(got.begin() + 20, got.end()) == payload);
      CHECK(anno_ref(out.only().m.get()).network_offset == 0);
      CHECK(anno_ref(out.only().m.get()).dst_ip == 0x0a000002);
    }
    // Defaults: TTL 250, TOS 0, no DF; DST_ANNO takes the annotation; DSCP, ECT, CE.
    Configured anno("IPEncap(4, 10.0.0.1, DST_ANNO, DSCP 10, ECT 2)");
    Instance<IPEncap> a(anno, via);
    REQUIRE(a.ok());
    rte_mbuf* m = make_mbuf(payload);
    anno_ref(m).dst_ip = 0xc0000209;
    const Bytes got = a.push(m, 1).only().data();
    CHECK(got[1] == (10 << 2 | 2));
    CHECK(get16(got, 6) == 0);
    CHECK(got[8] == 250);
    CHECK(got[9] == 4);
    CHECK(Bytes(got.begin() + 16, got.begin() + 20) == Bytes{192, 0, 2, 9});
    CHECK(checksum::fold(checksum::add(0, std::span<const std::uint8_t>(got.data(), 20))) == 0xffff);
    Configured ce("IPEncap(tcp, 10.0.0.1, 10.0.0.2, CE true)");
    Instance<IPEncap> c(ce, via);
    REQUIRE(c.ok());
    CHECK(c.push(payload, 1).only().data()[1] == 3);
    // No headroom: dropped.
    CHECK(e.push(make_mbuf(payload, 19), 1).dropped_for(IPEncap::kDrops["no headroom"]));
    for (const char* bad :
         {"IPEncap(256, 10.0.0.1, 10.0.0.2)", "IPEncap(foo, 10.0.0.1, 10.0.0.2)", "IPEncap(udp, 10.0.0.1, 10.0.0)",
          "IPEncap(udp, 10.0.0.1, 10.0.0.2, TOS 1, DSCP 1)", "IPEncap(udp, 10.0.0.1, 10.0.0.2, TOS 1, CE true)",
          "IPEncap(udp, 10.0.0.1, 10.0.0.2, ECT 1, CE true)", "IPEncap(udp, 10.0.0.1, 10.0.0.2, DSCP 63)",
          "IPEncap(udp, 10.0.0.1, 10.0.0.2, ECT 3)"}) {
      INFO(bad);
      Configured cfg(bad);
      CHECK_FALSE(Instance<IPEncap>(cfg, via).ok());
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("UDPIPEncap puts UDP and IPv4 headers in front with a correct checksum", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("UDPIPEncap(10.0.0.1, 1234, 10.0.0.2, 53)");
    Instance<UDPIPEncap> e(args, via);
    REQUIRE(e.ok());
    const Bytes payload{1, 2, 3, 4, 5};
    Outcome out = e.push(payload, 1);
    REQUIRE(out.sent_to(0));
    const Bytes got = out.only().data();
    REQUIRE(got.size() == 33);
    CHECK(got[0] == 0x45);
    CHECK(get16(got, 2) == 33);
    CHECK(got[8] == 250);
    CHECK(got[9] == 17);
    CHECK(checksum::fold(checksum::add(0, std::span<const std::uint8_t>(got.data(), 20))) == 0xffff);
    CHECK(get16(got, 20) == 1234);
    CHECK(get16(got, 22) == 53);
    CHECK(get16(got, 24) == 13);
    // The UDP sum with its pseudo-header folds to 0xffff.
    std::uint32_t s = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 13;
    s = checksum::add(s, std::span<const std::uint8_t>(got.data() + 20, 13));
    CHECK(checksum::fold(s) == 0xffff);
    CHECK(Bytes(got.begin() + 28, got.end()) == payload);
    CHECK(anno_ref(out.only().m.get()).network_offset == 0);
    CHECK(anno_ref(out.only().m.get()).dst_ip == 0x0a000002);
    CHECK(get16(e.push(payload, 1).only().data(), 4) == 1);
    Configured no("UDPIPEncap(10.0.0.1, 1234, DST_ANNO, 53, false)");
    Instance<UDPIPEncap> n(no, via);
    REQUIRE(n.ok());
    rte_mbuf* m = make_mbuf(payload);
    anno_ref(m).dst_ip = 0xc0000209;
    const Bytes plain = n.push(m, 1).only().data();
    CHECK(get16(plain, 26) == 0);
    CHECK(Bytes(plain.begin() + 16, plain.begin() + 20) == Bytes{192, 0, 2, 9});
    CHECK(e.push(make_mbuf(payload, 27), 1).dropped_for(UDPIPEncap::kDrops["no headroom"]));
    for (const char* bad : {"UDPIPEncap(10.0.0.1, 70000, 10.0.0.2, 53)", "UDPIPEncap(10.0.0.1, 1, nowhere, 53)",
                            "UDPIPEncap(10.0.0.1, 1, 10.0.0.2)"}) {
      INFO(bad);
      Configured cfg(bad);
      CHECK_FALSE(Instance<UDPIPEncap>(cfg, via).ok());
    }
  }
  CHECK(g_live_mbufs == 0);
}

// Click's IPv4 router pieces (issue 18): IPFragmenter, IPGWOptions, FixIPSrc with ICMPError's
// mark, StoreIPAddress, ICMPPingResponder, ICMPPingSource, CheckIPHeader's INTERFACES, through
// the harness's real front end and both ways of calling.
#include "../../elements/ip/check_ip_header.hpp"
#include "../../elements/ip/fix_ip_src.hpp"
#include "../../elements/ip/icmp_error.hpp"
#include "../../elements/ip/icmp_ping_responder.hpp"
#include "../../elements/ip/ip_classifier.hpp"
#include "../../elements/ip/ip_fragmenter.hpp"
#include "../../elements/ip/ip_gw_options.hpp"
#include "../../elements/ip/store_ip_address.hpp"
#include "../../elements/source/icmp_ping_source.hpp"

#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

void be16(Bytes& b, std::size_t at, std::uint32_t v) {
  b.at(at) = static_cast<std::uint8_t>(v >> 8);
  b.at(at + 1) = static_cast<std::uint8_t>(v);
}
std::uint32_t get16(const Bytes& b, std::size_t at) {
  return std::uint32_t{b.at(at)} << 8 | b.at(at + 1);
}
std::uint32_t get32(const Bytes& b, std::size_t at) {
  return get16(b, at) << 16 | get16(b, at + 2);
}

std::uint16_t fold_sum(const Bytes& b, std::size_t from, std::size_t n) {
  return checksum::fold(checksum::add(0, std::span<const std::uint8_t>(b.data() + from, n)));
}

// An IPv4 header with `options` (already padded), protocol `proto`, then `l4` payload bytes
// numbered 0, 1, 2, ...; a correct header checksum.
Bytes ip_packet(std::size_t l4, const Bytes& options = {}, std::uint8_t proto = 17, std::uint16_t frag = 0,
                std::size_t prefix = 0) {
  const std::size_t hlen = 20 + options.size();
  Bytes p(prefix + hlen + l4, 0);
  for (std::size_t i = 0; i < l4; ++i) p[prefix + hlen + i] = static_cast<std::uint8_t>(i);
  p[prefix] = static_cast<std::uint8_t>(0x40 | hlen / 4);
  be16(p, prefix + 2, static_cast<std::uint32_t>(hlen + l4));
  be16(p, prefix + 4, 0x1234);
  be16(p, prefix + 6, frag);
  p[prefix + 8] = 64;
  p[prefix + 9] = proto;
  p[prefix + 12] = 10, p[prefix + 15] = 1;
  p[prefix + 16] = 10, p[prefix + 19] = 2;
  for (std::size_t i = 0; i < options.size(); ++i) p[prefix + 20 + i] = options[i];
  be16(p, prefix + 10, checksum::finish(checksum::add(0, std::span<const std::uint8_t>(p.data() + prefix, hlen))));
  return p;
}

bool header_ok(const Bytes& p, std::size_t at = 0) {
  return fold_sum(p, at, (p.at(at) & 15u) * 4) == 0xffff;
}

}  // namespace

TEST_CASE("IPFragmenter cuts long datagrams into RFC 791 fragments that put the datagram back together",
          "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    CopyHost copier;
    HostServices host{&copy_mbuf, &copier};
    Configured args("IPFragmenter(300)", 2);
    Instance<IPFragmenter> e(args, via);
    REQUIRE(e.ok());
    // Short: unchanged. 300 bytes exactly: unchanged.
    CHECK(e.push(ip_packet(100), 1, &host).sent_to(0));
    CHECK(e.push(ip_packet(280), 1, &host).sent_to(0));
    // A record route (not copied, 0x07) and a security option (copied, 0x82), with a NOP.
    const Bytes options = {0x01, 0x07, 0x07, 0x04, 0, 0, 0, 0, 0x82, 0x04, 0xaa, 0xbb};
    const Bytes in = ip_packet(1000, options);
    Outcome out = e.push(in, 1, &host);
    REQUIRE(out.drops.empty());
    REQUIRE(out.emits.size() == 4);  // data: 268 (32-byte header), then 272, 272, 188 (24-byte headers)
    Bytes data;
    std::size_t expect_off = 0;
    for (std::size_t i = 0; i < out.emits.size(); ++i) {
      INFO("fragment " << i);
      CHECK(out.emits[i].port == 0);
      const Bytes f = out.emits[i].data();
      CHECK(f.size() <= 300);
      CHECK(header_ok(f));
      const std::size_t hl = (f[0] & 15u) * 4;
      CHECK(get16(f, 2) == f.size());
      CHECK(get16(f, 4) == 0x1234);
      const std::uint32_t word = get16(f, 6);
      CHECK((word & 0x1fff) * 8 == expect_off);
      CHECK(bool(word & 0x2000) == (i + 1 < out.emits.size()));
      if (i == 0) {
        CHECK(hl == 32);  // every option in the first
        CHECK(Bytes(f.begin() + 20, f.begin() + 32) == options);
        CHECK((f.size() - hl) % 8 == 0);
      } else {
        CHECK(hl == 24);  // only the copied option, padded with end-of-list
        CHECK(Bytes(f.begin() + 20, f.begin() + 24) == Bytes({0x82, 0x04, 0xaa, 0xbb}));
        CHECK(anno_ref(out.emits[i].m.get()).network_offset == 0);
      }
      if (i + 1 < out.emits.size()) CHECK((f.size() - hl) % 8 == 0);
      data.insert(data.end(), f.begin() + static_cast<std::ptrdiff_t>(hl), f.end());
      expect_off += f.size() - hl;
    }
    CHECK(data == Bytes(in.begin() + 32, in.end()));
    CHECK(e.counter("fragments") == 4);
    // DF: output 1 (or dropped without it); HONOR_DF false fragments it with DF cleared.
    const Bytes df = ip_packet(1000, {}, 17, 0x4000);
    CHECK(e.push(df, 2, &host).sent_to(1));
    CHECK(e.push(df, 1, &host).dropped_for(IPFragmenter::kDrops["dont fragment"]));
    CHECK(e.counter("df_packets") == 2);
    Configured nodf("IPFragmenter(576, false)", 1);
    Instance<IPFragmenter> n(nodf, via);
    REQUIRE(n.ok());
    Outcome o = n.push(df, 1, &host);
    REQUIRE(o.emits.size() == 2);
    CHECK((get16(o.emits[0].data(), 6) & 0x4000) == 0);
    CHECK(get16(o.emits[1].data(), 6) == 69);  // offset 552 / 8, MF clear
    // A fragment of a fragment keeps its place and its MF.
    Outcome ff = n.push(ip_packet(1000, {}, 17, 0x2000 | 100), 1, &host);
    REQUIRE(ff.emits.size() == 2);
    CHECK(get16(ff.emits[0].data(), 6) == (0x2000 | 100));
    CHECK(get16(ff.emits[1].data(), 6) == (0x2000 | (100 + 69)));
    // The bytes in front of the IP header stay on the first fragment only.
    rte_mbuf* m = make_mbuf(ip_packet(1000, {}, 17, 0, 14));
    anno_ref(m).network_offset = 14;
    Outcome eth = n.push(m, 1, &host);
    REQUIRE(eth.emits.size() == 2);
    CHECK(eth.emits[0].data().size() == 14 + 20 + 552);
    CHECK(eth.emits[1].data().size() == 20 + 448);
    // Too many fragments, or a total length past the end: dropped.
    Configured tiny("IPFragmenter(28)", 1);
    Instance<IPFragmenter> t(tiny, via);
    REQUIRE(t.ok());
    CHECK(t.push(ip_packet(1000), 1, &host).dropped_for(IPFragmenter::kDrops["too many fragments"]));
    Bytes lying = ip_packet(1000);
    be16(lying, 2, 1400);
    CHECK(e.push(lying, 1, &host).dropped_for(IPFragmenter::kDrops["malformed"]));
  }
  Configured big("IPFragmenter(1500, HEADROOM 200)");
  CHECK(!big.front_end_ok());
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("IPGWOptions records the route and timestamps, and points at a bad option", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("IPGWOptions(192.0.2.1, 192.0.2.9 198.51.100.1)", 2);
    Instance<IPGWOptions> e(args, via);
    REQUIRE(e.ok());
    // No options: untouched.
    const Bytes plain = ip_packet(8);
    Outcome p = e.push(plain, 2);
    REQUIRE(p.sent_to(0));
    CHECK(p.only().data() == plain);
    // Record route with room for two addresses, pointer at the first slot.
    Bytes rr = ip_packet(8, {0x07, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    Outcome r = e.push(rr, 2);
    REQUIRE(r.sent_to(0));
    Bytes got = r.only().data();
    CHECK(header_ok(got));
    CHECK(got[22] == 8);
    CHECK(get32(got, 23) == 0xc0000201);
    // A full one is left alone.
    Bytes full = ip_packet(8, {0x07, 7, 8, 1, 2, 3, 4, 0});
    Outcome fu = e.push(full, 2);
    REQUIRE(fu.sent_to(0));
    CHECK(fu.only().data() == full);
    // Timestamp with addresses (flag 1): address and a non-standard timestamp (high bit).
    Bytes ts = ip_packet(8, {68, 12, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0});
    Outcome t = e.push(ts, 2);
    REQUIRE(t.sent_to(0));
    got = t.only().data();
    CHECK(header_ok(got));
    CHECK(got[22] == 13);
    CHECK(get32(got, 24) == 0xc0000201);
    CHECK((get32(got, 28) & 0x80000000u) != 0);
    // Prespecified (flag 3) for one of OTHERADDRS: filled; for a stranger: not.
    Bytes pre = ip_packet(8, {68, 12, 5, 3, 198, 51, 100, 1, 0, 0, 0, 0});
    got = e.push(pre, 2).only().data();
    CHECK(got[22] == 13);
    Bytes other = ip_packet(8, {68, 12, 5, 3, 203, 0, 113, 1, 0, 0, 0, 0});
    got = e.push(other, 2).only().data();
    CHECK(got[22] == 5);
    // Full timestamp (flag 0): the overflow count goes up.
    Bytes ofl = ip_packet(8, {68, 8, 9, 0x20, 0, 0, 0, 0});
    got = e.push(ofl, 2).only().data();
    CHECK(got[23] == 0x30);
    CHECK(header_ok(got));
    // Bad: a length running past the header; a record route pointer out of place; flag 2.
    Bytes badlen = ip_packet(8, {0x07, 40, 4, 0});
    Outcome b = e.push(badlen, 2);
    REQUIRE(b.sent_to(1));
    CHECK(anno_ref(b.only().m.get()).user[0] == 21);  // the length byte
    Bytes badptr = ip_packet(8, {0x07, 7, 2, 0, 0, 0, 0, 0});
    b = e.push(badptr, 2);
    REQUIRE(b.sent_to(1));
    CHECK(anno_ref(b.only().m.get()).user[0] == 22);
    Bytes badflag = ip_packet(8, {68, 8, 5, 2, 0, 0, 0, 0});
    b = e.push(badflag, 2);
    REQUIRE(b.sent_to(1));
    CHECK(anno_ref(b.only().m.get()).user[0] == 23);
    CHECK(e.push(badflag, 1).dropped_for(IPGWOptions::kDrops["bad option"]));
    CHECK(e.counter("bad") == 4);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ICMPError marks its errors for FixIPSrc, which gives them the outgoing address", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured err_args("ICMPError(10.0.0.1, parameterproblem)");
    Instance<ICMPError> err(err_args, via);
    REQUIRE(err.ok());
    Configured fix_args("FixIPSrc(192.0.2.1)");
    Instance<FixIPSrc> fix(fix_args, via);
    REQUIRE(fix.ok());
    rte_mbuf* m = make_mbuf(ip_packet(16));
    anno_ref(m).user[0] = 22;  // IPGWOptions' pointer
    Outcome e = err.push(m, 1);
    REQUIRE(e.sent_to(0));
    const Bytes icmp = e.only().data();
    CHECK(icmp[20] == 12);
    CHECK(icmp[24] == 22);  // the parameter problem's pointer
    CHECK(anno_ref(e.only().m.get()).user[2] == 1);
    CHECK(get32(icmp, 12) == 0x0a000001);
    Outcome f = fix.push(e.emits[0].m.release(), 1);
    REQUIRE(f.sent_to(0));
    const Bytes fixed = f.only().data();
    CHECK(get32(fixed, 12) == 0xc0000201);
    CHECK(header_ok(fixed));
    CHECK(anno_ref(f.only().m.get()).user[2] == 0);
    CHECK(Bytes(fixed.begin() + 20, fixed.end()) == Bytes(icmp.begin() + 20, icmp.end()));
    // Unmarked packets pass unchanged.
    const Bytes plain = ip_packet(8);
    Outcome u = fix.push(plain, 1);
    REQUIRE(u.sent_to(0));
    CHECK(u.only().data() == plain);
    CHECK(fix.counter("fixed") == 1);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("StoreIPAddress stores an address or the annotation, and src/dst with checksums", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured two("StoreIPAddress(192.0.2.7, 4)", 2);
    Instance<StoreIPAddress> e(two, via);
    REQUIRE(e.ok());
    Outcome o = e.push(Bytes(10, 0), 2);
    REQUIRE(o.sent_to(0));
    CHECK(o.only().data() == Bytes({0, 0, 0, 0, 192, 0, 2, 7, 0, 0}));
    CHECK(e.push(Bytes(7, 0), 2).sent_to(1));
    CHECK(e.push(Bytes(7, 0), 1).dropped_for(StoreIPAddress::kDrops["out of range"]));
    // One argument: the annotation, and a 0 annotation leaves the packet alone.
    Configured one("StoreIPAddress(2)");
    Instance<StoreIPAddress> a(one, via);
    REQUIRE(a.ok());
    rte_mbuf* m = make_mbuf(Bytes(8, 0));
    anno_ref(m).dst_ip = 0x01020304;
    CHECK(a.push(m, 1).only().data() == Bytes({0, 0, 1, 2, 3, 4, 0, 0}));
    CHECK(a.push(Bytes(8, 0), 1).only().data() == Bytes(8, 0));
    // src: the IP and UDP checksums follow.
    Configured src("StoreIPAddress(203.0.113.5, src)");
    Instance<StoreIPAddress> s(src, via);
    REQUIRE(s.ok());
    Bytes udp = ip_packet(12);
    be16(udp, 20, 1000), be16(udp, 22, 2000), be16(udp, 24, 12), be16(udp, 26, 0);
    auto udp_sum = [](const Bytes& p) {
      std::uint32_t sum = checksum::add(0, std::span<const std::uint8_t>(p.data() + 12, 8)) + 17 + 12;
      return checksum::finish(checksum::add(sum, std::span<const std::uint8_t>(p.data() + 20, 12)));
    };
    be16(udp, 26, udp_sum(udp));
    const Bytes out = s.push(udp, 1).only().data();
    CHECK(get32(out, 12) == 0xcb007105);
    CHECK(header_ok(out));
    Bytes zeroed = out;
    be16(zeroed, 26, 0);
    CHECK(get16(out, 26) == udp_sum(zeroed));
  }
  Configured bad("StoreIPAddress(192.0.2.1, sideways)");
  CHECK(!bad.front_end_ok());
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ICMPPingResponder answers echo requests in place", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("ICMPPingResponder", 2);
    Instance<ICMPPingResponder> e(args, via);
    REQUIRE(e.ok());
    Bytes req = ip_packet(16, {}, 1, 0x4000);
    req[20] = 8;
    be16(req, 22, 0), be16(req, 24, 0x77), be16(req, 26, 3);
    be16(req, 22, checksum::finish(checksum::add(0, std::span<const std::uint8_t>(req.data() + 20, 16))));
    rte_mbuf* m = make_mbuf(req);
    anno_ref(m).paint = 4;
    Outcome o = e.push(m, 2);
    REQUIRE(o.sent_to(0));
    const Bytes rep = o.only().data();
    CHECK(get32(rep, 12) == 0x0a000002);
    CHECK(get32(rep, 16) == 0x0a000001);
    CHECK(rep[8] == 255);
    CHECK(get16(rep, 6) == 0);
    CHECK(header_ok(rep));
    CHECK(rep[20] == 0);
    CHECK(fold_sum(rep, 20, 16) == 0xffff);
    CHECK(get16(rep, 24) == 0x77);
    CHECK(anno_ref(o.only().m.get()).dst_ip == 0x0a000001);
    CHECK(anno_ref(o.only().m.get()).paint == 0);
    CHECK(e.push(ip_packet(16), 2).sent_to(1));
    CHECK(e.push(ip_packet(16), 1).dropped_for(ICMPPingResponder::kDrops["not an echo request"]));
  }
  CHECK(g_live_mbufs == 0);
}

namespace {

class PingPull final : public PullContext {
 public:
  std::uint32_t pull(std::uint32_t, rte_mbuf**, std::uint32_t) override { return 0; }
  void push_copy(std::uint32_t, rte_mbuf*) override {}
  std::uint32_t ninputs() const override { return 1; }
  std::uint32_t noutputs() const override { return 1; }
  std::uint64_t now_cycles() const override { return now; }
  std::uint64_t cycles_per_second() const override { return 1000000; }  // one cycle a microsecond
  rte_mbuf* new_packet() override { return make_mbuf({}, kHeadroom, 2048); }
  void stop_router() override { ++stops; }
  void drop(rte_mbuf* m, std::uint32_t) override { MbufFree{}(m); }
  std::uint64_t now = 1000;
  int stops = 0;
};

std::uint64_t g_now = 0;
std::uint64_t test_clock() {
  return g_now;
}
std::vector<std::string> g_printed;
void capture_print(void*, const void*, const char* text, std::uint32_t len) {
  g_printed.emplace_back(text, len);
}

}  // namespace

TEST_CASE("ICMPPingSource sends numbered echo requests on its clock and counts the replies", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("ICMPPingSource(10.0.0.1, 10.0.0.2, INTERVAL 0.5, LIMIT 3, STOP true, IDENTIFIER 9, DATA ab)");
    Instance<ICMPPingSource> e(args, via);
    REQUIRE(e.ok());
    PingPull ctx;
    rte_mbuf* out[4] = {};
    REQUIRE(e.pull(ctx, out, 4) == 1);
    const Bytes ping = data_of(out[0]);
    REQUIRE(ping.size() == 30);
    CHECK(header_ok(ping));
    CHECK(ping[8] == 200);
    CHECK(get32(ping, 12) == 0x0a000001);
    CHECK(get32(ping, 16) == 0x0a000002);
    CHECK(ping[20] == 8);
    CHECK(get16(ping, 24) == 9);
    CHECK(get16(ping, 26) == 1);
    CHECK(get16(ping, 4) == 1);
    CHECK(fold_sum(ping, 20, 10) == 0xffff);
    CHECK(anno_ref(out[0]).dst_ip == 0x0a000002);
    CHECK(anno_ref(out[0]).network_offset == 0);
    // Not before INTERVAL.
    ctx.now += 400000;
    CHECK(e.pull(ctx, out + 1, 3) == 0);
    ctx.now += 100000;
    REQUIRE(e.pull(ctx, out + 1, 3) == 1);
    CHECK(get16(data_of(out[1]), 26) == 2);
    // The reply to the first, 1.5 ms after it was sent; then a duplicate; then a stranger.
    g_now = 1000 + 1500;
    HostServices host;
    host.now_cycles = &test_clock;
    host.cycles_per_second = 1000000;
    host.print = &capture_print;
    g_printed.clear();
    Bytes reply = ping;
    reply[20] = 0;
    std::swap_ranges(reply.begin() + 12, reply.begin() + 16, reply.begin() + 16);
    rte_mbuf* r = make_mbuf(reply);
    anno_ref(r).network_offset = 0;
    CHECK(e.push(r, 1, &host).dropped_for(ICMPPingSource::kDrops["reply"]));
    CHECK(e.push(reply, 1, &host).dropped_for(ICMPPingSource::kDrops["reply"]));
    Bytes stranger = reply;
    be16(stranger, 24, 10);
    CHECK(e.push(stranger, 1, &host).dropped_for(ICMPPingSource::kDrops["not a reply"]));
    REQUIRE(g_printed.size() == 2);
    CHECK(g_printed[0] == "ICMPPingSource: 2 bytes from 10.0.0.2: icmp_seq=1 ttl=200 time=1.500 ms\n");
    const auto& st = *static_cast<const ICMPPingSource::State*>(e.state());
    CHECK(st.received == 1);
    CHECK(st.duplicates == 1);
    CHECK(st.rtt_min_us == 1500);
    std::string summary;
    for (const HandlerSpec& h : ICMPPingSource::spec.handlers)
      if (h.name == "summary") h.read(&e.config(), e.state(), summary);
    CHECK(summary ==
          "2 packets transmitted, 1 received, +1 duplicates, 50% packet loss\n"
          "rtt min/avg/max/mdev = 1.500/1.500/1.500/0.000\n");
    // LIMIT 3, STOP true: the third, then the end of the run.
    ctx.now += 500000;
    REQUIRE(e.pull(ctx, out + 2, 2) == 1);
    ctx.now += 500000;
    CHECK(e.pull(ctx, out + 3, 1) == 0);
    CHECK(ctx.stops == 1);
    for (int i = 0; i < 3; ++i) MbufFree{}(out[i]);
  }
  Configured mirror("ICMPPingSource(10.0.0.1, 10.0.0.2, MIRROR true)");
  CHECK(!mirror.front_end_ok());
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckIPHeader's INTERFACES: directed broadcasts are bad sources unless sent to the router",
          "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("CheckIPHeader(INTERFACES 10.0.0.1/24 192.0.2.1/24)", 2);
    Instance<CheckIPHeader> e(args, via);
    REQUIRE(e.ok());
    auto from_to = [](std::uint32_t src, std::uint32_t dst) {
      Bytes p = ip_packet(8);
      be16(p, 12, src >> 16), be16(p, 14, src & 0xffff), be16(p, 16, dst >> 16), be16(p, 18, dst & 0xffff);
      be16(p, 10, 0);
      be16(p, 10, checksum::finish(checksum::add(0, std::span<const std::uint8_t>(p.data(), 20))));
      return p;
    };
    CHECK(e.push(from_to(0x0a000005, 0x08080808), 2).sent_to(0));
    CHECK(e.push(from_to(0x0a0000ff, 0x08080808), 2).sent_to(1));
    CHECK(e.push(from_to(0xc00002ff, 0x08080808), 2).sent_to(1));
    CHECK(e.push(from_to(0, 0x08080808), 2).sent_to(1));
    CHECK(e.push(from_to(0xffffffff, 0x08080808), 2).sent_to(1));
    CHECK(e.push(from_to(0x0a0000ff, 0xc0000201), 2).sent_to(0));  // to the router itself
  }
  Configured bad("CheckIPHeader(INTERFACES 10.0.0.1/33)");
  CHECK(!bad.front_end_ok());
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("IPClassifier takes Click's icmp echo-reply, proto icmp and dst tcp ssh", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("IPClassifier(icmp echo-reply, proto udp, dst tcp ssh or https, -)", 4);
    Instance<IPClassifier> e(args, via);
    REQUIRE(e.ok());
    Bytes reply = ip_packet(8, {}, 1);
    reply[20] = 0;
    Bytes request = reply;
    request[20] = 8;
    auto tcp_to = [](std::uint32_t port) {
      Bytes p = ip_packet(20, {}, 6);
      be16(p, 22, port);
      return p;
    };
    auto marked = [](const Bytes& b) {  // as CheckIPHeader leaves it: the filter reads a marked header
      rte_mbuf* m = make_mbuf(b);
      anno_ref(m).network_offset = 0;
      return m;
    };
    CHECK(e.push(marked(reply), 4).sent_to(0));
    CHECK(e.push(marked(request), 4).sent_to(3));
    CHECK(e.push(marked(ip_packet(8)), 4).sent_to(1));
    CHECK(e.push(marked(tcp_to(22)), 4).sent_to(2));
    CHECK(e.push(marked(tcp_to(443)), 4).sent_to(2));
    CHECK(e.push(marked(tcp_to(80)), 4).sent_to(3));
    // `tcp 10.0.0.2` stays tcp and that host (Click's test-tcp.click), not a port.
    Configured host_args("IPClassifier(tcp 10.0.0.2, -)", 2);
    Instance<IPClassifier> h(host_args, via);
    REQUIRE(h.ok());
    CHECK(h.push(marked(tcp_to(80)), 2).sent_to(0));
    CHECK(h.push(marked(ip_packet(8)), 2).sent_to(1));
  }
  CHECK(g_live_mbufs == 0);
}

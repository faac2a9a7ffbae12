// Click's IPv6 basics (issue 18): CheckIP6Header, DecIP6HLIM and ICMP6Error, through the
// harness's real front end and both ways. LookupIP6Route needs DPDK (rte_lpm6): tests/nf/ip6_check.py.
#include "../../elements/ip6/check_ip6_header.hpp"
#include "../../elements/ip6/dec_ip6_hlim.hpp"
#include "../../elements/ip6/icmp6_error.hpp"
#include "../../elements/ip6/ip6_text.hpp"
#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

std::uint16_t get16(const Bytes& b, std::size_t at) {
  return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1));
}

ip6_text::IP6Address addr(const char* text) {
  ip6_text::IP6Address a{};
  REQUIRE(ip6_text::parse_address(text, a));
  return a;
}

// An IPv6 header at `prefix` from src to dst, then `payload` bytes of next header `next`.
Bytes ip6_with(std::uint8_t next, std::size_t payload, std::size_t prefix = 0, const char* src = "2001:db8::10",
               const char* dst = "2001:db8:1::20", std::uint8_t hlim = 64) {
  Bytes p(prefix + 40 + payload, 0);
  for (std::size_t i = 0; i < payload; ++i) p[prefix + 40 + i] = static_cast<std::uint8_t>(i * 7 + 3);
  p[prefix] = 0x60;
  p[prefix + 4] = static_cast<std::uint8_t>(payload >> 8);
  p[prefix + 5] = static_cast<std::uint8_t>(payload);
  p[prefix + 6] = next;
  p[prefix + 7] = hlim;
  const auto s = addr(src), d = addr(dst);
  std::copy(s.begin(), s.end(), p.begin() + static_cast<std::ptrdiff_t>(prefix + 8));
  std::copy(d.begin(), d.end(), p.begin() + static_cast<std::ptrdiff_t>(prefix + 24));
  return p;
}

rte_mbuf* marked(const Bytes& b, std::uint16_t offset) {
  rte_mbuf* m = make_mbuf(b);
  anno_ref(m).network_offset = offset;
  return m;
}

// The ICMPv6 checksum with its pseudo-header (RFC 8200 8.1) folds to 0xffff.
bool icmp6_sum_ok(const Bytes& p) {
  const std::uint32_t len = get16(p, 4);
  std::uint32_t s = checksum::add(0, std::span<const std::uint8_t>(p.data() + 8, 32));
  s += len + 58;
  s = checksum::add(s, std::span<const std::uint8_t>(p.data() + 40, len));
  return checksum::fold(s) == 0xffff;
}

}  // namespace

TEST_CASE("CheckIP6Header passes valid headers, trims padding and marks the header", "[kernels][click][ip6]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    for (std::uint16_t offset : {0, 14, 22}) {
      Configured args("CheckIP6Header(OFFSET " + std::to_string(offset) + ")", 2);
      Instance<CheckIP6Header> e(args, via);
      REQUIRE(e.ok());
      Bytes in = ip6_with(17, 16, offset);
      Bytes padded = in;
      padded.resize(in.size() + 6, 0xee);
      Outcome out = e.push(padded, 2);
      REQUIRE(out.sent_to(0));
      CHECK(out.only().data() == in);
      CHECK(anno_ref(out.only().m.get()).network_offset == offset);
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckIP6Header finds each kind of bad header", "[kernels][click][ip6]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("CheckIP6Header(2001:db8::bad 2001:db8::bad2)");
    Instance<CheckIP6Header> e(args, via);
    REQUIRE(e.ok());
    auto reason = [&](const Bytes& b) {
      Outcome out = e.push(b, 1);
      REQUIRE(out.emits.empty());
      REQUIRE(out.drops.size() == 1);
      return std::string(reason_name(CheckIP6Header::spec, out.drops[0].reason));
    };
    const Bytes good = ip6_with(17, 8);
    CHECK(e.push(good, 1).sent_to(0));
    CHECK(reason(Bytes(good.begin(), good.begin() + 39)) == "too short");
    Bytes v4 = good;
    v4[0] = 0x45;
    CHECK(reason(v4) == "bad version");
    Bytes longer = good;
    longer[5] = 9;  // one byte more than there is
    CHECK(reason(longer) == "bad payload length");
    CHECK(reason(ip6_with(17, 8, 0, "2001:db8::bad2")) == "bad source");
    CHECK(reason(ip6_with(17, 8, 0, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")) == "bad source");
    CHECK(e.push(ip6_with(17, 8, 0, "2001:db8::bad3"), 1).sent_to(0));  // off the list
    CHECK(*static_cast<const std::uint64_t*>(e.state()) == 5);
  }
  // With output 1, bad packets leave there unchanged.
  Configured two("CheckIP6Header", 2);
  Instance<CheckIP6Header> e(two, Via::Ops);
  REQUIRE(e.ok());
  Bytes bad = ip6_with(17, 8);
  bad[0] = 0x40;
  {
    Outcome out = e.push(bad, 2);
    REQUIRE(out.sent_to(1));
    CHECK(out.only().data() == bad);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckIP6Header takes BADADDRS first, as Click does, and says so for a bare offset", "[click][ip6]") {
  Configured offset_only("CheckIP6Header(14)");
  CHECK_FALSE(offset_only.front_end_ok());
  INFO(offset_only.diagnostics());
  CHECK(offset_only.diagnostics().find("OFFSET 14") != std::string::npos);
  Configured both("CheckIP6Header(2001:db8::1, 14)");
  CHECK(both.front_end_ok());
  Configured bad("CheckIP6Header(BADADDRS 2001:db8::1 2001:zz::1)");
  CHECK_FALSE(bad.front_end_ok());
  CHECK(bad.diagnostics().find("'2001:zz::1' is not an IPv6 address") != std::string::npos);
}

TEST_CASE("DecIP6HLIM decrements the hop limit and sends expired packets to output 1", "[kernels][click][ip6]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured two("DecIP6HLIM", 2);
    Instance<DecIP6HLIM> e(two, via);
    REQUIRE(e.ok());
    const Bytes in = ip6_with(17, 8, 14, "2001:db8::10", "ff02::1", 64);
    Outcome out = e.push(marked(in, 14), 2);
    REQUIRE(out.sent_to(0));
    Bytes want = in;
    want[14 + 7] = 63;  // multicast too: IPv6 has no exception (Click's neither)
    CHECK(out.only().data() == want);
    for (std::uint8_t h : {1, 0}) {
      const Bytes old = ip6_with(17, 8, 0, "2001:db8::10", "2001:db8::20", h);
      Outcome ex = e.push(old, 2);
      REQUIRE(ex.sent_to(1));
      CHECK(ex.only().data() == old);
    }
    CHECK(*static_cast<const std::uint64_t*>(e.state()) == 2);
    Configured one("DecIP6HLIM");
    Instance<DecIP6HLIM> d(one, via);
    REQUIRE(d.ok());
    CHECK(d.push(ip6_with(17, 8, 0, "2001:db8::10", "2001:db8::20", 1), 1).dropped_for(DecIP6HLIM::kDrops["expired"]));
    CHECK(d.push(Bytes(39, 0x60), 1).dropped_for(DecIP6HLIM::kDrops["malformed"]));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ICMP6Error writes the SRC, TYPE and CODE it is given and quotes up to 1280 bytes", "[kernels][click][ip6]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("ICMP6Error(2001:db8::1, 3, 0)");
    Instance<ICMP6Error> e(args, via);
    REQUIRE(e.ok());
    for (std::size_t payload : {8u, 100u, 1500u}) {
      INFO(payload << " bytes of payload");
      const Bytes in = ip6_with(17, payload, 14);
      Outcome out = e.push(marked(in, 14), 1);
      REQUIRE(out.sent_to(0));
      const Bytes got = out.only().data();
      const std::size_t quote = std::min<std::size_t>(in.size() - 14, 1280 - 48);
      REQUIRE(got.size() == 48 + quote);
      CHECK(got[0] == 0x60);
      CHECK(get16(got, 4) == 8 + quote);
      CHECK(got[6] == 58);
      CHECK(got[7] == 255);
      const auto src = addr("2001:db8::1");
      CHECK(Bytes(got.begin() + 8, got.begin() + 24) == Bytes(src.begin(), src.end()));
      CHECK(Bytes(got.begin() + 24, got.begin() + 40) == Bytes(in.begin() + 14 + 8, in.begin() + 14 + 24));
      CHECK(got[40] == 3);
      CHECK(got[41] == 0);
      CHECK(icmp6_sum_ok(got));
      CHECK(Bytes(got.begin() + 48, got.end()) ==
            Bytes(in.begin() + 14, in.begin() + 14 + static_cast<std::ptrdiff_t>(quote)));
      CHECK(anno_ref(out.only().m.get()).network_offset == 0);
    }
    Configured other("ICMP6Error(SRC fe80::1, TYPE 1, CODE 4)");
    Instance<ICMP6Error> u(other, via);
    REQUIRE(u.ok());
    Outcome out = u.push(ip6_with(17, 8), 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data()[40] == 1);
    CHECK(out.only().data()[41] == 4);
    CHECK(icmp6_sum_ok(out.only().data()));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ICMP6Error sends no error where RFC 4443 forbids one", "[kernels][click][ip6]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("ICMP6Error(2001:db8::1, 3, 0)");
    Instance<ICMP6Error> e(args, via);
    REQUIRE(e.ok());
    const std::uint32_t no = ICMP6Error::kDrops["no error allowed"];
    Bytes err = ip6_with(58, 8);
    err[40] = 1;  // destination unreachable: an error
    CHECK(e.push(err, 1).dropped_for(no));
    Bytes echo = ip6_with(58, 8);
    echo[40] = 128;  // echo request: gets one
    CHECK(e.push(echo, 1).sent_to(0));
    CHECK(e.push(ip6_with(17, 8, 0, "2001:db8::10", "ff02::1"), 1).dropped_for(no));
    CHECK(e.push(ip6_with(17, 8, 0, "::"), 1).dropped_for(no));
    CHECK(e.push(ip6_with(17, 8, 0, "ff02::2"), 1).dropped_for(no));
    Bytes later = ip6_with(44, 16);
    later[42] = 0x01;  // fragment offset 32
    CHECK(e.push(later, 1).dropped_for(no));
    Bytes first = ip6_with(44, 16);
    first[42] = 0, first[43] = 1;  // offset 0, more fragments
    CHECK(e.push(first, 1).sent_to(0));
    CHECK(e.push(Bytes(30, 0x60), 1).dropped_for(ICMP6Error::kDrops["malformed"]));
  }
  // Packet too big to a multicast destination is allowed, and carries MTU 1500.
  Configured big("ICMP6Error(2001:db8::1, 2, 0)");
  Instance<ICMP6Error> b(big, Via::Ops);
  REQUIRE(b.ok());
  {
    Outcome out = b.push(ip6_with(17, 8, 0, "2001:db8::10", "ff02::1"), 1);
    REQUIRE(out.sent_to(0));
    CHECK(get16(out.only().data(), 46) == 1500);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ICMP6Error refuses non-error types and bad addresses", "[click][ip6]") {
  Configured redirect("ICMP6Error(2001:db8::1, 137, 0)");
  CHECK_FALSE(redirect.front_end_ok());
  Configured badsrc("ICMP6Error(10.0.0.1, 3, 0)");
  CHECK_FALSE(badsrc.front_end_ok());
  CHECK(badsrc.diagnostics().find("not an IPv6 address") != std::string::npos);
}

TEST_CASE("ip6_text reads Click's IPv6 prefixes and routes", "[click][ip6]") {
  ip6_text::IP6Address a{};
  unsigned len = 0;
  REQUIRE(ip6_text::parse_prefix("2001:db8:ff::1/32", a, len));
  CHECK(len == 32);
  CHECK(ip6_text::format(a) == "2001:db8::");
  REQUIRE(ip6_text::parse_prefix("2001:db8::/ffff:ffff:ffff::", a, len));
  CHECK(len == 48);
  CHECK_FALSE(ip6_text::parse_prefix("2001:db8::/ffff::ffff", a, len));
  CHECK_FALSE(ip6_text::parse_prefix("2001:db8::/129", a, len));
  REQUIRE(ip6_text::parse_prefix("::1", a, len));
  CHECK(len == 128);
  ip6_text::Route r{};
  std::string why;
  REQUIRE(ip6_text::parse_route("::/0 fe80::1 2", r, why));
  CHECK(r.length == 0);
  CHECK(r.port == 2);
  CHECK(ip6_text::format(r.gateway) == "fe80::1");
  CHECK_FALSE(ip6_text::parse_route("2001:db8::/32 10.0.0.1 1", r, why));
  CHECK(why.find("gateway") != std::string::npos);
}

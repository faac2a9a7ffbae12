// Click's IPv6 neighbour discovery and helpers (issue 18): GetIP6Address, IP6NDSolicitor,
// IP6NDAdvertiser and IP6Print, through the harness's real front end and both ways. The
// solicitor's solicitations are fed to the advertiser and its advertisements back to the
// solicitor, so each checks the other; tests/nf/ip6_nd_check.py has tshark check them too.
#include "../../elements/ip6/get_ip6_address.hpp"
#include "../../elements/ip6/ip6_nd_advertiser.hpp"
#include "../../elements/ip6/ip6_nd_solicitor.hpp"
#include "../../elements/ip6/ip6_print.hpp"
#include "../../elements/ip6/ip6_text.hpp"
#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

Bytes addr(const char* text) {
  ip6_text::IP6Address a{};
  REQUIRE(ip6_text::parse_address(text, a));
  return Bytes(a.begin(), a.end());
}

Bytes slice(const Bytes& b, std::size_t at, std::size_t n) {
  REQUIRE(at + n <= b.size());
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + n));
}

// An IPv6/UDP packet (no Ethernet header) from src to dst.
Bytes ip6_packet(const char* src, const char* dst, std::size_t payload = 16) {
  Bytes p(40 + payload, 0);
  p[0] = 0x60;
  p[5] = static_cast<std::uint8_t>(payload);
  p[6] = 17;
  p[7] = 64;
  const Bytes s = addr(src), d = addr(dst);
  std::copy(s.begin(), s.end(), p.begin() + 8);
  std::copy(d.begin(), d.end(), p.begin() + 24);
  for (std::size_t i = 0; i < payload; ++i) p[40 + i] = static_cast<std::uint8_t>(i + 1);
  return p;
}

// The ICMPv6 message of an Ethernet frame sums, with its pseudo-header, to 0xffff.
bool icmp6_sum_ok(const Bytes& f) {
  const std::size_t plen = static_cast<std::size_t>(f.at(18) << 8 | f.at(19));
  REQUIRE(54 + plen <= f.size());
  return checksum::finish(
             nd::icmp6_sum(f.data() + 22, f.data() + 38, std::span<const std::uint8_t>(f.data() + 54, plen))) == 0;
}

void fix_sum(Bytes& f) {
  f[56] = f[57] = 0;
  const std::size_t plen = static_cast<std::size_t>(f[18] << 8 | f[19]);
  const std::uint16_t c =
      checksum::finish(nd::icmp6_sum(f.data() + 22, f.data() + 38, std::span<const std::uint8_t>(f.data() + 54, plen)));
  f[56] = static_cast<std::uint8_t>(c >> 8);
  f[57] = static_cast<std::uint8_t>(c);
}

const Bytes kRouterEth{0x02, 0, 0, 0, 0, 0x01};
const Bytes kHostEth{0x02, 0, 0, 0, 0, 0x0b};

}  // namespace

TEST_CASE("GetIP6Address copies sixteen bytes into the destination IPv6 annotation", "[kernels][click][ip6]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("GetIP6Address(24)");
    Instance<GetIP6Address> e(args, via);
    REQUIRE(e.ok());
    const Bytes in = ip6_packet("2001:db8::1", "2001:db8:2::77");
    Outcome out = e.push(in, 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == in);
    std::uint8_t got[16];
    anno_ref(out.only().m.get()).dst_ip6(got);
    CHECK(Bytes(got, got + 16) == addr("2001:db8:2::77"));
    // It shares its bytes with the IPv4 next hop and the last user bytes, as Click's overlaps.
    CHECK(anno_ref(out.only().m.get()).user[14] == 0x00);
    CHECK(anno_ref(out.only().m.get()).dst_ip != 0);
    CHECK(anno_ref(out.only().m.get()).paint == 0);

    Configured src("GetIP6Address(OFFSET 8)");
    Instance<GetIP6Address> s(src, via);
    REQUIRE(s.ok());
    out = s.push(in, 1);
    anno_ref(out.only().m.get()).dst_ip6(got);
    CHECK(Bytes(got, got + 16) == addr("2001:db8::1"));
    // Too short for the sixteen bytes: dropped, never read past the end.
    for (std::size_t n : {0u, 24u, 39u}) CHECK(e.push(slice(in, 0, n), 1).dropped_for(GetIP6Address::kDrops["short"]));
  }
  Configured none("GetIP6Address");
  Instance<GetIP6Address> e(none, Via::Ops);
  CHECK_FALSE(e.ok());
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("IP6NDSolicitor solicits unknown next hops and encapsulates known ones", "[kernels][click][ip6]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("IP6NDSolicitor(2001:db8::1, 02:00:00:00:00:01)");
    Instance<IP6NDSolicitor> q(args, via);
    REQUIRE(q.ok());
    q.setup();
    const Bytes ip = ip6_packet("2001:db8:9::5", "2001:db8::ab:cdef");
    // Unknown: the packet becomes the solicitation for its destination.
    Outcome out = q.push(ip, 1);
    REQUIRE(out.sent_to(0));
    const Bytes ns = out.only().data();
    REQUIRE(ns.size() == 86);
    CHECK(slice(ns, 0, 6) == Bytes{0x33, 0x33, 0xff, 0xab, 0xcd, 0xef});
    CHECK(slice(ns, 6, 6) == kRouterEth);
    CHECK(slice(ns, 12, 2) == Bytes{0x86, 0xdd});
    CHECK(ns[14] == 0x60);
    CHECK(ns[19] == 32);
    CHECK(ns[20] == 58);
    CHECK(ns[21] == 255);
    CHECK(slice(ns, 22, 16) == addr("2001:db8::1"));
    CHECK(slice(ns, 38, 16) == addr("ff02::1:ffab:cdef"));
    CHECK(ns[54] == 135);
    CHECK(ns[55] == 0);
    CHECK(icmp6_sum_ok(ns));
    CHECK(slice(ns, 62, 16) == addr("2001:db8::ab:cdef"));
    CHECK(slice(ns, 78, 2) == Bytes{1, 1});
    CHECK(slice(ns, 80, 6) == kRouterEth);

    // The advertiser answers it; the answer teaches the solicitor (and is consumed).
    Configured adv_args("IP6NDAdvertiser(2001:db8::ab:cdef 02:00:00:00:00:0b)");
    Instance<IP6NDAdvertiser> adv(adv_args, via);
    REQUIRE(adv.ok());
    Outcome na = adv.push(ns, 1);
    REQUIRE(na.sent_to(0));
    const Bytes reply = na.only().data();
    CHECK(q.push(make_mbuf(reply), 1, nullptr, 1).dropped_for(IP6NDSolicitor::kDrops["advertisement used"]));
    CHECK(q.counter("learnt") == 1);
    out = q.push(ip, 1);
    REQUIRE(out.sent_to(0));
    Bytes got = out.only().data();
    REQUIRE(got.size() == ip.size() + 14);
    CHECK(slice(got, 0, 6) == kHostEth);
    CHECK(slice(got, 6, 6) == kRouterEth);
    CHECK(slice(got, 12, 2) == Bytes{0x86, 0xdd});
    CHECK(slice(got, 14, ip.size()) == ip);

    // The annotation, when set, is the next hop rather than the destination.
    rte_mbuf* m = make_mbuf(ip6_packet("2001:db8:9::5", "2001:db8:77::1"));
    const Bytes hop = addr("2001:db8::ab:cdef");
    anno_ref(m).set_dst_ip6(hop.data());
    out = q.push(m, 1);
    REQUIRE(out.sent_to(0));
    CHECK(slice(out.only().data(), 0, 6) == kHostEth);
    m = make_mbuf(ip6_packet("2001:db8:9::5", "2001:db8:77::1"));
    const Bytes other = addr("fe80::12:3456");
    anno_ref(m).set_dst_ip6(other.data());
    out = q.push(m, 1);
    REQUIRE(out.only().data().size() == 86);
    CHECK(slice(out.only().data(), 62, 16) == other);
    // Multicast destinations go to their Ethernet group without asking.
    out = q.push(ip6_packet("2001:db8:9::5", "ff02::1:2"), 1);
    REQUIRE(out.sent_to(0));
    CHECK(slice(out.only().data(), 0, 6) == Bytes{0x33, 0x33, 0, 1, 0, 2});
    CHECK(q.counter("encapsulated") == 3);
    CHECK(q.counter("queries") == 2);

    // With output 1 connected, solicitations leave there.
    Configured two("IP6NDSolicitor(2001:db8::1, 02:00:00:00:00:01)", 2);
    Instance<IP6NDSolicitor> q2(two, via);
    REQUIRE(q2.ok());
    q2.setup();
    CHECK(q2.push(ip, 2).sent_to(1));

    // Advertisements RFC 4861 refuses teach nothing.
    Bytes bad = reply;
    bad[21] = 64;  // forwarded by a router
    fix_sum(bad);
    CHECK(q2.push(make_mbuf(bad), 2, nullptr, 1).dropped_for(IP6NDSolicitor::kDrops["malformed"]));
    bad = reply;
    bad[70] ^= 1;  // checksum no longer right
    CHECK(q2.push(make_mbuf(bad), 2, nullptr, 1).dropped_for(IP6NDSolicitor::kDrops["malformed"]));
    bad = reply;
    bad[78] = 1;  // a source, not a target, link-layer address
    fix_sum(bad);
    CHECK(q2.push(make_mbuf(bad), 2, nullptr, 1).dropped_for(IP6NDSolicitor::kDrops["no link address"]));
    CHECK(q2.push(make_mbuf(ns), 2, nullptr, 1).dropped_for(IP6NDSolicitor::kDrops["not an advertisement"]));
    CHECK(q2.counter("learnt") == 0);
    CHECK(q2.push(ip, 2).sent_to(1));  // still unknown

    // Bad input on either port is dropped, never read beyond its end.
    for (std::size_t n = 0; n < 40; ++n)
      CHECK(q.push(slice(ip, 0, n), 1).dropped_for(IP6NDSolicitor::kDrops["malformed"]));
    for (std::size_t n = 0; n < reply.size(); ++n)
      CHECK(q.push(make_mbuf(slice(reply, 0, n)), 1, nullptr, 1).drops.size() == 1);
    // No headroom for the solicitation or the Ethernet header: dropped.
    CHECK(q2.push(make_mbuf(ip, 40), 2).dropped_for(IP6NDSolicitor::kDrops["no headroom"]));
    CHECK(q.push(make_mbuf(ip, 10), 1).dropped_for(IP6NDSolicitor::kDrops["no headroom"]));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("IP6NDAdvertiser answers solicitations for its addresses as Click does", "[kernels][click][ip6]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    // A solicitation from a host, made by a solicitor standing in for it.
    Configured host_args("IP6NDSolicitor(2001:db8::99, 02:00:00:00:00:0b)");
    Instance<IP6NDSolicitor> host(host_args, via);
    REQUIRE(host.ok());
    host.setup();
    auto solicit = [&](const char* target) {
      Outcome o = host.push(ip6_packet("2001:db8::99", target), 1);
      REQUIRE(o.sent_to(0));
      return o.only().data();
    };
    Configured args(
        "IP6NDAdvertiser(2001:db8::/64 02:00:00:00:00:0a, 2001:db8::1 fe80::1/128 02:00:00:00:00:01, "
        "2001:db8:5::/ffff:ffff:ffff:ffff:: 02:00:00:00:00:05)",
        2);
    Instance<IP6NDAdvertiser> a(args, via);
    REQUIRE(a.ok());
    REQUIRE(a.config().nentries == 4);
    struct Case {
      const char* target;
      Bytes ether;
    } cases[] = {{"2001:db8::1", kRouterEth},  // the /128 is more specific than the /64
                 {"fe80::1", kRouterEth},
                 {"2001:db8::42", Bytes{2, 0, 0, 0, 0, 0x0a}},
                 {"2001:db8:5::42", Bytes{2, 0, 0, 0, 0, 0x05}}};
    for (const Case& c : cases) {
      INFO(c.target);
      Outcome out = a.push(solicit(c.target), 2);
      REQUIRE(out.sent_to(0));
      const Bytes na = out.only().data();
      REQUIRE(na.size() == 86);
      CHECK(slice(na, 0, 6) == kHostEth);
      CHECK(slice(na, 6, 6) == c.ether);
      CHECK(slice(na, 12, 2) == Bytes{0x86, 0xdd});
      CHECK(na[19] == 32);
      CHECK(na[20] == 58);
      CHECK(na[21] == 255);
      CHECK(slice(na, 22, 16) == addr(c.target));
      CHECK(slice(na, 38, 16) == addr("2001:db8::99"));
      CHECK(na[54] == 136);
      CHECK(na[58] == 0xc0);  // router and solicited, as Click sends them
      CHECK(icmp6_sum_ok(na));
      CHECK(slice(na, 62, 16) == addr(c.target));
      CHECK(slice(na, 78, 2) == Bytes{2, 1});
      CHECK(slice(na, 80, 6) == c.ether);
      CHECK(anno_ref(out.only().m.get()).network_offset == PacketAnno::kNoNetworkOffset);
    }
    CHECK(a.counter("replies") == 4);
    // Others' addresses leave on output 1 unchanged, or are dropped without it.
    const Bytes others = solicit("2001:db8:6::1");
    Outcome out = a.push(others, 2);
    REQUIRE(out.sent_to(1));
    CHECK(out.only().data() == others);
    Configured one("IP6NDAdvertiser(2001:db8::1 02:00:00:00:00:01)");
    Instance<IP6NDAdvertiser> a1(one, via);
    REQUIRE(a1.ok());
    CHECK(a1.push(others, 1).dropped_for(IP6NDAdvertiser::kDrops["not ours"]));

    // Duplicate address detection (from ::, no option): answered at all-nodes, not solicited.
    Bytes dad = slice(solicit("2001:db8::1"), 0, 78);
    dad[19] = 24;
    std::fill(dad.begin() + 22, dad.begin() + 38, 0);
    fix_sum(dad);
    out = a1.push(dad, 1);
    REQUIRE(out.sent_to(0));
    const Bytes na = out.only().data();
    REQUIRE(na.size() == 86);
    CHECK(slice(na, 0, 6) == Bytes{0x33, 0x33, 0, 0, 0, 1});
    CHECK(slice(na, 38, 16) == addr("ff02::1"));
    CHECK(na[58] == 0x80);
    CHECK(icmp6_sum_ok(na));

    // Solicitations RFC 4861 7.1.1 refuses are dropped, short ones never read past their end.
    Bytes bad = solicit("2001:db8::1");
    bad[21] = 254;
    fix_sum(bad);
    CHECK(a1.push(bad, 1).dropped_for(IP6NDAdvertiser::kDrops["malformed"]));
    bad = solicit("2001:db8::1");
    bad[57] ^= 0x10;
    CHECK(a1.push(bad, 1).dropped_for(IP6NDAdvertiser::kDrops["malformed"]));
    bad = solicit("2001:db8::1");
    bad[55] = 1;  // code
    fix_sum(bad);
    CHECK(a1.push(bad, 1).dropped_for(IP6NDAdvertiser::kDrops["malformed"]));
    const Bytes good = solicit("2001:db8::1");
    for (std::size_t n = 0; n < 78; ++n)
      CHECK(a1.push(slice(good, 0, n), 1).dropped_for(IP6NDAdvertiser::kDrops["malformed"]));
    CHECK(a1.push(make_mbuf(dad, 4), 1).dropped_for(IP6NDAdvertiser::kDrops["no headroom"]));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("IP6NDAdvertiser reads Click's entries and refuses bad ones", "[click][ip6]") {
  // ip601.click's: addresses with /128, upper-case Ethernet addresses.
  Configured clicks(
      "IP6NDAdvertiser(3ffe:1ce1:2:0:200::1/128 00:A0:C9:9C:FD:9E, fe80::2a0:c9ff:fe9c:fd9e/128 "
      "00:A0:C9:9C:FD:9E)");
  Instance<IP6NDAdvertiser> e(clicks, Via::Ops);
  CHECK(e.ok());
  for (const char* bad : {"IP6NDAdvertiser(2001:db8::1)", "IP6NDAdvertiser(02:00:00:00:00:01)",
                          "IP6NDAdvertiser(2001:db8::1 02:00:00:00:00:01 02:00:00:00:00:02)",
                          "IP6NDAdvertiser(2001:db8::1/129 02:00:00:00:00:01)", "IP6NDAdvertiser"}) {
    INFO(bad);
    Configured args(bad);
    Instance<IP6NDAdvertiser> a(args, Via::Ops);
    CHECK_FALSE(a.ok());
  }
  Configured sol("IP6NDSolicitor(10.0.0.1, 02:00:00:00:00:01)");
  CHECK_FALSE(sol.front_end_ok());
  CHECK(sol.diagnostics().find("is not an IPv6 address") != std::string::npos);
}

namespace {
struct PrintHost {
  PrintHost() {
    services.print = &capture;
    services.runtime = this;
  }
  static void capture(void* runtime, const void*, const char* text, std::uint32_t len) {
    static_cast<PrintHost*>(runtime)->text.append(text, len);
  }
  HostServices services;
  std::string text;
};
}  // namespace

TEST_CASE("IP6Print writes Click's line and contents", "[kernels][click][ip6]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    PrintHost host;
    Configured args("IP6Print(v6)");
    Instance<IP6Print> e(args, via);
    REQUIRE(e.ok());
    const Bytes ip = ip6_packet("2001:db8::1", "::ffff:10.0.0.2");
    Outcome out = e.push(ip, 1, &host.services);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == ip);
    CHECK(host.text == "v6: 2001:db8::1 -> ::ffff:10.0.0.2 plen 16, next 17, hlim 64\n");
    host.text.clear();
    CHECK(e.push(slice(ip, 0, 39), 1, &host.services).sent_to(0));
    CHECK(host.text == "v6: truncated-ip6\n");

    // Contents from the packet's start, the header found by the network offset.
    Configured hex("IP6Print(NBYTES 28, CONTENTS true)");
    Instance<IP6Print> h(hex, via);
    REQUIRE(h.ok());
    Bytes framed(14, 0xee);
    framed.insert(framed.end(), ip.begin(), ip.end());
    rte_mbuf* m = make_mbuf(framed);
    anno_ref(m).network_offset = 14;
    host.text.clear();
    CHECK(h.push(m, 1, &host.services).sent_to(0));
    CHECK(host.text ==
          "2001:db8::1 -> ::ffff:10.0.0.2 plen 16, next 17, hlim 64\n"
          "  eeeeeeee eeeeeeee eeeeeeee eeee6000 00000010 11402001\n"
          "  0db80000 \n");
    Configured exact("IP6Print(x, NBYTES 4, CONTENTS true)");
    Instance<IP6Print> x(exact, via);
    REQUIRE(x.ok());
    host.text.clear();
    CHECK(x.push(ip, 1, &host.services).sent_to(0));
    CHECK(host.text == "x: 2001:db8::1 -> ::ffff:10.0.0.2 plen 16, next 17, hlim 64\n  60000000 \n");
    // No print service: the packet still passes.
    CHECK(x.push(ip, 1).sent_to(0));
  }
  CHECK(g_live_mbufs == 0);
}

// Click's GNAT elements (issue 18): ProtocolTranslator64/46, the older two-way
// ProtocolTranslator and AddressTranslator, through the harness's real front end and both ways.
// Expected packets are derived by hand (checksums included); tests/nf/nat64_check.py has tshark
// read what nbrun writes.
#include "../../elements/ip6/address_translator.hpp"
#include "../../elements/ip6/protocol_translator.hpp"
#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

Bytes hex(const std::string& text) {
  Bytes b;
  std::string digits;
  for (char c : text)
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  REQUIRE(digits.size() % 2 == 0);
  for (std::size_t i = 0; i < digits.size(); i += 2)
    b.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return b;
}

// ::ffff:10.0.0.1 and ::ffff:192.0.2.9 as they are on the wire.
const std::string kSrc6 = "0000 0000 0000 0000 0000 ffff 0a00 0001";
const std::string kDst6 = "0000 0000 0000 0000 0000 ffff c000 0209";
// A UDP datagram 1000 -> 53 carrying "abcd", its checksum field 0 (the translators ignore it).
const std::string kUdp = "03e8 0035 000c 0000 61626364";

Bytes ip6_udp(const std::string& src = kSrc6, const std::string& dst = kDst6, const std::string& udp = kUdp,
              const std::string& plen = "000c", const std::string& next = "11") {
  return hex("6000 0000" + plen + next + "3f" + src + dst + udp);
}

std::string reason(const ElementSpec& spec, const Outcome& out) {
  REQUIRE(out.emits.empty());
  REQUIRE(out.drops.size() == 1);
  return std::string(reason_name(spec, out.drops[0].reason));
}

Bytes slice(const Bytes& b, std::size_t from, std::size_t to) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(from), b.begin() + static_cast<std::ptrdiff_t>(to));
}

std::uint16_t get16(const Bytes& b, std::size_t at) {
  return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1));
}

// The IPv6 transport checksum (pseudo-header included) of an IPv6 packet folds to 0xffff.
bool l4_sum6_ok(const Bytes& p) {
  const std::uint32_t len = get16(p, 4);
  std::uint32_t s = checksum::add(0, std::span<const std::uint8_t>(p.data() + 8, 32)) + len + p.at(6);
  s = checksum::add(s, std::span<const std::uint8_t>(p.data() + 40, len));
  return checksum::fold(s) == 0xffff;
}

}  // namespace

TEST_CASE("ProtocolTranslator64 turns IPv6/UDP and ICMPv6 echo into IPv4 with hand-derived checksums",
          "[kernels][click][ip6][nat64]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("ProtocolTranslator64");
    Instance<ProtocolTranslator64> e(args, via);
    REQUIRE(e.ok());
    // TTL = hop limit 0x3f, DF, id 0; IP checksum 0x6fc3, UDP checksum 0x6ae8 (summed by hand).
    Outcome out = e.push(ip6_udp(), 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == hex("4500 0020 0000 4000 3f11 6fc3 0a00 0001 c000 0209 03e8 0035 000c 6ae8 61626364"));
    CHECK(anno_ref(out.only().m.get()).network_offset == 0);
    // Echo request 128 -> 8, identifier 0x1234 and sequence 1 kept: ICMP checksum 0x7d61.
    out = e.push(hex("6000 0000 000a 3a 40" + kSrc6 + kDst6 + "8000 0000 1234 0001 6869"), 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == hex("4500 001e 0000 4000 4001 6ed5 0a00 0001 c000 0209 0800 7d61 1234 0001 6869"));
    // Behind an Ethernet header found by CheckIP6Header: the header is cut off, padding too.
    Bytes framed = hex("020000000002 020000000001 86dd");
    const Bytes v6 = ip6_udp();
    framed.insert(framed.end(), v6.begin(), v6.end());
    framed.push_back(0xee);
    rte_mbuf* m = make_mbuf(framed);
    anno_ref(m).network_offset = 14;
    out = e.push(m, 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == hex("4500 0020 0000 4000 3f11 6fc3 0a00 0001 c000 0209 03e8 0035 000c 6ae8 61626364"));
    CHECK(e.counter("translated") == 3);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ProtocolTranslator64 maps ICMPv6 errors as Click does", "[kernels][click][ip6][nat64]") {
  Configured args("ProtocolTranslator64");
  Instance<ProtocolTranslator64> e(args, Via::Ops);
  REQUIRE(e.ok());
  auto icmp_of = [&](const std::string& icmp6) {
    Outcome out = e.push(hex("6000 0000 0008 3a 40" + kSrc6 + kDst6 + icmp6), 1);
    REQUIRE(out.sent_to(0));
    const Bytes d = out.only().data();
    REQUIRE(d.size() == 28);
    std::uint32_t s = checksum::add(0, std::span<const std::uint8_t>(d.data() + 20, 8));
    CHECK(checksum::fold(s) == 0xffff);
    return Bytes{d[20], d[21], d[24], d[25], d[26], d[27]};  // type, code, rest of header
  };
  CHECK(icmp_of("0104 0000 0000 0000") == Bytes{3, 3, 0, 0, 0, 0});     // port unreachable
  CHECK(icmp_of("0101 0000 0000 0000") == Bytes{3, 10, 0, 0, 0, 0});    // administratively prohibited
  CHECK(icmp_of("0200 0000 0000 0500") == Bytes{3, 4, 0, 0, 0, 0});     // too big: MTU left 0, as Click
  CHECK(icmp_of("0301 0000 0000 0000") == Bytes{11, 1, 0, 0, 0, 0});    // time exceeded, same code
  CHECK(icmp_of("0400 0000 0000 0018") == Bytes{12, 0, 255, 0, 0, 0});  // pointer 24 (dst) -> 255
  CHECK(icmp_of("0400 0000 0000 0007") == Bytes{12, 0, 8, 0, 0, 0});    // hop limit -> TTL
  CHECK(icmp_of("0401 0000 0000 0006") == Bytes{3, 2, 0, 0, 0, 0});     // next header -> protocol unreach
  CHECK(reason(ProtocolTranslator64::spec, e.push(hex("6000 0000 0008 3a 40" + kSrc6 + kDst6 + "8700 0000 0000 0000"),
                                                  1)) == "unsupported ICMP");  // neighbor solicitation
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ProtocolTranslator64 drops and counts what it cannot translate, reading nothing past the packet",
          "[kernels][click][ip6][nat64][bounds]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("ProtocolTranslator64");
    Instance<ProtocolTranslator64> e(args, via);
    REQUIRE(e.ok());
    const ElementSpec& spec = ProtocolTranslator64::spec;
    const Bytes good = ip6_udp();
    CHECK(reason(spec, e.push(Bytes(good.begin(), good.begin() + 39), 1)) == "malformed");
    CHECK(reason(spec, e.push(Bytes(good.begin(), good.end() - 1), 1)) == "malformed");  // payload length past the end
    CHECK(reason(spec, e.push(ip6_udp(kSrc6, kDst6, "03e8 0035", "0004"), 1)) == "malformed");  // UDP cut short
    Bytes v4 = good;
    v4[0] = 0x45;
    CHECK(reason(spec, e.push(v4, 1)) == "malformed");
    CHECK(reason(spec, e.push(ip6_udp("2001 0db8 0000 0000 0000 0000 0000 0001"), 1)) == "not IPv4-embedded");
    CHECK(reason(spec, e.push(ip6_udp(kSrc6, "0000 0000 0000 0000 0000 ffff 0000 0000"), 1)) == "not IPv4-embedded");
    CHECK(reason(spec, e.push(ip6_udp(kSrc6, kDst6, kUdp, "000c", "00"), 1)) == "unsupported protocol");  // hop-by-hop
    // IPv4-compatible addresses (::a.b.c.d) are taken too, as Click took them when GNAT was written.
    CHECK(e.push(ip6_udp("0000 0000 0000 0000 0000 0000 0a00 0001"), 1).sent_to(0));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ProtocolTranslator46 turns IPv4/UDP and ICMP echo into IPv6 with hand-derived checksums",
          "[kernels][click][ip6][nat64]") {
  const Bytes udp4 = hex("4500 0020 0000 4000 3f11 6fc3 0a00 0001 c000 0209 03e8 0035 000c 0000 61626364");
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("ProtocolTranslator46");
    Instance<ProtocolTranslator46> e(args, via);
    REQUIRE(e.ok());
    // Hop limit = TTL; the UDP checksum, 0 in IPv4, is computed: 0x6ae8 (the ::ffff: words add 0).
    Outcome out = e.push(udp4, 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == hex("6000 0000 000c 11 3f" + kSrc6 + kDst6 + "03e8 0035 000c 6ae8 61626364"));
    // Echo request 8 -> 128 with the pseudo-header: ICMPv6 checksum 0x3912.
    out = e.push(hex("4500 001e 0000 4000 4001 6ed5 0a00 0001 c000 0209 0800 7d61 1234 0001 6869"), 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == hex("6000 0000 000a 3a 40" + kSrc6 + kDst6 + "8000 3912 1234 0001 6869"));
    // Options are left out (header length 24).
    out = e.push(hex("4600 0024 0000 4000 3f11 0000 0a00 0001 c000 0209 01010100 03e8 0035 000c 0000 61626364"), 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == hex("6000 0000 000c 11 3f" + kSrc6 + kDst6 + "03e8 0035 000c 6ae8 61626364"));
    CHECK(e.counter("translated") == 3);
  }
  // MAPPED false: IPv4-compatible addresses, the same checksum (0xffff words add nothing).
  Configured compat("ProtocolTranslator46(MAPPED false)");
  Instance<ProtocolTranslator46> c(compat, Via::Ops);
  REQUIRE(c.ok());
  Outcome out = c.push(udp4, 1);
  REQUIRE(out.sent_to(0));
  CHECK(out.only().data() == hex("6000 0000 000c 11 3f 0000 0000 0000 0000 0000 0000 0a00 0001 "
                                 "0000 0000 0000 0000 0000 0000 c000 0209 03e8 0035 000c 6ae8 61626364"));
  out = Outcome{};  // its packets are freed: none may be left
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ProtocolTranslator46 maps ICMP errors and drops what it cannot translate",
          "[kernels][click][ip6][nat64][bounds]") {
  Configured args("ProtocolTranslator46");
  Instance<ProtocolTranslator46> e(args, Via::Ops);
  REQUIRE(e.ok());
  const ElementSpec& spec = ProtocolTranslator46::spec;
  auto icmp6_of = [&](const std::string& icmp) {
    Outcome out = e.push(hex("4500 001c 0000 0000 4001 0000 0a00 0001 c000 0209" + icmp), 1);
    REQUIRE(out.sent_to(0));
    const Bytes d = out.only().data();
    REQUIRE(d.size() == 48);
    CHECK(l4_sum6_ok(d));
    return Bytes(d.begin() + 40, d.end());
  };
  Bytes r = icmp6_of("0303 0000 0000 0000");
  CHECK((r[0] == 1 && r[1] == 4));  // port unreachable
  r = icmp6_of("0302 0000 0000 0000");
  CHECK((r[0] == 4 && r[1] == 1 && r[7] == 6));  // protocol unreachable -> parameter problem, pointer 6
  r = icmp6_of("0304 0000 0000 05dc");
  CHECK((r[0] == 2 && r[1] == 0 && r[6] == 0 && r[7] == 0));  // fragmentation needed -> too big, MTU 0 as Click
  r = icmp6_of("0b00 0000 0000 0000");
  CHECK((r[0] == 3 && r[1] == 0));
  r = icmp6_of("0c00 0000 0c00 0000");
  CHECK((r[0] == 4 && get16(r, 4) == 0 && get16(r, 6) == 8));  // pointer 12 (source) -> 8, network order
  const Bytes udp4 = hex("4500 0020 0000 4000 3f11 6fc3 0a00 0001 c000 0209 03e8 0035 000c 0000 61626364");
  CHECK(reason(spec, e.push(Bytes(udp4.begin(), udp4.begin() + 19), 1)) == "malformed");
  CHECK(reason(spec, e.push(Bytes(udp4.begin(), udp4.end() - 1), 1)) == "malformed");  // total length past the end
  CHECK(reason(spec, e.push(hex("4f00 0020 0000 4000 3f11 6fc3 0a00 0001 c000 0209 03e8 0035 000c 0000 61626364"),
                            1)) == "malformed");  // header length 60 past the total length
  CHECK(reason(spec, e.push(hex("4500 0020 0000 2000 3f11 6fc3 0a00 0001 c000 0209 03e8 0035 000c 0000 61626364"),
                            1)) == "fragment");
  CHECK(reason(spec, e.push(hex("4500 0020 0000 4000 3f2f 6fc3 0a00 0001 c000 0209 03e8 0035 000c 0000 61626364"),
                            1)) == "unsupported protocol");  // GRE
  CHECK(reason(spec, e.push(hex("4500 001c 0000 0000 4001 0000 0a00 0001 c000 0209 0d00 0000 0000 0000"), 1)) ==
        "unsupported ICMP");  // timestamp
  CHECK(reason(spec, e.push(make_mbuf(udp4, 10), 1)) == "no headroom");
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ProtocolTranslator, Click's older two-way translator, sends each way out of its own output",
          "[kernels][click][ip6][nat64]") {
  Configured args("ProtocolTranslator", 2);
  Instance<ProtocolTranslator> e(args, Via::Ops);
  REQUIRE(e.ok());
  const Bytes udp4 = hex("4500 0020 0000 4000 3f11 6fc3 0a00 0001 c000 0209 03e8 0035 000c 6ae8 61626364");
  Outcome out = e.push(make_mbuf(ip6_udp()), 2, nullptr, 0);
  REQUIRE(out.sent_to(0));
  CHECK(out.only().data() == udp4);
  out = e.push(make_mbuf(udp4), 2, nullptr, 1);
  REQUIRE(out.sent_to(1));
  CHECK(out.only().data() == hex("6000 0000 000c 11 3f" + kSrc6 + kDst6 + "03e8 0035 000c 6ae8 61626364"));
  CHECK(e.counter("translated64") == 1);
  CHECK(e.counter("translated46") == 1);
  Configured compat("ProtocolTranslator(MAPPED false)", 2);
  Instance<ProtocolTranslator> c(compat, Via::Direct);
  REQUIRE(c.ok());
  out = c.push(make_mbuf(udp4), 2, nullptr, 1);
  REQUIRE(out.sent_to(1));
  CHECK(out.only().data() == hex("6000 0000 000c 11 3f 0000 0000 0000 0000 0000 0000 0a00 0001 "
                                 "0000 0000 0000 0000 0000 0000 c000 0209 03e8 0035 000c 6ae8 61626364"));
  out = Outcome{};  // its packets are freed: none may be left
  CHECK(g_live_mbufs == 0);
}

namespace {
// 3ffe:1ce1:2::1 (inside), ::18.26.4.17 (mapped), ::18.7.21.69 (outside).
const std::string kInner = "3ffe 1ce1 0002 0000 0000 0000 0000 0001";
const std::string kMapped = "0000 0000 0000 0000 0000 0000 121a 0411";
const std::string kOutside = "0000 0000 0000 0000 0000 0000 1207 1545";

Bytes udp6(const std::string& src, const std::string& dst, const std::string& ports) {
  return hex("6000 0000 000c 11 40" + src + dst + ports + "000c 0000 61626364");
}
Outcome push_on(Instance<AddressTranslator>& e, const Bytes& b, std::uint32_t in_port) {
  return e.push(make_mbuf(b), 2, nullptr, in_port);
}
}  // namespace

TEST_CASE("AddressTranslator maps a host statically both ways", "[kernels][click][ip6][nat64]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("AddressTranslator(1, 0, 3ffe:1ce1:2::1 ::18.26.4.17, 0)", 2);
    Instance<AddressTranslator> e(args, via);
    REQUIRE(e.ok());
    Outcome out = push_on(e, udp6(kInner, kOutside, "03e8 0050"), 0);
    REQUIRE(out.sent_to(0));
    Bytes d = out.only().data();
    Bytes want = udp6(kMapped, kOutside, "03e8 0050");
    CHECK(Bytes(d.begin(), d.begin() + 46) == Bytes(want.begin(), want.begin() + 46));
    CHECK(l4_sum6_ok(d));
    out = push_on(e, udp6(kOutside, kMapped, "0050 03e8"), 1);
    REQUIRE(out.sent_to(1));
    d = out.only().data();
    want = udp6(kOutside, kInner, "0050 03e8");
    CHECK(Bytes(d.begin(), d.begin() + 46) == Bytes(want.begin(), want.begin() + 46));
    CHECK(l4_sum6_ok(d));
    CHECK(reason(AddressTranslator::spec, push_on(e, udp6(kOutside, kOutside, "0050 03e8"), 1)) == "no mapping");
    CHECK(reason(AddressTranslator::spec, push_on(e, udp6(kOutside, kOutside, "0050 03e8"), 0)) == "no mapping");
    // ICMPv6 (any type) is translated by address.
    out = push_on(e, hex("6000 0000 0008 3a 40" + kInner + kOutside + "0100 0000 0000 0000"), 0);
    REQUIRE(out.sent_to(0));
    CHECK(l4_sum6_ok(out.only().data()));
    CHECK(e.counter("outward") == 2);
    CHECK(e.counter("inward") == 1);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("AddressTranslator's dynamic port mapping gives flows ports in turn and maps replies back",
          "[kernels][click][ip6][nat64]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("AddressTranslator(0, 1, 1, 0, ::18.26.4.17 6000 6001)", 2);
    Instance<AddressTranslator> e(args, via);
    REQUIRE(e.ok());
    e.setup();
    const ElementSpec& spec = AddressTranslator::spec;
    auto out_port = [&](const std::string& ports) {
      Outcome out = push_on(e, udp6(kInner, kOutside, ports), 0);
      REQUIRE(out.sent_to(0));
      const Bytes d = out.only().data();
      CHECK(Bytes(d.begin() + 8, d.begin() + 24) == hex(kMapped));
      CHECK(l4_sum6_ok(d));
      return get16(d, 40);
    };
    CHECK(out_port("03e8 0050") == 6000);
    CHECK(out_port("03e9 0050") == 6001);
    CHECK(out_port("03e8 0050") == 6000);  // the same flow keeps its port
    CHECK(reason(spec, push_on(e, udp6(kInner, kOutside, "03ea 0050"), 0)) == "no free port");
    // The reply to port 6001 from the flow's outside end gets the inside end back.
    Outcome out = push_on(e, udp6(kOutside, kMapped, "0050 1771"), 1);
    REQUIRE(out.sent_to(1));
    const Bytes d = out.only().data();
    CHECK(Bytes(d.begin() + 24, d.begin() + 40) == hex(kInner));
    CHECK(get16(d, 42) == 0x03e9);
    CHECK(l4_sum6_ok(d));
    CHECK(reason(spec, push_on(e, udp6(kOutside, kMapped, "0051 1771"), 1)) == "no mapping");  // another end
    CHECK(reason(spec, push_on(e, udp6(kOutside, kMapped, "0050 1772"), 1)) == "no mapping");  // unmapped port
    // Inward packets make no mappings (DIRECTION 0).
    CHECK(e.counter("mappings") == 2);
    // An ICMPv6 echo uses its identifier as its port: none is free now.
    CHECK(reason(spec, push_on(e, hex("6000 0000 0008 3a 40" + kInner + kOutside + "8000 0000 0007 0001"), 0)) ==
          "no free port");
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("AddressTranslator maps ICMPv6 echo identifiers as ports", "[kernels][click][ip6][nat64]") {
  Configured args("AddressTranslator(0, 1, 1, 0, ::18.26.4.17 6000 6010)", 2);
  Instance<AddressTranslator> e(args, Via::Ops);
  REQUIRE(e.ok());
  e.setup();
  Outcome out = push_on(e, hex("6000 0000 0008 3a 40" + kInner + kOutside + "8000 0000 0007 0001"), 0);
  REQUIRE(out.sent_to(0));
  Bytes d = out.only().data();
  CHECK(get16(d, 44) == 6000);
  CHECK(l4_sum6_ok(d));
  out = push_on(e, hex("6000 0000 0008 3a 40" + kOutside + kMapped + "8100 0000 1770 0001"), 1);
  REQUIRE(out.sent_to(1));
  d = out.only().data();
  CHECK(get16(d, 44) == 7);
  CHECK(Bytes(d.begin() + 24, d.begin() + 40) == hex(kInner));
  CHECK(l4_sum6_ok(d));
  out = Outcome{};  // its packets are freed: none may be left
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("AddressTranslator binds pool addresses dynamically, as conf/ip64-nat.click asks",
          "[kernels][click][ip6][nat64]") {
  Configured args("AddressTranslator(0, 1, 0, 0, ::1.0.0.1)", 2);
  Instance<AddressTranslator> e(args, Via::Ops);
  REQUIRE(e.ok());
  const std::string frenulum = "0000 0000 0000 0000 0000 ffff 0000 0002";
  const std::string other = "0000 0000 0000 0000 0000 ffff 0000 0003";
  const std::string pool = "0000 0000 0000 0000 0000 0000 0100 0001";
  Outcome out = push_on(e, udp6(frenulum, kOutside, "03e8 0050"), 0);
  REQUIRE(out.sent_to(0));
  CHECK(slice(out.only().data(), 8, 24) == hex(pool));
  CHECK(reason(AddressTranslator::spec, push_on(e, udp6(other, kOutside, "03e8 0050"), 0)) == "no mapping");
  out = push_on(e, udp6(kOutside, pool, "0050 03e8"), 1);
  REQUIRE(out.sent_to(1));
  CHECK(slice(out.only().data(), 24, 40) == hex(frenulum));
  CHECK(l4_sum6_ok(out.only().data()));
  CHECK(e.counter("mappings") == 1);
  out = Outcome{};  // its packets are freed: none may be left
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("AddressTranslator drops malformed and non-TCP/UDP/ICMPv6 packets", "[kernels][click][ip6][nat64][bounds]") {
  Configured args("AddressTranslator(1, 0, 3ffe:1ce1:2::1 ::18.26.4.17, 0)", 2);
  Instance<AddressTranslator> e(args, Via::Ops);
  REQUIRE(e.ok());
  const ElementSpec& spec = AddressTranslator::spec;
  const Bytes good = udp6(kInner, kOutside, "03e8 0050");
  CHECK(reason(spec, push_on(e, Bytes(good.begin(), good.begin() + 39), 0)) == "malformed");
  CHECK(reason(spec, push_on(e, Bytes(good.begin(), good.end() - 1), 0)) == "malformed");
  CHECK(reason(spec, push_on(e, hex("6000 0000 0004 11 40" + kInner + kOutside + "03e8 0050"), 0)) == "malformed");
  CHECK(reason(spec, push_on(e, hex("6000 0000 0008 00 40" + kInner + kOutside + "1100 0000 0000 0000"), 0)) ==
        "unsupported protocol");
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("AddressTranslator refuses arguments it cannot honour, and takes Click's older list", "[click][ip6][nat64]") {
  auto refused = [](const std::string& text, const std::string& why) {
    Configured args(text, 2);
    Instance<AddressTranslator> e(args, Via::Ops);
    INFO(text << ": " << e.error());
    CHECK_FALSE(e.ok());
    CHECK(e.error().find(why) != std::string::npos);
  };
  refused("AddressTranslator(0, 0, ::1)", "would be ignored");
  refused("AddressTranslator(1, 0, 3ffe::1, 0)", "should be 'INNER MAPPED'");
  refused("AddressTranslator(1, 1, 3ffe::1 ::1.2.3.4, 0)", "should be 'INNER IPORT MAPPED MPORT'");
  refused("AddressTranslator(0, 1, 1, 0, ::1 6000 5000)", "PORTL <= PORTH");
  refused("AddressTranslator(0, 1, 1, 0, ::1 6000 6010, ::2 1 2)", "would be ignored");
  refused("AddressTranslator(0, 1, 0, 0, 1.2.3.4)", "IPv6 addresses");
  refused("AddressTranslator(x)", "number of static mappings");
  refused("AddressTranslator(0, 1 0 0 0 0 1, 0 0 1 1 0 0, 0, ::1 1 2)", "not ones nb takes");
  // conf/gnat01.click's and gnat02.click's lists (Click's before February 2001).
  Configured g1("AddressTranslator(0, 1 1 0 0 0 0, 0 0 1 1 0 0, 0, ::ffff:18.26.4.125 1300 1310)", 2);
  Instance<AddressTranslator> a(g1, Via::Ops);
  INFO(a.error());
  REQUIRE(a.ok());
  CHECK(a.config().endpoint_independent);
  CHECK(a.config().port_lo == 1300);
  Configured g2(
      "AddressTranslator(1, 1 0 1 0 0 0, ::ffff:18.26.4.125 3ffe::1, 1 1 0 0 0 0, 0 0 1 1 0 0, 0, "
      "::ffff:18.26.4.1 1300 1310)",
      2);
  Instance<AddressTranslator> b(g2, Via::Ops);
  INFO(b.error());
  REQUIRE(b.ok());
  b.setup();
  // Keyed by the inside end alone: two outside ends share the inside end's port.
  auto mapped_port = [&](const std::string& dst) {
    Outcome out = push_on(b, udp6("0000 0000 0000 0000 0000 ffff 0a00 0005", dst, "03e8 0050"), 0);
    REQUIRE(out.sent_to(0));
    return get16(out.only().data(), 40);
  };
  CHECK(mapped_port(kOutside) == 1300);
  CHECK(mapped_port(kInner) == 1300);
  // The static mapping comes first.
  Outcome out = push_on(b, udp6("0000 0000 0000 0000 0000 ffff 121a 047d", kOutside, "03e8 0050"), 0);
  REQUIRE(out.sent_to(0));
  CHECK(slice(out.only().data(), 8, 24) == hex("3ffe 0000 0000 0000 0000 0000 0000 0001"));
  out = Outcome{};  // its packets are freed: none may be left
  CHECK(g_live_mbufs == 0);
}

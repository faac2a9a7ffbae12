// More of Click's IP elements (issue 18): UnstripIPHeader, SetUDPChecksum, SetTCPChecksum,
// IPMirror, GetIPAddress, SetIPAddress and Align, through the harness's real front end and both ways.
#include "../../elements/ip/get_ip_address.hpp"
#include "../../elements/ip/ip_mirror.hpp"
#include "../../elements/ip/set_ip_address.hpp"
#include "../../elements/ip/set_tcp_checksum.hpp"
#include "../../elements/ip/set_udp_checksum.hpp"
#include "../../elements/ip/strip_ip_header.hpp"
#include "../../elements/ip/unstrip_ip_header.hpp"
#include "../../elements/standard/align.hpp"
#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

void be16(Bytes& b, std::size_t at, std::uint32_t v) {
  b.at(at) = static_cast<std::uint8_t>(v >> 8);
  b.at(at + 1) = static_cast<std::uint8_t>(v);
}
std::uint16_t get16(const Bytes& b, std::size_t at) {
  return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1));
}

// An IPv4 header (20 + options bytes) at `prefix`, then `l4` bytes of protocol `proto`.
Bytes ip_with(std::uint8_t proto, std::size_t l4, std::size_t prefix = 0, std::size_t options = 0) {
  const std::size_t hlen = 20 + options;
  Bytes p(prefix + hlen + l4, 0);
  for (std::size_t i = 0; i < l4; ++i) p[prefix + hlen + i] = static_cast<std::uint8_t>(i * 7 + 3);
  p[prefix] = static_cast<std::uint8_t>(0x40 | hlen / 4);
  be16(p, prefix + 2, static_cast<std::uint32_t>(hlen + l4));
  p[prefix + 8] = 64;
  p[prefix + 9] = proto;
  p[prefix + 12] = 10, p[prefix + 15] = 1;
  p[prefix + 16] = 10, p[prefix + 19] = 2;
  be16(p, prefix + 10, checksum::finish(checksum::add(0, std::span<const std::uint8_t>(p.data() + prefix, hlen))));
  return p;
}

// The one's-complement sum of the transport part with its pseudo-header folds to 0xffff.
bool l4_sum_ok(const Bytes& p, std::size_t ip, std::size_t l4_len) {
  const std::size_t hl = (p[ip] & 0x0f) * 4u;
  std::uint32_t s = 0;
  for (std::size_t i = 12; i < 20; i += 2) s += get16(p, ip + i);
  s += p[ip + 9] + static_cast<std::uint32_t>(l4_len);
  s = checksum::add(s, std::span<const std::uint8_t>(p.data() + ip + hl, l4_len));
  return checksum::fold(s) == 0xffff;
}

rte_mbuf* marked(const Bytes& b, std::uint16_t offset) {
  rte_mbuf* m = make_mbuf(b);
  anno_ref(m).network_offset = offset;
  return m;
}

const HandlerSpec& handler_named(const ElementSpec& spec, std::string_view name) {
  for (const HandlerSpec& h : spec.handlers)
    if (h.name == name) return h;
  FAIL("no handler " << std::string(name));
  return spec.handlers[0];
}

}  // namespace

TEST_CASE("UnstripIPHeader puts back the header StripIPHeader removed", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured sargs("StripIPHeader");
    Configured uargs("UnstripIPHeader");
    Instance<StripIPHeader> s(sargs, via);
    Instance<UnstripIPHeader> u(uargs, via);
    REQUIRE(s.ok());
    REQUIRE(u.ok());
    // Marked at 14, 8 bytes of options: the packet comes back from the IP header on.
    const Bytes in = ip_with(ip_proto::kUDP, 12, 14, 8);
    Outcome stripped = s.push(marked(in, 14), 1);
    REQUIRE(stripped.sent_to(0));
    CHECK(stripped.only().data() == Bytes(in.begin() + 42, in.end()));
    Outcome back = u.push(stripped.emits[0].m.release(), 1);
    REQUIRE(back.sent_to(0));
    CHECK(back.only().data() == Bytes(in.begin() + 14, in.end()));
    CHECK(anno_ref(back.only().m.get()).network_offset == 0);
    // A header at or after the data start, or none marked: unchanged.
    Outcome ahead = u.push(marked(in, 14), 1);
    REQUIRE(ahead.sent_to(0));
    CHECK(ahead.only().data() == in);
    CHECK(anno_ref(ahead.only().m.get()).network_offset == 14);
    Outcome plain = u.push(in, 1);
    REQUIRE(plain.sent_to(0));
    CHECK(plain.only().data() == in);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("SetUDPChecksum sets the UDP checksum and sends fragments and short packets to output 1",
          "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured two("SetUDPChecksum", 2);
    Instance<SetUDPChecksum> e(two, via);
    REQUIRE(e.ok());
    Bytes in = ip_with(ip_proto::kUDP, 8 + 13, 14);
    be16(in, 14 + 20 + 4, 8 + 13);
    be16(in, 14 + 20 + 6, 0x1234);  // wrong
    Outcome out = e.push(marked(in, 14), 2);
    REQUIRE(out.sent_to(0));
    const Bytes got = out.only().data();
    CHECK(l4_sum_ok(got, 14, 8 + 13));
    CHECK(got != in);
    // Only the checksum changed.
    Bytes same = got;
    same[40] = in[40], same[41] = in[41];
    CHECK(same == in);
    // UDP length past the packet, a fragment: output 1, unchanged.
    Bytes lng = in;
    be16(lng, 14 + 24, 8 + 14);
    CHECK(e.push(marked(lng, 14), 2).sent_to(1));
    Bytes frag = in;
    be16(frag, 14 + 6, 0x2000);
    Outcome f = e.push(marked(frag, 14), 2);
    REQUIRE(f.sent_to(1));
    CHECK(f.only().data() == frag);
    CHECK(e.counter("bad") == 2);
    Configured one("SetUDPChecksum", 1);
    Instance<SetUDPChecksum> d(one, via);
    REQUIRE(d.ok());
    CHECK(d.push(marked(frag, 14), 1).dropped_for(SetUDPChecksum::kDrops["fragment or short"]));
    CHECK(d.push(Bytes(10, 0x45), 1).dropped_for(SetUDPChecksum::kDrops["fragment or short"]));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("SetTCPChecksum sets the TCP checksum over the segment and FIXOFF repairs the offset", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("SetTCPChecksum");
    Instance<SetTCPChecksum> e(args, via);
    REQUIRE(e.ok());
    Bytes in = ip_with(ip_proto::kTCP, 20 + 9);
    in[20 + 12] = 0x50;
    Outcome out = e.push(in, 1);
    REQUIRE(out.sent_to(0));
    CHECK(l4_sum_ok(out.only().data(), 0, 29));
    // The segment is what the IP total length says: padding after it is not summed.
    Bytes padded = in;
    padded.resize(in.size() + 6, 0xee);
    Outcome pad = e.push(padded, 1);
    REQUIRE(pad.sent_to(0));
    CHECK(get16(pad.only().data(), 36) == get16(out.only().data(), 36));
    // Shorter than a TCP header, longer than the packet, no IP header: dropped.
    Bytes small = ip_with(ip_proto::kTCP, 19);
    CHECK(e.push(small, 1).dropped_for(SetTCPChecksum::kDrops["bad lengths"]));
    Bytes cut = in;
    cut.resize(cut.size() - 1);
    CHECK(e.push(cut, 1).dropped_for(SetTCPChecksum::kDrops["bad lengths"]));
    CHECK(e.push(Bytes(8, 0), 1).dropped_for(SetTCPChecksum::kDrops["bad lengths"]));
    // FIXOFF: an offset of 2 words becomes 5, one past the segment becomes the segment's.
    Configured fix("SetTCPChecksum(true)");
    Instance<SetTCPChecksum> f(fix, via);
    REQUIRE(f.ok());
    Bytes low = in;
    low[32] = 0x20;
    CHECK(e.push(low, 1).only().data()[32] == 0x20);
    Outcome fixed = f.push(low, 1);
    CHECK(fixed.only().data()[32] == 0x50);
    CHECK(l4_sum_ok(fixed.only().data(), 0, 29));
    Bytes high = in;
    high[32] = 0xf0;
    CHECK(f.push(high, 1).only().data()[32] == 0x70);  // 29 bytes: 7 words
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("IPMirror swaps addresses, ports and sequence numbers and sets the next hop", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("IPMirror");
    Instance<IPMirror> e(args, via);
    REQUIRE(e.ok());
    Bytes tcp = ip_with(ip_proto::kTCP, 20, 14);
    for (std::size_t i = 0; i < 12; ++i) tcp[34 + i] = static_cast<std::uint8_t>(0xa0 + i);
    Outcome out = e.push(marked(tcp, 14), 1);
    REQUIRE(out.sent_to(0));
    const Bytes got = out.only().data();
    Bytes want = tcp;
    for (std::size_t i = 0; i < 4; ++i) std::swap(want[26 + i], want[30 + i]);
    for (std::size_t i = 0; i < 2; ++i) std::swap(want[34 + i], want[36 + i]);
    for (std::size_t i = 0; i < 4; ++i) std::swap(want[38 + i], want[42 + i]);
    CHECK(got == want);
    CHECK(anno_ref(out.only().m.get()).dst_ip == 0x0a000001);
    // The IP checksum is still right.
    CHECK(checksum::fold(checksum::add(0, std::span<const std::uint8_t>(got.data() + 14, 20))) == 0xffff);
    // UDP: ports only; a later fragment: addresses only; ICMP: addresses only.
    Bytes udp = ip_with(ip_proto::kUDP, 8);
    be16(udp, 20, 1000), be16(udp, 22, 53);
    Bytes u = e.push(udp, 1).only().data();
    CHECK(get16(u, 20) == 53);
    CHECK(get16(u, 22) == 1000);
    CHECK(get16(u, 24) == get16(udp, 24));
    Bytes frag = udp;
    be16(frag, 6, 1);
    Bytes fr = e.push(frag, 1).only().data();
    CHECK(get16(fr, 20) == 1000);
    CHECK(fr[12] == 10);
    CHECK(fr[19] == 1);
    CHECK(e.push(Bytes(19, 0x45), 1).dropped_for(IPMirror::kDrops["malformed"]));
    Configured no("IPMirror(false)");
    Instance<IPMirror> n(no, via);
    REQUIRE(n.ok());
    CHECK(anno_ref(n.push(udp, 1).only().m.get()).dst_ip == 0);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("GetIPAddress sets the next hop from OFFSET or the IP header", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    const Bytes in = ip_with(ip_proto::kUDP, 8, 14);
    Configured off("GetIPAddress(30)");
    Instance<GetIPAddress> e(off, via);
    REQUIRE(e.ok());
    Outcome out = e.push(in, 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == in);
    CHECK(anno_ref(out.only().m.get()).dst_ip == 0x0a000002);
    CHECK(e.push(Bytes(33, 0), 1).dropped_for(GetIPAddress::kDrops["short"]));
    Configured src("GetIPAddress(IP src)");
    Instance<GetIPAddress> s(src, via);
    REQUIRE(s.ok());
    CHECK(anno_ref(s.push(marked(in, 14), 1).only().m.get()).dst_ip == 0x0a000001);
    Configured dst("GetIPAddress(IP dst)");
    Instance<GetIPAddress> d(dst, via);
    REQUIRE(d.ok());
    CHECK(anno_ref(d.push(marked(in, 14), 1).only().m.get()).dst_ip == 0x0a000002);
    Configured neither("GetIPAddress");
    CHECK_FALSE(Instance<GetIPAddress>(neither, via).ok());
    Configured both("GetIPAddress(16, IP dst)");
    CHECK_FALSE(Instance<GetIPAddress>(both, via).ok());
    Configured bad("GetIPAddress(IP gw)");
    CHECK_FALSE(Instance<GetIPAddress>(bad, via).ok());
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("SetIPAddress sets the next hop to IPADDR and its addr handler changes it", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("SetIPAddress(192.168.1.7)");
    Instance<SetIPAddress> e(args, via);
    REQUIRE(e.ok());
    Outcome out = e.push(Bytes(20, 1), 1);
    REQUIRE(out.sent_to(0));
    CHECK(anno_ref(out.only().m.get()).dst_ip == 0xc0a80107);
    const HandlerSpec& h = handler_named(SetIPAddress::spec, "addr");
    std::string text, error;
    h.read(&e.config(), e.state(), text);
    CHECK(text == "192.168.1.7");
    REQUIRE(h.write(&e.config(), e.mutable_state(), " 10.1.2.3\n", error));
    CHECK(anno_ref(e.push(Bytes(20, 1), 1).only().m.get()).dst_ip == 0x0a010203);
    h.read(&e.config(), e.state(), text);
    CHECK(text == "10.1.2.3");
    CHECK_FALSE(h.write(&e.config(), e.mutable_state(), "10.1.2", error));
    CHECK(anno_ref(e.push(Bytes(20, 1), 1).only().m.get()).dst_ip == 0x0a010203);
    Configured none("SetIPAddress");
    CHECK_FALSE(Instance<SetIPAddress>(none, via).ok());
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Align passes packets unchanged and checks MODULUS and OFFSET as Click does", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("Align(4, 2)");
    Instance<Align> e(args, via);
    REQUIRE(e.ok());
    const Bytes in = ip_with(ip_proto::kUDP, 8, 14);
    Outcome out = e.push(make_mbuf(in, 61), 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == in);
    CHECK(out.only().m->data_off == 61);
    for (const char* bad : {"Align(3, 0)", "Align(4, 4)", "Align(0, 0)"}) {
      INFO(bad);
      Configured b(bad);
      CHECK_FALSE(Instance<Align>(b, via).ok());
    }
    Configured eight("Align(8, 7)");
    CHECK(Instance<Align>(eight, via).ok());
  }
  CHECK(g_live_mbufs == 0);
}

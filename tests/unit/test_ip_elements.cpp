// Click's IP elements (issue 18): MarkIPHeader, StripIPHeader, SetIPChecksum, CheckUDPHeader,
// CheckTCPHeader, CheckICMPHeader, through the harness's real front end and both ways of calling.
#include "../../elements/ip/check_icmp_header.hpp"
#include "../../elements/ip/check_tcp_header.hpp"
#include "../../elements/ip/check_udp_header.hpp"
#include "../../elements/ip/mark_ip_header.hpp"
#include "../../elements/ip/set_ip_checksum.hpp"
#include "../../elements/ip/strip_ip_header.hpp"

#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
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

std::uint16_t sum_of(const Bytes& b, std::size_t from, std::size_t n, std::uint32_t start = 0) {
  return checksum::finish(checksum::add(start, std::span<const std::uint8_t>(b.data() + from, n)));
}

// `prefix` bytes, then an IPv4 header (20 + options bytes, correct checksum) carrying `l4`
// bytes of protocol `proto` whose checksum the caller fills in.
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
  be16(p, prefix + 10, sum_of(p, prefix, hlen));
  return p;
}

std::uint32_t pseudo(const Bytes& p, std::size_t ip, std::uint32_t len) {
  std::uint32_t s = 0;
  for (std::size_t i = 12; i < 20; i += 2) s += std::uint32_t{p[ip + i]} << 8 | p[ip + i + 1];
  return s + p[ip + 9] + len;
}

Bytes udp_ok(std::size_t payload = 12) {
  Bytes p = ip_with(ip_proto::kUDP, 8 + payload);
  be16(p, 20, 1234), be16(p, 22, 53), be16(p, 24, static_cast<std::uint32_t>(8 + payload)), be16(p, 26, 0);
  std::uint16_t c = sum_of(p, 20, 8 + payload, pseudo(p, 0, static_cast<std::uint32_t>(8 + payload)));
  be16(p, 26, c == 0 ? 0xffff : c);
  return p;
}

Bytes tcp_ok(std::size_t payload = 10) {
  Bytes p = ip_with(ip_proto::kTCP, 20 + payload);
  p[20 + 12] = 0x50;
  be16(p, 36, 0);
  be16(p, 36, sum_of(p, 20, 20 + payload, pseudo(p, 0, static_cast<std::uint32_t>(20 + payload))));
  return p;
}

Bytes icmp_ok(std::size_t payload = 16) {
  Bytes p = ip_with(ip_proto::kICMP, 8 + payload);
  p[20] = ICMPView::kEcho;
  be16(p, 22, 0);
  be16(p, 22, sum_of(p, 20, 8 + payload));
  return p;
}

}  // namespace

TEST_CASE("MarkIPHeader marks OFFSET and changes no byte", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("MarkIPHeader(14)");
    Instance<MarkIPHeader> e(args, via);
    REQUIRE(e.ok());
    const Bytes in = ip_with(ip_proto::kUDP, 8, 14);
    Outcome out = e.push(in, 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == in);
    CHECK(anno_ref(out.only().m.get()).network_offset == 14);
    // A packet too short for a header at the mark is marked anyway: readers check.
    Outcome tiny = e.push(Bytes(3, 0), 1);
    REQUIRE(tiny.sent_to(0));
    CHECK(anno_ref(tiny.only().m.get()).network_offset == 14);
  }
  Configured dflt("MarkIPHeader");
  Instance<MarkIPHeader> d(dflt, Via::Ops);
  REQUIRE(d.ok());
  CHECK(d.config().offset == 0);
  Configured big("MarkIPHeader(65535)");
  Instance<MarkIPHeader> b(big, Via::Direct);
  CHECK(!b.ok());
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("StripIPHeader strips up to the end of the marked IP header, options included", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("StripIPHeader");
    Instance<StripIPHeader> e(args, via);
    REQUIRE(e.ok());
    // Marked at 14 with 8 bytes of options: 42 bytes go.
    Bytes in = ip_with(ip_proto::kUDP, 8, 14, 8);
    rte_mbuf* m = make_mbuf(in);
    anno_ref(m).network_offset = 14;
    Outcome out = e.push(m, 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.only().data() == Bytes(in.begin() + 42, in.end()));
    CHECK(anno_ref(out.only().m.get()).network_offset == PacketAnno::kNoNetworkOffset);
    // Unmarked: the IP header is at the start.
    Bytes plain = ip_with(ip_proto::kUDP, 8);
    Outcome o2 = e.push(plain, 1);
    REQUIRE(o2.sent_to(0));
    CHECK(o2.only().data() == Bytes(plain.begin() + 20, plain.end()));
    // Header length beyond the packet, or too short for a header: dropped.
    Bytes bad = ip_with(ip_proto::kUDP, 0);
    bad[0] = 0x4f;
    CHECK(e.push(bad, 1).dropped_for(StripIPHeader::kDrops["malformed"]));
    CHECK(e.push(Bytes(19, 0x45), 1).dropped_for(StripIPHeader::kDrops["malformed"]));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("SetIPChecksum recomputes the header checksum at the mark", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("SetIPChecksum");
    Instance<SetIPChecksum> e(args, via);
    REQUIRE(e.ok());
    for (std::size_t options : {0, 4, 40}) {
      const Bytes good = ip_with(ip_proto::kTCP, 6, 14, options);
      Bytes broken = good;
      be16(broken, 14 + 10, 0x1234);
      rte_mbuf* m = make_mbuf(broken);
      anno_ref(m).network_offset = 14;
      Outcome out = e.push(m, 1);
      REQUIRE(out.sent_to(0));
      CHECK(out.only().data() == good);
    }
    Bytes bad = ip_with(ip_proto::kTCP, 0);
    bad[0] = 0x44;  // header length 16
    CHECK(e.push(bad, 1).dropped_for(SetIPChecksum::kDrops["bad lengths"]));
    CHECK(e.push(Bytes(10, 0x45), 1).dropped_for(SetIPChecksum::kDrops["bad lengths"]));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckUDPHeader passes good UDP and sorts out the bad by reason", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("CheckUDPHeader", 2);
    Instance<CheckUDPHeader> e(args, via);
    REQUIRE(e.ok());
    CHECK(e.push(udp_ok(), 1).sent_to(0));
    CHECK(e.push(udp_ok(0), 1).sent_to(0));
    Bytes nosum = udp_ok();
    be16(nosum, 26, 0);  // no checksum: not checked
    CHECK(e.push(nosum, 1).sent_to(0));
    Bytes sum = udp_ok();
    sum[30] ^= 1;
    CHECK(e.push(sum, 1).dropped_for(CheckUDPHeader::kDrops["bad checksum"]));
    CHECK(e.push(sum, 2).sent_to(1));
    Bytes tcp = udp_ok();
    tcp[9] = ip_proto::kTCP;
    CHECK(e.push(tcp, 1).dropped_for(CheckUDPHeader::kDrops["not UDP"]));
    Bytes frag = udp_ok();
    be16(frag, 6, 0x0001);
    CHECK(e.push(frag, 1).dropped_for(CheckUDPHeader::kDrops["not UDP"]));
    Bytes longer = udp_ok();
    be16(longer, 24, 8 + 13);  // beyond the datagram
    CHECK(e.push(longer, 1).dropped_for(CheckUDPHeader::kDrops["bad length"]));
    Bytes shorter = udp_ok();
    be16(shorter, 24, 7);
    CHECK(e.push(shorter, 1).dropped_for(CheckUDPHeader::kDrops["bad length"]));
    Bytes cut = udp_ok();
    cut.resize(25);
    CHECK(e.push(cut, 1).dropped_for(CheckUDPHeader::kDrops["bad length"]));
    CHECK(e.counter("bad") == 7);
    // At the mark, after 14 bytes of something else.
    Bytes eth(14, 0xee);
    const Bytes u = udp_ok();
    eth.insert(eth.end(), u.begin(), u.end());
    rte_mbuf* m = make_mbuf(eth);
    anno_ref(m).network_offset = 14;
    CHECK(e.push(m, 1).sent_to(0));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckTCPHeader passes good TCP and sorts out the bad by reason", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("CheckTCPHeader", 2);
    Instance<CheckTCPHeader> e(args, via);
    REQUIRE(e.ok());
    CHECK(e.push(tcp_ok(), 1).sent_to(0));
    CHECK(e.push(tcp_ok(0), 1).sent_to(0));
    CHECK(e.push(tcp_ok(3), 1).sent_to(0));  // odd length: the tail byte is padded
    Bytes sum = tcp_ok();
    sum[45] ^= 0x80;
    CHECK(e.push(sum, 1).dropped_for(CheckTCPHeader::kDrops["bad checksum"]));
    CHECK(e.push(sum, 2).sent_to(1));
    Bytes udp = tcp_ok();
    udp[9] = ip_proto::kUDP;
    CHECK(e.push(udp, 1).dropped_for(CheckTCPHeader::kDrops["not TCP"]));
    Bytes hl = tcp_ok();
    hl[32] = 0x40;  // 16-byte header
    CHECK(e.push(hl, 1).dropped_for(CheckTCPHeader::kDrops["bad length"]));
    Bytes hl2 = tcp_ok(4);
    hl2[32] = 0x70;  // 28 bytes: beyond the 24-byte segment
    CHECK(e.push(hl2, 1).dropped_for(CheckTCPHeader::kDrops["bad length"]));
    Bytes cut = tcp_ok();
    cut.pop_back();
    CHECK(e.push(cut, 1).dropped_for(CheckTCPHeader::kDrops["bad length"]));
    CHECK(e.counter("bad") == 6);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckICMPHeader passes good ICMP and sorts out the bad by reason", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("CheckICMPHeader", 2);
    Instance<CheckICMPHeader> e(args, via);
    REQUIRE(e.ok());
    CHECK(e.push(icmp_ok(), 1).sent_to(0));
    CHECK(e.push(icmp_ok(0), 1).sent_to(0));
    Bytes sum = icmp_ok();
    sum[30] ^= 1;
    CHECK(e.push(sum, 1).dropped_for(CheckICMPHeader::kDrops["bad checksum"]));
    CHECK(e.push(sum, 2).sent_to(1));
    Bytes udp = icmp_ok();
    udp[9] = ip_proto::kUDP;
    CHECK(e.push(udp, 1).dropped_for(CheckICMPHeader::kDrops["not ICMP"]));
    Bytes cut = icmp_ok();
    cut.pop_back();
    CHECK(e.push(cut, 1).dropped_for(CheckICMPHeader::kDrops["bad length"]));
    CHECK(e.counter("bad") == 4);
  }
  CHECK(g_live_mbufs == 0);
}

namespace {
struct LogCapture {
  std::vector<std::string> lines;
};
void capture_log(void* runtime, const void*, const char* text) { static_cast<LogCapture*>(runtime)->lines.push_back(text); }

// One bad packet through `cls` with VERBOSE `verbose`: the messages it asked the runtime to print.
template <typename E>
std::vector<std::string> verbose_lines(const std::string& text, const Bytes& bad) {
  LogCapture logs;
  HostServices host;
  host.runtime = &logs;
  host.log = &capture_log;
  Configured args(text, 2);
  Instance<E> e(args, Via::Direct);
  REQUIRE(e.ok());
  Outcome out = e.push(make_mbuf(bad), 1, &host);
  CHECK(out.drops.size() == 1);
  return logs.lines;
}
}  // namespace

TEST_CASE("CheckUDPHeader, CheckTCPHeader and CheckICMPHeader say why a packet is bad with VERBOSE", "[kernels]") {
  Bytes udp = udp_ok();
  udp[30] ^= 1;
  Bytes tcp = tcp_ok();
  tcp[45] ^= 1;
  Bytes icmp = icmp_ok();
  icmp[30] ^= 1;
  CHECK(verbose_lines<CheckUDPHeader>("CheckUDPHeader(VERBOSE true)", udp).size() == 1);
  CHECK(verbose_lines<CheckUDPHeader>("CheckUDPHeader(VERBOSE false)", udp).empty());
  CHECK(verbose_lines<CheckTCPHeader>("CheckTCPHeader(VERBOSE true)", tcp).size() == 1);
  CHECK(verbose_lines<CheckTCPHeader>("CheckTCPHeader", tcp).empty());
  CHECK(verbose_lines<CheckICMPHeader>("CheckICMPHeader(VERBOSE true)", icmp).size() == 1);
  CHECK(verbose_lines<CheckICMPHeader>("CheckICMPHeader", icmp).empty());
  CHECK(g_live_mbufs == 0);
}

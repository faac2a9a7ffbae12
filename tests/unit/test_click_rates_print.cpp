// Click's AverageCounter, Meter, RatedSplitter, Print and IPPrint (issue 18), through the
// harness's real front end and both ways. Rates run on a clock the test sets
// (HostServices::now_cycles), never on real time; printed lines are captured from
// HostServices::print.
#include "../../elements/ip/ip_print.hpp"
#include "../../elements/standard/average_counter.hpp"
#include "../../elements/standard/meter.hpp"
#include "../../elements/standard/print.hpp"
#include "../../elements/standard/rated_splitter.hpp"
#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

std::uint64_t g_now = 0;
std::uint64_t fake_now() {
  return g_now;
}

// A host whose clock is g_now, `hz` cycles a second, and whose printed text is kept.
struct Host {
  explicit Host(std::uint64_t hz = 1000) {
    services.now_cycles = &fake_now;
    services.cycles_per_second = hz;
    services.print = &capture;
    services.runtime = this;
  }
  static void capture(void* runtime, const void*, const char* text, std::uint32_t len) {
    auto* h = static_cast<Host*>(runtime);
    h->text.append(text, len);
    ++h->calls;
  }
  // Every line printed since the last call, without their newlines.
  std::vector<std::string> lines() {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
      out.push_back(text.substr(start, nl - start));
    CHECK(start == text.size());  // every call ended its line
    text.clear();
    return out;
  }
  HostServices services;
  std::string text;
  int calls = 0;
};

const HandlerSpec& handler_named(const ElementSpec& spec, std::string_view name) {
  for (const HandlerSpec& h : spec.handlers)
    if (h.name == name) return h;
  FAIL("no handler " << std::string(name));
  return spec.handlers[0];
}

template <class E>
std::string read_handler(const Instance<E>& e, std::string_view name) {
  std::string out;
  handler_named(E::spec, name).read(&e.config(), e.state(), out);
  return out;
}

template <class E>
void write_handler(Instance<E>& e, std::string_view name, std::string_view value) {
  std::string error;
  REQUIRE(handler_named(E::spec, name).write(&e.config(), e.mutable_state(), value, error));
}

// An IPv4 packet behind a 14-byte Ethernet header, network offset marked.
Bytes ip_packet(std::uint8_t proto, const Bytes& transport, std::uint16_t frag = 0, std::uint16_t id = 7) {
  Bytes b = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
  const std::size_t total = 20 + transport.size();
  const Bytes ip = {0x45,
                    0x10,
                    static_cast<std::uint8_t>(total >> 8),
                    static_cast<std::uint8_t>(total),
                    static_cast<std::uint8_t>(id >> 8),
                    static_cast<std::uint8_t>(id),
                    static_cast<std::uint8_t>(frag >> 8),
                    static_cast<std::uint8_t>(frag),
                    64,
                    proto,
                    0,
                    0,
                    10,
                    0,
                    0,
                    1,
                    10,
                    0,
                    0,
                    2};
  b.insert(b.end(), ip.begin(), ip.end());
  b.insert(b.end(), transport.begin(), transport.end());
  return b;
}

rte_mbuf* marked(const Bytes& b, std::uint16_t offset = 14) {
  rte_mbuf* m = make_mbuf(b);
  anno_ref(m).network_offset = offset;
  return m;
}

}  // namespace

TEST_CASE("RatedSplitter sends RATE packets a second on output 0 from a full bucket", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Host host(1000);  // a cycle is a millisecond
    g_now = 5000;
    // RATE 10: the bucket is 20 ms deep, i.e. one packet (at least one).
    Configured ten("RatedSplitter(10)", 2);
    Instance<RatedSplitter> e(ten, via);
    REQUIRE(e.ok());
    CHECK(e.push(Bytes(20, 1), 2, &host.services).sent_to(0));  // full at the start
    CHECK(e.push(Bytes(20, 1), 2, &host.services).sent_to(1));
    g_now += 50;  // half a token
    CHECK(e.push(Bytes(20, 1), 2, &host.services).sent_to(1));
    g_now += 50;  // the other half
    CHECK(e.push(Bytes(20, 1), 2, &host.services).sent_to(0));
    g_now += 10000;  // a long pause fills one packet's bucket, no more
    CHECK(e.push(Bytes(20, 1), 2, &host.services).sent_to(0));
    CHECK(e.push(Bytes(20, 1), 2, &host.services).sent_to(1));
    CHECK(e.counter("count") == 3);
    CHECK(read_handler(e, "rate") == "10");

    // BURST_SIZE 5: five at once, then RATE a second; a second later five again (the depth).
    auto burst = [&](const std::string& text, std::uint32_t n) {
      Configured cfg(text, 2);
      Instance<RatedSplitter> s(cfg, via);
      REQUIRE(s.ok());
      std::uint32_t first = 0;
      for (int round = 0; round < 2; ++round) {
        std::uint32_t zero = 0;
        for (int i = 0; i < 20; ++i) zero += s.push(Bytes(20, 1), 2, &host.services).sent_to(0);
        CHECK(zero == n);
        if (round == 0) first = zero;
        g_now += 1000;
      }
      return first;
    };
    CHECK(burst("RatedSplitter(10, BURST_SIZE 5)", 5) == 5);
    CHECK(burst("RatedSplitter(10, BURST_DURATION 1s)", 10) == 10);
    CHECK(burst("RatedSplitter(100, BURST_DURATION 50ms)", 5) == 5);
    CHECK(burst("RatedSplitter(RATE 100, BURST_DURATION 0.08)", 8) == 8);
    // RATE 0: all on output 1; one output: over RATE dropped.
    Configured zero("RatedSplitter(0)", 2);
    Instance<RatedSplitter> z(zero, via);
    REQUIRE(z.ok());
    CHECK(z.push(Bytes(20, 1), 2, &host.services).sent_to(1));
    Configured one("RatedSplitter(10)", 1);
    Instance<RatedSplitter> o(one, via);
    REQUIRE(o.ok());
    CHECK(o.push(Bytes(20, 1), 1, &host.services).sent_to(0));
    CHECK(reason_name(RatedSplitter::spec, o.push(Bytes(20, 1), 1, &host.services).drops.at(0).reason) == "over_rate");
    // The rate handler: 1000 a second, 20 packets deep from now on.
    write_handler(e, "rate", "1000");
    CHECK(read_handler(e, "rate") == "1000");
    g_now += 1000;
    std::uint32_t sent = 0;
    for (int i = 0; i < 30; ++i) sent += e.push(Bytes(20, 1), 2, &host.services).sent_to(0);
    CHECK(sent == 20);
    std::string error;
    CHECK_FALSE(handler_named(RatedSplitter::spec, "rate").write(&e.config(), e.mutable_state(), "fast", error));
    for (const char* bad :
         {"RatedSplitter", "RatedSplitter(10, BURST_SIZE 5, BURST_DURATION 1s)",
          "RatedSplitter(10, BURST_DURATION soon)", "RatedSplitter(2000000000)", "RatedSplitter(10, BURST_SIZE 0)"}) {
      INFO(bad);
      Configured cfg(bad, 2);
      CHECK_FALSE(Instance<RatedSplitter>(cfg, via).ok());
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("RatedSplitter reads Click's time units for BURST_DURATION", "[kernels][click]") {
  std::uint64_t ms = 0;
  CHECK((RatedSplitter::parse_duration_ms("20ms", ms) && ms == 20));
  CHECK((RatedSplitter::parse_duration_ms("0.5", ms) && ms == 500));
  CHECK((RatedSplitter::parse_duration_ms("2 s", ms) && ms == 2000));
  CHECK((RatedSplitter::parse_duration_ms("1min", ms) && ms == 60000));
  CHECK((RatedSplitter::parse_duration_ms("1500us", ms) && ms == 2));
  CHECK((RatedSplitter::parse_duration_ms("1h", ms) && ms == 3600000));
  CHECK_FALSE(RatedSplitter::parse_duration_ms("", ms));
  CHECK_FALSE(RatedSplitter::parse_duration_ms("ms", ms));
  CHECK_FALSE(RatedSplitter::parse_duration_ms("3 weeks", ms));
  CHECK_FALSE(RatedSplitter::parse_duration_ms("99999999999s", ms));
}

TEST_CASE("Meter sends packets to the output of their moving-average rate", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Host host(1000000);  // 1000 cycles a millisecond (Click's epoch)
    g_now = 7000000;
    // Two packets a millisecond (2000 a second) against RATE1 1000: Click's average reaches the
    // threshold (1000 << 10 / 1000 = 1024) after 11 milliseconds: 128, 248, ..., 974, 1041.
    Configured cfg("Meter(1000)", 2);
    Instance<Meter> m(cfg, via);
    REQUIRE(m.ok());
    for (int ms = 0; ms < 40; ++ms) {
      for (int k = 0; k < 2; ++k) {
        INFO("millisecond " << ms);
        CHECK(m.push(Bytes(20, 1), 2, &host.services).sent_to(ms < 11 ? 0 : 1));
      }
      g_now += 1000;
    }
    const double rate = std::stod(read_handler(m, "rate"));
    CHECK(rate > 1500);
    CHECK(rate < 2001);
    CHECK(read_handler(m, "meters") == "1000");
    // 100 quiet milliseconds forget it all (Click's update_n).
    g_now += 100000;
    CHECK(m.push(Bytes(20, 1), 2, &host.services).sent_to(0));

    // Three outputs: 2 a millisecond is between 1000 and 3000, 4 is over 3000.
    Configured three("Meter(1000, 3000)", 3);
    Instance<Meter> t(three, via);
    REQUIRE(t.ok());
    std::uint32_t last = 99;
    for (int ms = 0; ms < 60; ++ms, g_now += 1000)
      for (int k = 0; k < 2; ++k) last = t.push(Bytes(20, 1), 3, &host.services).only().port;
    CHECK(last == 1);
    for (int ms = 0; ms < 60; ++ms, g_now += 1000)
      for (int k = 0; k < 4; ++k) last = t.push(Bytes(20, 1), 3, &host.services).only().port;
    CHECK(last == 2);
    CHECK(read_handler(t, "meters") == "1000 3000");
    // Output 2 not connected: dropped.
    Configured two("Meter(1000, 3000)", 2);
    Instance<Meter> d(two, via);
    REQUIRE(d.ok());
    Outcome out;
    for (int ms = 0; ms < 60; ++ms, g_now += 1000)
      for (int k = 0; k < 4; ++k) out = d.push(Bytes(20, 1), 2, &host.services);
    REQUIRE(out.drops.size() == 1);
    CHECK(reason_name(Meter::spec, out.drops[0].reason) == "unconnected");
    // No clock (cycles_per_second 0): no time passes, the average stays 0.
    Host still(0);
    Configured again("Meter(1)", 2);
    Instance<Meter> s(again, via);
    REQUIRE(s.ok());
    for (int i = 0; i < 100; ++i) CHECK(s.push(Bytes(20, 1), 2, &still.services).sent_to(0));
    for (const char* bad : {"Meter", "Meter(2000, 1000)", "Meter(1000, 1000)", "Meter(x)", "Meter(5000000)"}) {
      INFO(bad);
      Configured c(bad, 2);
      CHECK_FALSE(Instance<Meter>(c, via).ok());
    }
    Configured too_many("Meter(1000)", 3);
    Instance<Meter> tm(too_many, via);
    CHECK_FALSE(tm.ok());
    CHECK(tm.error().find("one rate less than outputs") != std::string::npos);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("AverageCounter counts packets and bytes and their average rate", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Host host(1000);
    g_now = 100;
    Configured cfg("AverageCounter", 1);
    Instance<AverageCounter> a(cfg, via);
    REQUIRE(a.ok());
    CHECK(read_handler(a, "rate") == "0");
    for (int i = 0; i < 3; ++i, g_now += 1000) CHECK(a.push(Bytes(100, 1), 1, &host.services).sent_to(0));
    CHECK(a.counter("count") == 3);
    CHECK(a.counter("byte_count") == 300);
    CHECK(read_handler(a, "rate") == "1.5");  // 3 packets over 2 seconds
    CHECK(read_handler(a, "byte_rate") == "150");
    // One packet: a millisecond at least, as Click's jiffy.
    write_handler(a, "reset", "");
    CHECK(a.counter("count") == 0);
    a.push(Bytes(60, 1), 1, &host.services);
    CHECK(read_handler(a, "rate") == "1000");
    // IGNORE 1: the first second is neither counted nor timed.
    Configured ig("AverageCounter(1)", 1);
    Instance<AverageCounter> b(ig, via);
    REQUIRE(b.ok());
    g_now = 0;
    for (std::uint64_t t : {0, 500, 999, 1000, 3000}) {
      g_now = t;
      b.push(Bytes(10, 1), 1, &host.services);
    }
    CHECK(b.counter("count") == 2);
    CHECK(read_handler(b, "rate") == "1");  // 2 packets over 3 - 1 seconds
    // Several workers: counts summed, time from the earliest first to the latest last packet.
    AverageCounter::State w0{}, w1{};
    w0 = {4, 400, 1000, 2000, 1000, true};
    w1 = {4, 400, 2000, 5000, 1000, true};
    const AverageCounter::State* states[] = {&w0, &w1};
    std::string out;
    handler_named(AverageCounter::spec, "rate")
        .read_workers(&a.config(), reinterpret_cast<const void* const*>(states), 2, out);
    CHECK(out == "2");
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Print writes Click's line per packet: label, length and bytes", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Host host;
    Bytes data;
    for (int i = 0; i < 30; ++i) data.push_back(static_cast<std::uint8_t>(i));
    auto lines_of = [&](const std::string& text, const Bytes& bytes) {
      Configured cfg(text, 1);
      Instance<Print> p(cfg, via);
      REQUIRE(p.ok());
      CHECK(p.push(bytes, 1, &host.services).only().data() == bytes);
      return host.lines();
    };
    using L = std::vector<std::string>;
    CHECK(lines_of("Print(in)", data) == L{"in:   30 | 00010203 04050607 08090a0b 0c0d0e0f 10111213 14151617"});
    CHECK(lines_of("Print", Bytes{0xab}) == L{"   1 | ab"});
    CHECK(lines_of("Print(x, 5)", data) == L{"x:   30 | 00010203 04"});
    CHECK(lines_of("Print(x, MAXLENGTH 0)", data) == L{"x:   30"});
    CHECK(lines_of("Print(x, -1)", data) ==
          L{"x:   30 | 00010203 04050607 08090a0b 0c0d0e0f 10111213 14151617 18191a1b 1c1d"});
    CHECK(lines_of("Print(\"a label\", 40)", Bytes(3, 0xff)) == L{"a label:    3 | ffffff"});
    const Bytes text = {'H', 'e', 'l', 'l', 'o', ',', ' ', 'w', 'o', 'r', 'l', 'd', '!', 1};
    CHECK(lines_of("Print(t, CONTENTS ASCII)", text) == L{"t:   14 |  Hello, w orld!."});
    CHECK(lines_of("Print(t, CONTENTS ascii)", text) == L{"t:   14 |  Hello, w orld!."});
    CHECK(lines_of("Print(t, CONTENTS NONE)", text) == L{"t:   14"});
    CHECK(lines_of("Print(t, CONTENTS false)", text) == L{"t:   14"});
    CHECK(lines_of("Print(t, 2, CONTENTS true)", text) == L{"t:   14 | 4865"});
    CHECK(lines_of("Print(t, 0, HEADROOM true)", Bytes(10, 0)) == L{"t:   10 (h" + std::to_string(kHeadroom) + " t0)"});
    CHECK(lines_of("Print(t, 12345, CONTENTS NONE)", Bytes(12345, 0)) == L{"t: 12345"});
    {
      Configured cfg("Print(t, 1, PRINTANNO true)", 1);
      Instance<Print> p(cfg, via);
      REQUIRE(p.ok());
      rte_mbuf* m = make_mbuf(Bytes{0x42});
      anno_ref(m).paint = 3;
      anno_ref(m).dst_ip = 0x0a000001;
      p.push(m, 1, &host.services);
      // network offset (unset), network_behind, paint, 15 user bytes, dst_ip (host order, LE).
      CHECK(host.lines() == L{"t:    1 | ffff0000030000000000000000000000000000000100000a | 42"});
    }
    // A line longer than the buffer comes in pieces; together they are the line.
    {
      Configured cfg("Print(big, -1)", 1);
      Instance<Print> p(cfg, via);
      REQUIRE(p.ok());
      host.calls = 0;
      p.push(Bytes(1000, 0x5a), 1, &host.services);
      CHECK(host.calls > 1);
      const L got = host.lines();
      REQUIRE(got.size() == 1);
      CHECK(got[0].size() == std::string("big: 1000 | ").size() + 1000 * 2 + 249);
    }
    // ACTIVE false prints nothing until the handler says true.
    Configured off("Print(q, ACTIVE false)", 1);
    Instance<Print> p(off, via);
    REQUIRE(p.ok());
    CHECK(p.push(Bytes(4, 1), 1, &host.services).sent_to(0));
    CHECK(host.lines().empty());
    CHECK(read_handler(p, "active") == "false");
    write_handler(p, "active", "true");
    p.push(Bytes(4, 1), 1, &host.services);
    CHECK(host.lines() == L{"q:    4 | 01010101"});
    // No print service: the packet still passes.
    CHECK(p.push(Bytes(4, 1), 1, nullptr).sent_to(0));
    for (const char* bad : {"Print(t, CONTENTS BINARY)", "Print(t, TIMESTAMP true)", "Print(t, x)"}) {
      INFO(bad);
      Configured cfg(bad, 1);
      CHECK_FALSE(Instance<Print>(cfg, via).ok());
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("IPPrint writes Click's tcpdump-like lines for UDP, TCP and ICMP", "[kernels][click]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Host host;
    using L = std::vector<std::string>;
    auto lines_of = [&](const std::string& text, rte_mbuf* m) {
      Configured cfg(text, 1);
      Instance<IPPrint> p(cfg, via);
      REQUIRE(p.ok());
      CHECK(p.push(m, 1, &host.services).sent_to(0));
      return host.lines();
    };
    const Bytes udp = {0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0, 0, 'a', 'b', 'c', 'd'};
    CHECK(lines_of("IPPrint(in)", marked(ip_packet(17, udp))) == L{"in: 10.0.0.1.1234 > 10.0.0.2.53: udp 12"});
    CHECK(lines_of("IPPrint", marked(ip_packet(17, udp))) == L{"10.0.0.1.1234 > 10.0.0.2.53: udp 12"});
    CHECK(lines_of("IPPrint(in, ID true, TTL true, TOS true, LENGTH true)", marked(ip_packet(17, udp))) ==
          L{"in: id 7 ttl 64 tos 16 length 32 10.0.0.1.1234 > 10.0.0.2.53: udp 12"});
    // TCP: SYN with sequence 1000, 4 payload bytes: 1000:1005(5,...); ACK, PSH, window.
    Bytes tcp = {0x9c, 0x40, 0x00, 0x50, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0x00, 0, 0, 0, 0};
    Bytes syn = tcp;
    syn.insert(syn.end(), {1, 2, 3, 4});
    CHECK(lines_of("IPPrint(t)", marked(ip_packet(6, syn))) ==
          L{"t: 10.0.0.1.40000 > 10.0.0.2.80: S 1000:1005(5,58,44) win 8192"});
    Bytes ack = tcp;
    ack[13] = 0x18;  // PSH ACK
    ack[8] = 0, ack[9] = 0, ack[10] = 0x01, ack[11] = 0x02;
    CHECK(lines_of("IPPrint(t)", marked(ip_packet(6, ack))) ==
          L{"t: 10.0.0.1.40000 > 10.0.0.2.80: P 1000:1000(0,54,40) ack 258 win 8192"});
    Bytes bare = tcp;
    bare[13] = 0x11;  // FIN ACK
    CHECK(lines_of("IPPrint(t)", marked(ip_packet(6, bare))) ==
          L{"t: 10.0.0.1.40000 > 10.0.0.2.80: F 1000:1001(1,54,40) ack 0 win 8192"});
    CHECK(lines_of("IPPrint(t)", marked(ip_packet(6, Bytes(tcp.begin(), tcp.begin() + 10)))) ==
          L{"t: 10.0.0.1.40000 > 10.0.0.2.80: truncated-tcp"});
    CHECK(lines_of("IPPrint(t)", marked(ip_packet(6, Bytes(tcp.begin(), tcp.begin() + 2)))) ==
          L{"t: 10.0.0.1 > 10.0.0.2: truncated-tcp"});
    // ICMP echo (identifier 1, sequence 7), network order or (SWAP false) little-endian.
    const Bytes echo = {8, 0, 0, 0, 0x00, 0x01, 0x00, 0x07};
    CHECK(lines_of("IPPrint(p)", marked(ip_packet(1, echo))) == L{"p: 10.0.0.1 > 10.0.0.2: icmp echo (1, 7)"});
    CHECK(lines_of("IPPrint(p, SWAP false)", marked(ip_packet(1, echo))) ==
          L{"p: 10.0.0.1 > 10.0.0.2: icmp echo (256, 1792)"});
    Bytes reply = echo;
    reply[0] = 0;
    CHECK(lines_of("IPPrint(p)", marked(ip_packet(1, reply))) == L{"p: 10.0.0.1 > 10.0.0.2: icmp echo-reply (1, 7)"});
    CHECK(lines_of("IPPrint(p)", marked(ip_packet(1, Bytes{8, 0, 0, 0}))) ==
          L{"p: 10.0.0.1 > 10.0.0.2: icmp echo truncated-icmp"});
    // Port unreachable quoting a UDP datagram to 10.9.9.9 port 53.
    Bytes unreach = {3, 3, 0, 0, 0, 0, 0, 0};
    const Bytes quoted = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 2, 10, 9, 9, 9, 0x30, 0x39, 0x00, 0x35};
    unreach.insert(unreach.end(), quoted.begin(), quoted.end());
    CHECK(lines_of("IPPrint(u)", marked(ip_packet(1, unreach))) ==
          L{"u: 10.0.0.1 > 10.0.0.2: icmp 10.9.9.9 unreachable port udp/53"});
    unreach[1] = 2;  // protocol unreachable
    CHECK(lines_of("IPPrint(u)", marked(ip_packet(1, unreach))) ==
          L{"u: 10.0.0.1 > 10.0.0.2: icmp 10.9.9.9 unreachable protocol udp"});
    unreach[1] = 4, unreach[6] = 0x05, unreach[7] = 0xdc;  // needfrag, MTU 1500
    CHECK(lines_of("IPPrint(u)", marked(ip_packet(1, unreach))) ==
          L{"u: 10.0.0.1 > 10.0.0.2: icmp 10.9.9.9 unreachable needfrag (mtu 1500)"});
    unreach[1] = 1;  // host unreachable
    CHECK(lines_of("IPPrint(u)", marked(ip_packet(1, unreach))) ==
          L{"u: 10.0.0.1 > 10.0.0.2: icmp 10.9.9.9 unreachable host"});
    CHECK(lines_of("IPPrint(u)", marked(ip_packet(1, Bytes{3, 3, 0, 0, 0, 0, 0, 0, 0x45}))) ==
          L{"u: 10.0.0.1 > 10.0.0.2: icmp unreachable port truncated-icmp"});
    CHECK(lines_of("IPPrint(u)", marked(ip_packet(1, Bytes{11, 0, 0, 0, 0, 0, 0, 0}))) ==
          L{"u: 10.0.0.1 > 10.0.0.2: icmp timeexceeded transit"});
    CHECK(lines_of("IPPrint(u)", marked(ip_packet(1, Bytes{42, 5, 0, 0}))) ==
          L{"u: 10.0.0.1 > 10.0.0.2: icmp type 42 code 5"});
    // Other protocols, fragments, short headers, no network header.
    CHECK(lines_of("IPPrint(o)", marked(ip_packet(47, Bytes(8, 0)))) == L{"o: 10.0.0.1 > 10.0.0.2: ip-proto-47"});
    CHECK(lines_of("IPPrint(f)", marked(ip_packet(17, udp, 0x2000, 99))) ==
          L{"f: 10.0.0.1.1234 > 10.0.0.2.53: udp 12 (frag 99:12@0+)"});
    CHECK(lines_of("IPPrint(f)", marked(ip_packet(17, udp, 0x0003, 99))) ==
          L{"f: 10.0.0.1 > 10.0.0.2: udp (frag 99:12@24)"});
    CHECK(lines_of("IPPrint(s)", marked(Bytes(20, 0), 4)) == L{"s: truncated-ip"});
    CHECK(lines_of("IPPrint(n)", make_mbuf(ip_packet(17, udp))).empty());
    // PAINT, CONTENTS (24 bytes a line, from the packet's start) and PAYLOAD (after UDP's header).
    {
      rte_mbuf* m = marked(ip_packet(17, udp));
      anno_ref(m).paint = 5;
      CHECK(lines_of("IPPrint(c, PAINT true, CONTENTS HEX, MAXLENGTH 30)", m) ==
            L{"c: paint 5: 10.0.0.1.1234 > 10.0.0.2.53: udp 12",
              "  02000000 00020200 00000001 08004510 00200007 00004011", "  00000a00 0001"});
    }
    CHECK(lines_of("IPPrint(c, PAYLOAD ASCII)", marked(ip_packet(17, udp))) ==
          L{"c: 10.0.0.1.1234 > 10.0.0.2.53: udp 12", "  abcd"});
    CHECK(lines_of("IPPrint(c, PAYLOAD true, MAXLENGTH 2)", marked(ip_packet(17, udp))) ==
          L{"c: 10.0.0.1.1234 > 10.0.0.2.53: udp 12", "  6162"});
    // ACTIVE and its handler.
    Configured off("IPPrint(q, ACTIVE false)", 1);
    Instance<IPPrint> q(off, via);
    REQUIRE(q.ok());
    q.push(marked(ip_packet(17, udp)), 1, &host.services);
    CHECK(host.lines().empty());
    write_handler(q, "active", "yes");
    q.push(marked(ip_packet(17, udp)), 1, &host.services);
    CHECK(host.lines() == L{"q: 10.0.0.1.1234 > 10.0.0.2.53: udp 12"});
    for (const char* bad : {"IPPrint(x, CONTENTS HEX, PAYLOAD HEX)", "IPPrint(x, TIMESTAMP true)",
                            "IPPrint(x, AGGREGATE true)", "IPPrint(x, PAYLOAD maybe)", "IPPrint(x, CONTENTS 2)"}) {
      INFO(bad);
      Configured cfg(bad, 1);
      CHECK_FALSE(Instance<IPPrint>(cfg, via).ok());
    }
  }
  CHECK(g_live_mbufs == 0);
}

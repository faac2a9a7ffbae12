// IPFilter and IPClassifier against a reference evaluator.
//
// The reference walks each rule's syntax tree and evaluates every primitive directly on the
// packet's bytes (its own header decoding, no field tables, no normal form); the elements run
// through their type-erased ops on mbufs allocated to the exact size, so AddressSanitizer sees
// any read past a packet's data. Random rule sets over a small pool of addresses and ports (so
// that rules overlap and match), random packets near those values: TCP, UDP, ICMP and other
// protocols, IP options, first and later fragments, transport headers cut short, Ethernet
// padding after the datagram, and broken IP headers.
#include "../../elements/ip/ip_classifier.hpp"
#include "../../elements/ip/ip_filter.hpp"

#include "../support/element_harness.hpp"

#include <nb/text.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

// ---- The reference: the syntax tree evaluated on raw bytes ----------------------------------

struct Decoded {
  bool valid = false;
  std::uint32_t src = 0, dst = 0, proto = 0, ttl = 0, tos = 0, hl = 0, vers = 0, id = 0;
  Bytes ip;  // the datagram (total length)
  bool mf = false;
  std::uint32_t frag_offset = 0;
  Bytes l4;  // the transport bytes inside the datagram (total length), possibly cut short
};

std::uint32_t be(const Bytes& b, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v << 8 | b.at(at + i);
  return v;
}

Decoded decode(const Bytes& pkt, std::uint32_t off) {
  Decoded d;
  if (off == 0xffff || off + 20 > pkt.size()) return d;
  if ((pkt[off] >> 4) != 4) return d;
  const std::size_t hl = (pkt[off] & 15) * 4u;
  if (hl < 20 || off + hl > pkt.size()) return d;
  const std::size_t total = be(pkt, off + 2, 2);
  if (total < hl || off + total > pkt.size()) return d;
  d.valid = true;
  d.tos = pkt[off + 1];
  d.hl = pkt[off] & 15u;
  d.vers = pkt[off] >> 4;
  d.id = be(pkt, off + 4, 2);
  d.ip.assign(pkt.begin() + static_cast<long>(off), pkt.begin() + static_cast<long>(off + total));
  d.mf = (pkt[off + 6] & 0x20) != 0;
  d.frag_offset = be(pkt, off + 6, 2) & 0x1fff;
  d.ttl = pkt[off + 8];
  d.proto = pkt[off + 9];
  d.src = be(pkt, off + 12, 4);
  d.dst = be(pkt, off + 16, 4);
  d.l4.assign(pkt.begin() + static_cast<long>(off + hl), pkt.begin() + static_cast<long>(off + total));
  return d;
}

bool compare(ipf::Op op, std::uint32_t v, std::uint32_t lo, std::uint32_t hi) {
  switch (op) {
    case ipf::Op::Eq:
      return lo <= v && v <= hi;
    case ipf::Op::Ne:
      return !(lo <= v && v <= hi);
    case ipf::Op::Lt:
      return v < lo;
    case ipf::Op::Gt:
      return v > hi;
    case ipf::Op::Le:
      return v <= hi;
    case ipf::Op::Ge:
      return v >= lo;
  }
  return false;
}

bool sides(ipf::Dir dir, bool s, bool d) {
  switch (dir) {
    case ipf::Dir::Src:
      return s;
    case ipf::Dir::Dst:
      return d;
    case ipf::Dir::SrcAndDst:
      return s && d;
    case ipf::Dir::None:
    case ipf::Dir::SrcOrDst:
      return s || d;
  }
  return false;
}

// LEN bytes at POS of `b`, if it has them.
bool window_of(const Bytes& b, std::uint32_t pos, std::uint32_t len, std::uint32_t& v) {
  if (pos + len > b.size()) return false;
  v = be(b, pos, len);
  return true;
}

bool eval_prim(const ipf::Prim& p, const Decoded& d) {
  const bool later_fragment = d.frag_offset != 0;
  // Click's 'FIELD & MASK OP VALUE': the comparison sees the masked value.
  auto compare = [&p](ipf::Op op, std::uint32_t v, std::uint32_t lo, std::uint32_t hi) {
    return ::compare(op, p.mask ? v & p.mask : v, lo, hi);
  };
  switch (p.kind) {
    case ipf::PrimKind::Host:
    case ipf::PrimKind::Net:
      return sides(p.dir, compare(p.op, d.src, p.lo, p.hi), compare(p.op, d.dst, p.lo, p.hi));
    case ipf::PrimKind::Port: {
      if (later_fragment || (d.proto != 6 && d.proto != 17)) return false;
      if (p.proto >= 0 && d.proto != static_cast<std::uint32_t>(p.proto)) return false;
      const bool s = d.l4.size() >= 2 && compare(p.op, be(d.l4, 0, 2), p.lo, p.hi);
      const bool t = d.l4.size() >= 4 && compare(p.op, be(d.l4, 2, 2), p.lo, p.hi);
      return sides(p.dir, s, t);
    }
    case ipf::PrimKind::Proto:
      return compare(p.op, d.proto, p.lo, p.hi);
    case ipf::PrimKind::TcpOpt:
      return !later_fragment && d.proto == 6 && d.l4.size() >= 14 && (d.l4[13] & p.lo) == p.lo;
    case ipf::PrimKind::IcmpType:
      return !later_fragment && d.proto == 1 && !d.l4.empty() && compare(p.op, d.l4[0], p.lo, p.hi);
    case ipf::PrimKind::Frag:
      return d.mf || d.frag_offset != 0;
    case ipf::PrimKind::Unfrag:
      return !d.mf && d.frag_offset == 0;
    case ipf::PrimKind::Ttl:
      return compare(p.op, d.ttl, p.lo, p.hi);
    case ipf::PrimKind::Tos:
      return compare(p.op, d.tos, p.lo, p.hi);
    case ipf::PrimKind::Dscp:
      return compare(p.op, d.tos >> 2, p.lo, p.hi);
    case ipf::PrimKind::Hl:
      return compare(p.op, d.hl, p.lo, p.hi);
    case ipf::PrimKind::Vers:
      return compare(p.op, d.vers, p.lo, p.hi);
    case ipf::PrimKind::Id:
      return compare(p.op, d.id, p.lo, p.hi);
    case ipf::PrimKind::Win:
      return !later_fragment && d.proto == 6 && d.l4.size() >= 16 && compare(p.op, be(d.l4, 14, 2), p.lo, p.hi);
    case ipf::PrimKind::IpBytes: {
      std::uint32_t v = 0;
      return window_of(d.ip, p.pos, p.len, v) && compare(p.op, v, p.lo, p.hi);
    }
    case ipf::PrimKind::TranspBytes: {
      std::uint32_t v = 0;
      if (later_fragment || (p.proto >= 0 && d.proto != static_cast<std::uint32_t>(p.proto))) return false;
      return window_of(d.l4, p.pos, p.len, v) && compare(p.op, v, p.lo, p.hi);
    }
  }
  return false;
}

bool eval(const ipf::Expr& e, int n, const Decoded& d) {
  const ipf::Node& node = e.nodes.at(static_cast<std::size_t>(n));
  switch (node.kind) {
    case ipf::Node::True:
      return true;
    case ipf::Node::False:
      return false;
    case ipf::Node::Leaf:
      return eval_prim(node.prim, d);
    case ipf::Node::Not:
      return !eval(e, node.kids.at(0), d);
    case ipf::Node::And:
      for (int k : node.kids)
        if (!eval(e, k, d)) return false;
      return true;
    case ipf::Node::Or:
      for (int k : node.kids)
        if (eval(e, k, d)) return true;
      return false;
  }
  return false;
}

// ---- Random rules ----------------------------------------------------------------------------

struct Gen {
  std::mt19937_64 rng;
  explicit Gen(std::uint64_t seed) : rng(seed) {}
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); }
  bool chance(std::uint32_t percent) { return below(100) < percent; }
  template <typename T, std::size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(N)];
  }
};

constexpr const char* kHosts[] = {"10.0.0.1",   "10.1.2.3", "192.168.1.1",    "192.168.1.255",
                                  "172.16.0.5", "0.0.0.0",  "255.255.255.255"};
constexpr const char* kNets[] = {"10.0.0.0/8",       "10.1.0.0/16", "192.168.1.0/24",
                                 "172.16.0.0/12",    "0.0.0.0/0",   "10.1.2.0 mask 255.255.255.0",
                                 "192.168.1.128/25", "10.0.0.1/32"};
constexpr const char* kPorts[] = {"22",    "53",   "80",   "www", "443",       "1000-2000", "0",
                                  "65535", "1023", "1024", "ssh", "5000-5000", "1-1023"};
constexpr const char* kRelPorts[] = {"> 1023", "< 1024", ">= 80", "<= 53", "!= 80", "== 443"};
constexpr const char* kProtos[] = {"tcp",          "udp",           "icmp",         "ip proto 47",
                                   "ip proto tcp", "ip proto != 6", "ip proto > 16"};
constexpr const char* kFlags[] = {"syn", "ack", "fin", "rst", "psh", "urg"};
constexpr const char* kIcmp[] = {"echo", "echo-reply", "unreachable", "3", "11", "!= 8", "> 10"};
constexpr const char* kDirs[] = {"src ", "dst ", "", "src or dst ", "src and dst "};

// Click's other primitives and masks (issue 18); one ip[] and one transp[] window per element.
constexpr const char* kMore[] = {"ip hl 5",
                                 "ip hl > 5",
                                 "ip vers 4",
                                 "ip vers != 4",
                                 "ip id & 0xf000 == 0x1000",
                                 "ip id < 1000",
                                 "ip id & 0xff00 == 0",
                                 "tcp win > 1000",
                                 "tcp win & 0x8000 != 0",
                                 "ip tos & 3 = 1",
                                 "ip tos & 0xfc == 0",
                                 "ip[9] 6",
                                 "ip[9] & 0xf0 == 0x10",
                                 "ip[9] > 16",
                                 "transp[2:2] == 80",
                                 "transp[2:2] & 0xff00 = 0",
                                 "tcp[2:2] > 1023",
                                 "src port & 0xfc00 == 0",
                                 "icmp type & 8 == 8",
                                 "ip ttl & 0x80 != 0"};

std::string primitive(Gen& g) {
  if (g.chance(15)) return g.pick(kMore);
  switch (g.below(12)) {
    case 0:
      return std::string(g.pick(kDirs)) + "host " + g.pick(kHosts);
    case 1:
      return std::string(g.pick(kDirs)) + "net " + g.pick(kNets);
    case 2: {
      std::string proto = g.chance(30) ? (g.chance(50) ? "tcp " : "udp ") : "";
      std::string s = std::string(g.pick(kDirs)) + proto + "port " + g.pick(kPorts);
      if (g.chance(25)) s += std::string(" or ") + g.pick(kPorts);  // keyword inheritance
      return s;
    }
    case 3:
      return std::string(g.pick(kDirs)) + (g.chance(30) ? "tcp " : "") + "port " + g.pick(kRelPorts);
    case 4:
      return g.pick(kProtos);
    case 5:
      return std::string(g.chance(50) ? "tcp opt " : "") + g.pick(kFlags) + (g.chance(30) ? " ack" : "");
    case 6:
      return std::string("icmp type ") + g.pick(kIcmp);
    case 7:
      return g.chance(50) ? (g.chance(50) ? "ip frag" : "frag") : (g.chance(50) ? "ip unfrag" : "unfrag");
    case 8:
      return std::string("ip ttl ") + (g.chance(50) ? "<= 1" : "64");
    case 9:
      return std::string(g.chance(50) ? "ip tos " : "ip dscp ") + (g.chance(50) ? "0" : "> 10");
    case 10:
      return g.pick(kHosts);  // bare address: a host
    default:
      return g.chance(80) ? "true" : "false";
  }
}

std::string expression(Gen& g, int depth) {
  if (depth > 2 || g.chance(35)) return primitive(g);
  const std::uint32_t n = 2 + g.below(2);
  std::string s;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (i > 0)
      s += g.chance(50) ? (g.chance(50) ? " and " : " && ") : g.chance(15) ? " " : g.chance(50) ? " or " : " || ";
    std::string sub = expression(g, depth + 1);
    if (g.chance(8)) sub = "(" + sub + " ? " + primitive(g) + " : " + primitive(g) + ")";  // Click's ?:
    if (g.chance(20))
      sub = (g.chance(50) ? "not " : "! ") + std::string("(") + sub + ")";
    else if (g.chance(40))
      sub = "(" + sub + ")";
    s += sub;
  }
  return s;
}

// ---- Random packets --------------------------------------------------------------------------

std::uint32_t ip_of(const char* text) {
  std::uint32_t a = 0;
  REQUIRE(nb::text::parse_ipv4(text, a));
  return a;
}

std::uint32_t near_address(Gen& g) {
  static const std::uint32_t base[] = {ip_of("10.0.0.1"),      ip_of("10.1.2.3"),      ip_of("192.168.1.1"),
                                       ip_of("192.168.1.255"), ip_of("172.16.0.5"),    ip_of("10.0.0.0"),
                                       ip_of("10.1.0.0"),      ip_of("192.168.1.128"), ip_of("172.31.255.255")};
  if (g.chance(10)) return static_cast<std::uint32_t>(g.rng());
  const std::uint32_t b = g.pick(base);
  const int delta = static_cast<int>(g.below(5)) - 2;
  return b + static_cast<std::uint32_t>(delta);
}

std::uint16_t near_port(Gen& g) {
  static const std::uint16_t base[] = {22, 53, 80, 443, 1000, 2000, 1023, 1024, 0, 65535, 5000, 1};
  if (g.chance(10)) return static_cast<std::uint16_t>(g.rng());
  return static_cast<std::uint16_t>(g.pick(base) + static_cast<int>(g.below(3)) - 1);
}

struct TestPacket {
  Bytes bytes;
  std::uint16_t offset;
};

TestPacket random_packet(Gen& g) {
  TestPacket t;
  const std::uint32_t eth = g.chance(50) ? 14 : 0;
  t.offset = g.chance(1) ? 0xffff : static_cast<std::uint16_t>(eth);
  const std::uint32_t ihl = g.chance(20) ? 6 + g.below(10) : 5;
  static const std::uint8_t protos[] = {6, 6, 17, 17, 1, 1, 47, 2};
  const std::uint8_t proto = g.chance(5) ? static_cast<std::uint8_t>(g.rng()) : g.pick(protos);
  std::uint32_t l4len = proto == 6 ? 20 : proto == 17 ? 8 : 8;
  if (g.chance(15)) l4len = g.below(22);   // transport header cut short
  if (g.chance(20)) l4len += g.below(30);  // payload
  Bytes ip(ihl * 4 + l4len);
  for (auto& b : ip) b = static_cast<std::uint8_t>(g.rng());
  ip[0] = static_cast<std::uint8_t>(0x40 | ihl);
  ip[1] = g.chance(50) ? 0 : static_cast<std::uint8_t>(g.rng());
  const std::uint32_t total = static_cast<std::uint32_t>(ip.size());
  ip[2] = static_cast<std::uint8_t>(total >> 8), ip[3] = static_cast<std::uint8_t>(total);
  std::uint16_t frag = 0;
  const std::uint32_t f = g.below(100);
  if (f < 10)
    frag = 0x2000;  // first fragment
  else if (f < 20)
    frag = static_cast<std::uint16_t>((g.chance(50) ? 0x2000 : 0) | (1 + g.below(100)));  // later
  else if (f < 30)
    frag = 0x4000;  // DF
  ip[6] = static_cast<std::uint8_t>(frag >> 8), ip[7] = static_cast<std::uint8_t>(frag);
  ip[8] = static_cast<std::uint8_t>(g.chance(20) ? g.below(3) : 64);
  ip[9] = proto;
  const std::uint32_t src = near_address(g), dst = near_address(g);
  for (int i = 0; i < 4; ++i) {
    ip[12 + i] = static_cast<std::uint8_t>(src >> (24 - 8 * i));
    ip[16 + i] = static_cast<std::uint8_t>(dst >> (24 - 8 * i));
  }
  const std::size_t l4 = ihl * 4;
  if ((proto == 6 || proto == 17) && l4len >= 4) {
    const std::uint16_t sp = near_port(g), dp = near_port(g);
    ip[l4] = static_cast<std::uint8_t>(sp >> 8), ip[l4 + 1] = static_cast<std::uint8_t>(sp);
    ip[l4 + 2] = static_cast<std::uint8_t>(dp >> 8), ip[l4 + 3] = static_cast<std::uint8_t>(dp);
  }
  if (proto == 1 && l4len >= 1) {
    static const std::uint8_t types[] = {0, 3, 8, 11, 5, 13};
    ip[l4] = g.pick(types);
  }
  // Broken headers.
  if (g.chance(4)) {
    switch (g.below(5)) {
      case 0:
        ip[0] = static_cast<std::uint8_t>(0x60 | ihl);
        break;  // version 6
      case 1:
        ip[0] = static_cast<std::uint8_t>(0x40 | g.below(5));
        break;  // IHL < 5
      case 2:
        ip[2] = 0, ip[3] = static_cast<std::uint8_t>(g.below(20));
        break;  // total < header
      case 3:
        ip[2] = static_cast<std::uint8_t>((total + 1 + g.below(40)) >> 8),
        ip[3] = static_cast<std::uint8_t>(total + 1 + g.below(40));
        break;  // past the end
      default:
        ip.resize(g.below(static_cast<std::uint32_t>(std::min<std::size_t>(ip.size(), 20))));
        break;  // runt
    }
  }
  t.bytes.assign(eth, 0xee);
  t.bytes.insert(t.bytes.end(), ip.begin(), ip.end());
  // Ethernet padding after the datagram: must never be read as transport bytes.
  if (g.chance(20)) t.bytes.insert(t.bytes.end(), g.below(20), static_cast<std::uint8_t>(g.rng()));
  return t;
}

// What the element did with one packet.
struct Result {
  bool sent = false;
  std::uint32_t port = 0;  // or drop reason
};

template <typename E>
Result run(const typename E::Config& config, typename E::State& state, const TestPacket& t) {
  Context ctx(64, nullptr);
  rte_mbuf* m = make_mbuf(t.bytes, 0);
  anno_ref(m).network_offset = t.offset;
  E::spec.ops->push(&config, &state, ctx, 0, m);
  REQUIRE(ctx.emit_count() + ctx.drop_count() == 1);
  Result r;
  if (ctx.emit_count() == 1) {
    r.sent = true;
    r.port = ctx.emit(0).port;
    MbufPtr(ctx.emit(0).mbuf).reset();
  } else {
    r.port = ctx.dropped(0).reason;
    MbufPtr(ctx.dropped(0).mbuf).reset();
  }
  return r;
}

}  // namespace

TEST_CASE("IPFilter and IPClassifier agree with a reference evaluator on random rules and packets", "[nf][firewall]") {
  constexpr int kRuleSets = 150;
  constexpr int kPacketsPerSet = 800;  // 120,000 packets, each through both elements
  Gen g(0x6669726577616c6cull);
  int sets_run = 0, too_complex = 0;
  long matched_late = 0, packets = 0, bad = 0, no_match = 0;
  for (int set = 0; set < kRuleSets; ++set) {
    const std::uint32_t nrules = 1 + g.below(g.chance(20) ? 60 : 12);
    std::vector<std::string> patterns, rules;
    std::vector<ipf::Expr> exprs;
    std::vector<std::uint32_t> actions;
    for (std::uint32_t i = 0; i < nrules; ++i) {
      std::string text = expression(g, 0);
      ipf::Expr e;
      ipf::Error err;
      INFO("pattern: " << text << " error at " << err.offset << ": " << err.message);
      REQUIRE(ipf::parse_pattern(text, e, err));
      const std::uint32_t a = g.chance(60) ? 0 : g.chance(50) ? ipf::kActionDrop : 1 + g.below(3);
      patterns.push_back(text);
      rules.push_back((a == ipf::kActionDrop ? std::string(g.chance(50) ? "deny " : "drop ")
                       : a == 0              ? std::string(g.chance(50) ? "allow " : "0 ")
                                             : std::to_string(a) + " ") +
                      text);
      exprs.push_back(std::move(e));
      actions.push_back(a);
    }
    auto fcfg = std::make_unique<IPFilter::Config>();
    auto ccfg = std::make_unique<IPClassifier::Config>();
    std::string ferr, cerr;
    const bool fok = Configured("IPFilter(" + join_args(rules) + ")", 4).configure(fcfg.get(), ferr);
    const bool cok = Configured("IPClassifier(" + join_args(patterns) + ")", nrules).configure(ccfg.get(), cerr);
    INFO("rule set " << set << ": " << ferr << " / " << cerr);
    REQUIRE(fok == cok);
    if (!fok) {
      // Only the documented limit may refuse a rule set.
      REQUIRE(ferr.find("alternatives") != std::string::npos);
      ++too_complex;
      continue;
    }
    ++sets_run;
    IPFilter::State fstate{};
    IPClassifier::State cstate{};
    for (int k = 0; k < kPacketsPerSet; ++k) {
      const TestPacket t = random_packet(g);
      const Decoded d = decode(t.bytes, t.offset);
      std::uint32_t first = nrules;
      if (d.valid)
        for (std::uint32_t i = 0; i < nrules && first == nrules; ++i)
          if (eval(exprs[i], exprs[i].root, d)) first = i;
      const Result c = run<IPClassifier>(*ccfg, cstate, t);
      const Result f = run<IPFilter>(*fcfg, fstate, t);
      INFO("packet " << k << " of " << t.bytes.size() << " bytes, first matching rule " << first);
      ++packets;
      if (!d.valid) {
        ++bad;
        REQUIRE((!c.sent && c.port == IPClassifier::kDrops["bad IP header"]));
        REQUIRE((!f.sent && f.port == IPFilter::kDrops["bad IP header"]));
      } else if (first == nrules) {
        ++no_match;
        REQUIRE((!c.sent && c.port == IPClassifier::kDrops["no match"]));
        REQUIRE((!f.sent && f.port == IPFilter::kDrops["no match"]));
      } else {
        if (first > 0) ++matched_late;
        INFO("rule: " << rules[first]);
        REQUIRE((c.sent && c.port == first));
        if (actions[first] == ipf::kActionDrop)
          REQUIRE((!f.sent && f.port == IPFilter::kDrops["denied"]));
        else
          REQUIRE((f.sent && f.port == actions[first]));
      }
    }
    REQUIRE(fstate.passed + fstate.denied + fstate.unmatched + fstate.bad ==
            static_cast<std::uint64_t>(kPacketsPerSet));
  }
  // The generator must exercise what it claims to.
  CHECK(sets_run >= 100);
  CHECK(packets >= 100000);
  CHECK(bad > packets / 50);
  CHECK(no_match > packets / 20);
  CHECK(matched_late > packets / 20);
  WARN("rule sets " << sets_run << " (too complex " << too_complex << "), packets " << packets << ", bad " << bad
                    << ", unmatched " << no_match << ", matched after rule 0 " << matched_late);
}

TEST_CASE("IPFilter patterns: parse errors point at the offending token", "[nf][firewall]") {
  struct Case {
    const char* text;
    std::size_t offset;
    const char* fragment;
  };
  const Case cases[] = {
      {"allow tcp dst port 99999", 19, "is not a port"},
      {"allow src host 1.2.3", 15, "not an IPv4 address"},
      {"pass tcp", 0, "expected an action"},
      {"allow (tcp or udp", 6, "never closed"},
      {"allow tcp )", 10, "closes no"},
      {"allow port 80 & 81", 14, "alone is not an operator"},
      {"allow 80", 6, "needs a type"},
      {"allow src tcp opt syn", 10, "cannot be qualified"},
      {"allow net 10.0.0.0", 10, "needs a length or a mask"},
      {"allow net 10.0.0.0 mask 255.0", 24, "expected a mask"},
      {"allow src net 10.0.0.0/255.0.255.0", 14, "contiguous"},
      {"allow port 2000-1000", 11, "is empty"},
      {"allow host < 10.0.0.1", 11, "only '==' and '!='"},
      {"allow ip bogus", 9, "after 'ip'"},
      {"allow", 5, "expected a pattern"},
      {"allow tcp and", 13, "expected a primitive"},
      // Click's other primitives, masks and ?: (issue 18).
      {"allow ip[9:5] 1", 6, "LEN 1 to 4"},
      {"allow ip[9 1", 8, "never closed"},
      {"allow ip[2:2] 1 and ip[4:2] 2", 20, "differs from the one before"},
      {"allow ip tos & 3", 16, "expected a value"},
      {"allow ip tos & 0 == 0", 15, "expected a mask"},
      {"allow ip tos & 3 == 4", 20, "bits outside the mask"},
      {"allow host & 1 10.0.0.1", 11, "a mask applies to a number"},
      {"allow src port & 1 == 1", 22, "cuts the field into 32768 ranges"},
      {"allow ip[0:4] & 0x1 != 0", 23, "too many gaps"},
      {"allow tcp ? syn", 15, "expected ':'"},
      {"allow tcp : syn", 10, "follows no '?'"},
      {"allow ip hl 16", 12, "from 0 to 15"},
      {"allow bogus[1] 2", 6, "is not a header"},
  };
  for (const Case& c : cases) {
    ParamError e;
    INFO(c.text);
    REQUIRE_FALSE(IPFilter::validate_rule(c.text, e));
    INFO(e.message);
    CHECK(e.offset == c.offset);
    CHECK(e.message.find(c.fragment) != std::string::npos);
  }
  ParamError e;
  std::string deep(70, '(');
  REQUIRE_FALSE(IPClassifier::validate_pattern(deep + "tcp" + std::string(70, ')'), e));
  CHECK(e.message.find("nest") != std::string::npos);
  // Keyword inheritance, shorthands and operators that must parse.
  for (const char* ok : {"src port 80 or 81",
                         "syn ack",
                         "tcp opt syn and not ack",
                         "10.0.0.0/8 and www",
                         "src or dst host 1.2.3.4 or 5.6.7.8",
                         "dst tcp port > 1023",
                         "icmp type echo or echo-reply",
                         "ip frag || ip unfrag",
                         "!tcp && !(udp)",
                         "-",
                         "any",
                         "all",
                         "src and dst net 10.0.0.0/8",
                         "port 1000-2000",
                         "ip proto 47",
                         "dst port >= 1024 and < 2000",
                         "ip hl 5",
                         "ip hl > 5",
                         "ip vers 4",
                         "ip id 7",
                         "ip id & 0xff00 == 0x1200",
                         "tcp win 512",
                         "tcp win < 1024",
                         "ip[9:1] 6",
                         "ip[9] 6",
                         "ip[12:4] == 0x0a000001",
                         "ip[12:4] & 0xff000000 == 0x0a000000",
                         "transp[0:2] 80",
                         "tcp[13] & 2 != 0",
                         "udp[2:2] 53",
                         "ip tos & 3 = 1",
                         "ip tos & 0xfc > 8",
                         "tcp ? dst port 80 : udp",
                         "tcp ? syn : icmp ? icmp type echo : false",
                         "(ip ttl < 2 ? icmp : tcp) and src net 10.0.0.0/8"}) {
    INFO(ok);
    CHECK(IPClassifier::validate_pattern(ok, e));
  }
}

TEST_CASE("IPClassifier with many boundaries per field (the two-level search) agrees with the reference",
          "[nf][firewall]") {
  Gen g(42);
  for (int set = 0; set < 20; ++set) {
    // Up to 120 rules on ports and addresses: up to 240 boundaries on a field.
    const std::uint32_t nrules = 20 + g.below(101);
    std::vector<std::string> patterns;
    std::vector<ipf::Expr> exprs;
    std::vector<std::uint32_t> ports, hosts;
    for (std::uint32_t i = 0; i < nrules; ++i) {
      const std::uint32_t port = g.below(65536), host = static_cast<std::uint32_t>(g.rng());
      ports.push_back(port);
      hosts.push_back(host);
      std::string text;
      switch (g.below(3)) {
        case 0:
          text = "dst port " + std::to_string(port);
          break;
        case 1:
          text = "src host " + std::to_string(host >> 24) + "." + std::to_string(host >> 16 & 255) + "." +
                 std::to_string(host >> 8 & 255) + "." + std::to_string(host & 255);
          break;
        default:
          text = "udp src port " + std::to_string(port) + "-" + std::to_string(std::min(65535u, port + g.below(50)));
          break;
      }
      ipf::Expr e;
      ipf::Error err;
      REQUIRE(ipf::parse_pattern(text, e, err));
      patterns.push_back(text);
      exprs.push_back(std::move(e));
    }
    auto cfg = std::make_unique<IPClassifier::Config>();
    std::string error;
    REQUIRE(Configured("IPClassifier(" + join_args(patterns) + ")", nrules).configure(cfg.get(), error));
    IPClassifier::State state{};
    for (int k = 0; k < 2000; ++k) {
      TestPacket t = random_packet(g);
      // Aim at the rules' values (and their neighbours) most of the time.
      const std::size_t l = t.offset == 0xffff ? 0 : t.offset;
      if (t.bytes.size() >= l + 24 && (t.bytes[l] & 15) == 5 && g.chance(80)) {
        const std::uint32_t host = hosts[g.below(nrules)] + g.below(3) - 1;
        const std::uint32_t port = ports[g.below(nrules)] + g.below(3) - 1;
        for (int i = 0; i < 4; ++i) t.bytes[l + 12 + i] = static_cast<std::uint8_t>(host >> (24 - 8 * i));
        t.bytes[l + 20] = static_cast<std::uint8_t>(port >> 8), t.bytes[l + 21] = static_cast<std::uint8_t>(port);
        t.bytes[l + 22] = static_cast<std::uint8_t>(port >> 8), t.bytes[l + 23] = static_cast<std::uint8_t>(port);
      }
      const Decoded d = decode(t.bytes, t.offset);
      std::uint32_t first = nrules;
      if (d.valid)
        for (std::uint32_t i = 0; i < nrules && first == nrules; ++i)
          if (eval(exprs[i], exprs[i].root, d)) first = i;
      const Result r = run<IPClassifier>(*cfg, state, t);
      INFO("set " << set << " packet " << k << " first " << first);
      if (!d.valid)
        REQUIRE((!r.sent && r.port == IPClassifier::kDrops["bad IP header"]));
      else if (first == nrules)
        REQUIRE((!r.sent && r.port == IPClassifier::kDrops["no match"]));
      else
        REQUIRE((r.sent && r.port == first));
    }
  }
}

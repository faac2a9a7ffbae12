// nb-gen-traffic: write deterministic Ethernet pcap traces for nb's tests and examples.
//   nb-gen-traffic --profile NAME -o FILE [--count N] [--seed S]
// The same profile, count and seed always give the same file, byte for byte, on every machine:
// the generator draws raw 32-bit words from std::mt19937 (whose sequence the standard fixes) and
// never uses std::uniform_int_distribution or std::shuffle (whose algorithms it does not), nor the
// clock. Timestamps start at a fixed epoch and advance by one millisecond per packet.
//
// Exit status: 0 success, 1 cannot write the file, 2 usage errors.
#include <CLI/CLI.hpp>
#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<std::uint8_t>;

// ---------------------------------------------------------------------------------------------
// Randomness that is the same with every standard library.

class Rng {
 public:
  explicit Rng(std::uint32_t seed) : mt_(seed) {}
  std::uint32_t u32() { return static_cast<std::uint32_t>(mt_()); }
  // Uniform in [0, n) by rejection (n > 0).
  std::uint32_t below(std::uint32_t n) {
    std::uint32_t limit = UINT32_MAX - (UINT32_MAX % n);
    std::uint32_t v;
    do v = u32();
    while (v >= limit);
    return v % n;
  }
  std::uint32_t range(std::uint32_t lo, std::uint32_t hi) { return lo + below(hi - lo + 1); }  // [lo, hi]
  bool chance(std::uint32_t percent) { return below(100) < percent; }
  std::uint8_t byte() { return static_cast<std::uint8_t>(u32()); }
  void fill(Bytes& b, std::size_t from = 0) {
    for (std::size_t i = from; i < b.size(); ++i) b[i] = byte();
  }
  template <class T>
  void shuffle(std::vector<T>& v) {  // Fisher-Yates with our own draws
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(static_cast<std::uint32_t>(i))]);
  }

 private:
  std::mt19937 mt_;
};

// ---------------------------------------------------------------------------------------------
// Packet building.

void put16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v));
}
void put64(Bytes& b, std::size_t at, std::uint64_t v) {
  put32(b, at, static_cast<std::uint32_t>(v >> 32));
  put32(b, at + 4, static_cast<std::uint32_t>(v));
}

// Ones' complement sum of 16-bit big-endian words (RFC 1071), not yet inverted.
std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t acc = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) acc += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) acc += static_cast<std::uint32_t>(p[n - 1] << 8);
  return acc;
}
std::uint16_t fold(std::uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc & 0xffff);
}

using Mac = std::array<std::uint8_t, 6>;
using Ip4 = std::uint32_t;
using Ip6 = std::array<std::uint8_t, 16>;

constexpr Mac kMacA{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr Mac kMacB{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
constexpr Mac kBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

constexpr std::uint16_t kEtherIPv4 = 0x0800, kEtherARP = 0x0806, kEtherIPv6 = 0x86dd;
constexpr std::uint8_t kProtoICMP = 1, kProtoTCP = 6, kProtoUDP = 17;

Bytes ethernet(const Mac& dst, const Mac& src, std::uint16_t type) {
  Bytes b(14);
  std::copy(dst.begin(), dst.end(), b.begin());
  std::copy(src.begin(), src.end(), b.begin() + 6);
  put16(b, 12, type);
  return b;
}

struct Ip4Fields {
  Ip4 src = 0x0a000001, dst = 0x0a010001;  // 10.0.0.1 -> 10.1.0.1
  std::uint8_t ttl = 64, proto = kProtoUDP, tos = 0;
  std::uint16_t id = 0;
  bool df = false;
  std::size_t options = 0;  // bytes of IP options (NOPs + EOL), a multiple of 4
};

// Transport checksum over the IPv4 pseudo-header and the segment.
std::uint16_t l4_checksum4(Ip4 src, Ip4 dst, std::uint8_t proto, const Bytes& seg) {
  std::uint32_t acc = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto +
                      static_cast<std::uint32_t>(seg.size());
  return fold(sum16(seg.data(), seg.size(), acc));
}
std::uint16_t l4_checksum6(const Ip6& src, const Ip6& dst, std::uint8_t proto, const Bytes& seg) {
  std::uint32_t acc = sum16(src.data(), 16) + sum16(dst.data(), 16);
  acc += static_cast<std::uint32_t>(seg.size() >> 16) + static_cast<std::uint32_t>(seg.size() & 0xffff) + proto;
  return fold(sum16(seg.data(), seg.size(), acc));
}

// A valid IPv4 header (with correct checksum) followed by `payload`.
Bytes ipv4(const Ip4Fields& f, const Bytes& payload) {
  std::size_t hl = 20 + f.options;
  Bytes b(hl);
  b[0] = static_cast<std::uint8_t>(0x40 | (hl / 4));
  b[1] = f.tos;
  put16(b, 2, static_cast<std::uint16_t>(hl + payload.size()));
  put16(b, 4, f.id);
  put16(b, 6, f.df ? 0x4000 : 0);
  b[8] = f.ttl;
  b[9] = f.proto;
  put32(b, 12, f.src);
  put32(b, 16, f.dst);
  for (std::size_t i = 20; i < hl; ++i) b[i] = i + 1 == hl ? 0 : 1;  // NOP ... EOL
  put16(b, 10, fold(sum16(b.data(), hl)));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

// Over the header length the header states, at least 20 bytes, at most what the frame holds.
void recompute_ip_checksum(Bytes& frame, std::size_t ip_at = 14) {
  std::size_t hl = static_cast<std::size_t>(frame[ip_at] & 0x0f) * 4;
  hl = std::min(std::max<std::size_t>(hl, 20), frame.size() - ip_at);
  put16(frame, ip_at + 10, 0);
  put16(frame, ip_at + 10, fold(sum16(frame.data() + ip_at, hl)));
}

Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& data) {
  Bytes b(8);
  put16(b, 0, sport);
  put16(b, 2, dport);
  put16(b, 4, static_cast<std::uint16_t>(8 + data.size()));
  b.insert(b.end(), data.begin(), data.end());
  return b;
}
Bytes udp4(const Ip4Fields& f, std::uint16_t sport, std::uint16_t dport, const Bytes& data) {
  Bytes b = udp(sport, dport, data);
  std::uint16_t c = l4_checksum4(f.src, f.dst, kProtoUDP, b);
  put16(b, 6, c == 0 ? 0xffff : c);
  return b;
}

Bytes tcp4(const Ip4Fields& f, std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
           std::uint8_t flags, const Bytes& data) {
  Bytes b(20);
  put16(b, 0, sport);
  put16(b, 2, dport);
  put32(b, 4, seq);
  put32(b, 8, ack);
  b[12] = 5 << 4;
  b[13] = flags;
  put16(b, 14, 65535);
  b.insert(b.end(), data.begin(), data.end());
  put16(b, 16, l4_checksum4(f.src, f.dst, kProtoTCP, b));
  return b;
}

Bytes icmp_echo(bool reply, std::uint16_t ident, std::uint16_t seq, const Bytes& data) {
  Bytes b(8);
  b[0] = reply ? 0 : 8;
  put16(b, 4, ident);
  put16(b, 6, seq);
  b.insert(b.end(), data.begin(), data.end());
  put16(b, 2, fold(sum16(b.data(), b.size())));
  return b;
}

Bytes arp(bool reply, const Mac& sha, Ip4 spa, const Mac& tha, Ip4 tpa) {
  Bytes b(28);
  put16(b, 0, 1);       // Ethernet
  put16(b, 2, 0x0800);  // IPv4
  b[4] = 6;
  b[5] = 4;
  put16(b, 6, reply ? 2 : 1);
  std::copy(sha.begin(), sha.end(), b.begin() + 8);
  put32(b, 14, spa);
  std::copy(tha.begin(), tha.end(), b.begin() + 18);
  put32(b, 24, tpa);
  return b;
}

Bytes ipv6_udp(const Ip6& src, const Ip6& dst, std::uint8_t hop_limit, std::uint16_t sport, std::uint16_t dport,
               const Bytes& data) {
  Bytes seg = udp(sport, dport, data);
  std::uint16_t c = l4_checksum6(src, dst, kProtoUDP, seg);
  put16(seg, 6, c == 0 ? 0xffff : c);
  Bytes b(40);
  b[0] = 0x60;
  put16(b, 4, static_cast<std::uint16_t>(seg.size()));
  b[6] = kProtoUDP;
  b[7] = hop_limit;
  std::copy(src.begin(), src.end(), b.begin() + 8);
  std::copy(dst.begin(), dst.end(), b.begin() + 24);
  b.insert(b.end(), seg.begin(), seg.end());
  return b;
}

Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Ethernet's minimum frame (without FCS) is 60 bytes: pad with zeros, as NICs do.
void pad60(Bytes& frame) {
  if (frame.size() < 60) frame.resize(60, 0);
}

Bytes random_payload(Rng& rng, std::size_t n) {
  Bytes b(n);
  rng.fill(b);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Valid IPv4 packets.

enum class L4 { UDP, TCP, ICMP };

Ip4Fields random_ip4(Rng& rng, std::uint16_t id, std::uint8_t ttl, std::uint8_t proto) {
  Ip4Fields f;
  f.src = 0x0a000000u | (rng.range(0, 3) << 8) | rng.range(1, 254);  // 10.0.0-3.x
  f.dst = 0x0a010000u | (rng.range(0, 3) << 8) | rng.range(1, 254);  // 10.1.0-3.x
  f.ttl = ttl;
  f.proto = proto;
  f.id = id;
  f.df = rng.chance(50);
  f.tos = rng.chance(20) ? static_cast<std::uint8_t>(rng.below(64) << 2) : 0;
  return f;
}

// An Ethernet + IPv4 frame with a correct transport header; `payload_len` bytes of data.
Bytes valid_ipv4(Rng& rng, L4 l4, std::uint16_t id, std::uint8_t ttl, std::size_t payload_len,
                 std::size_t options = 0) {
  std::uint8_t proto = l4 == L4::UDP ? kProtoUDP : l4 == L4::TCP ? kProtoTCP : kProtoICMP;
  Ip4Fields f = random_ip4(rng, id, ttl, proto);
  f.options = options;
  Bytes data = random_payload(rng, payload_len);
  Bytes seg;
  switch (l4) {
    case L4::UDP:
      seg = udp4(f, static_cast<std::uint16_t>(rng.range(1024, 65535)), static_cast<std::uint16_t>(rng.range(40000, 49151)),
                 data);
      break;
    case L4::TCP: {
      static constexpr std::uint8_t kFlags[] = {0x02, 0x12, 0x10, 0x18, 0x11, 0x04};  // SYN SYN-ACK ACK PSH-ACK FIN-ACK RST
      seg = tcp4(f, static_cast<std::uint16_t>(rng.range(1024, 65535)), static_cast<std::uint16_t>(rng.range(40000, 49151)),
                 rng.u32(), rng.u32(), kFlags[rng.below(6)], data);
      break;
    }
    case L4::ICMP:
      seg = icmp_echo(rng.chance(30), static_cast<std::uint16_t>(rng.u32()), static_cast<std::uint16_t>(rng.below(1000)),
                      data);
      break;
  }
  Bytes frame = cat(ethernet(kMacB, kMacA, kEtherIPv4), ipv4(f, seg));
  pad60(frame);
  return frame;
}

// Header checksum corner cases for incremental updates (RFC 1624 section 3). The source address
// is chosen so that the correct header checksum is 0x0000 either in the input (`after` false) or
// after the TTL is decremented (`after` true): an RFC 1141-style update gives 0xFFFF there
// instead. With `negative_zero`, an input checksum of 0x0000 is written as 0xFFFF, the other
// ones' complement zero, which still verifies.
Bytes checksum_edge_ipv4(Rng& rng, std::uint16_t id, bool after, bool negative_zero) {
  Ip4Fields f = random_ip4(rng, id, 64, kProtoUDP);
  Bytes data = random_payload(rng, rng.range(0, 100));
  for (std::uint32_t low = 0; low <= 0xffff; ++low) {
    f.src = 0x0a000000u | low;
    Ip4Fields probe = f;
    if (after) probe.ttl = static_cast<std::uint8_t>(f.ttl - 1);
    Bytes h = ipv4(probe, Bytes(8 + data.size()));  // the header depends on the length, not the contents
    if (h[10] == 0 && h[11] == 0) break;
  }
  Bytes frame = cat(ethernet(kMacB, kMacA, kEtherIPv4),
                    ipv4(f, udp4(f, static_cast<std::uint16_t>(rng.range(1024, 65535)), 40000, data)));
  if (negative_zero && frame[24] == 0 && frame[25] == 0) put16(frame, 24, 0xffff);
  pad60(frame);
  return frame;
}

std::uint8_t random_ttl(Rng& rng) {
  static constexpr std::uint8_t kCommon[] = {0, 1, 2, 3, 32, 63, 64, 64, 64, 128, 255};
  return rng.chance(70) ? kCommon[rng.below(sizeof kCommon)] : static_cast<std::uint8_t>(rng.range(3, 255));
}
L4 random_l4(Rng& rng) { return static_cast<L4>(rng.below(3)); }

// ---------------------------------------------------------------------------------------------
// Malformed IPv4 packets: a valid frame with one thing broken. Every one of them keeps a TTL of
// 64 and (unless the checksum is what is broken) a correct header checksum, so a router that
// failed to reject it would forward it.

enum class Malformed { BadVersion, ShortHeaderLength, HeaderLongerThanPacket, TotalLengthTooLong,
                       TotalLengthShorterThanHeader, BadChecksum, Truncated10, kCount };

Bytes malformed_ipv4(Rng& rng, Malformed kind, std::uint16_t id) {
  Bytes frame = valid_ipv4(rng, random_l4(rng), id, 64, rng.range(8, 200));
  std::size_t ip_len = frame.size() - 14;
  switch (kind) {
    case Malformed::BadVersion:
      frame[14] = static_cast<std::uint8_t>((rng.chance(50) ? 6 : rng.range(0, 3)) << 4 | 5);
      recompute_ip_checksum(frame);
      break;
    case Malformed::ShortHeaderLength:
      frame[14] = static_cast<std::uint8_t>(0x40 | rng.range(0, 4));
      recompute_ip_checksum(frame);  // over 20 bytes
      break;
    case Malformed::HeaderLongerThanPacket:
      frame.resize(14 + 24);  // 24 bytes of IP, but the header says 60
      frame[14] = 0x4f;
      put16(frame, 16, 24);
      recompute_ip_checksum(frame);  // over the 24 bytes there are
      break;
    case Malformed::TotalLengthTooLong:
      put16(frame, 16, static_cast<std::uint16_t>(ip_len + rng.range(1, 1000)));
      recompute_ip_checksum(frame);
      break;
    case Malformed::TotalLengthShorterThanHeader:
      put16(frame, 16, static_cast<std::uint16_t>(rng.range(0, 19)));
      recompute_ip_checksum(frame);
      break;
    case Malformed::BadChecksum:
      put16(frame, 24, static_cast<std::uint16_t>((frame[24] << 8 | frame[25]) ^ rng.range(1, 0xffff)));
      break;
    case Malformed::Truncated10:
      frame.resize(14 + 10);
      break;
    case Malformed::kCount:
      break;
  }
  return frame;
}

// ---------------------------------------------------------------------------------------------
// Other traffic.

Bytes arp_frame(Rng& rng, bool reply) {
  Ip4 a = 0x0a000000u | rng.range(1, 254), b = 0x0a000000u | rng.range(1, 254);
  Bytes frame = reply ? cat(ethernet(kMacA, kMacB, kEtherARP), arp(true, kMacB, b, kMacA, a))
                      : cat(ethernet(kBroadcast, kMacA, kEtherARP), arp(false, kMacA, a, Mac{}, b));
  pad60(frame);
  return frame;
}

Bytes ipv6_frame(Rng& rng) {
  Ip6 src{0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  Ip6 dst{0xfd, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  src[15] = static_cast<std::uint8_t>(rng.range(1, 254));
  dst[15] = static_cast<std::uint8_t>(rng.range(1, 254));
  std::uint8_t hop = rng.chance(30) ? static_cast<std::uint8_t>(rng.range(0, 2)) : 64;  // hop limits DecIPTTL must not touch
  Bytes frame = cat(ethernet(kMacB, kMacA, kEtherIPv6),
                    ipv6_udp(src, dst, hop, static_cast<std::uint16_t>(rng.range(1024, 65535)), 40053,
                             random_payload(rng, rng.range(0, 300))));
  pad60(frame);
  return frame;
}

// A valid IPv4/UDP packet shorter than Ethernet's minimum, padded: IP total length < frame.
// Sometimes with a longer, non-zero trailer too.
Bytes padded_ipv4(Rng& rng, std::uint16_t id, std::uint8_t ttl) {
  Bytes frame = valid_ipv4(rng, rng.chance(70) ? L4::UDP : L4::ICMP, id, ttl, rng.range(0, 10));
  if (rng.chance(30)) {
    std::size_t extra = rng.range(1, 40);
    for (std::size_t i = 0; i < extra; ++i) frame.push_back(rng.byte());
  }
  return frame;
}

// ---------------------------------------------------------------------------------------------
// Profiles.

struct Out {
  std::vector<Bytes> packets;
};

// `quickstart`: the NetBricks TTL function's trace. Every category the quickstart graph
// distinguishes appears at least once (given count >= the 34 packets listed first); the rest is a
// weighted mix. The IP id of every IPv4 packet, valid or not, is its 1-based packet number, so
// input and output packets can be matched by ip.id (unique for up to 65535 packets).
void profile_quickstart(Rng& rng, std::size_t count, Out& out) {
  enum class Kind { Valid, ValidOptions, Padded, Malformed, ArpRequest, ArpReply, IPv6, ZeroBefore, ZeroAfter, NegativeZero };
  struct Plan {
    Kind kind;
    L4 l4 = L4::UDP;
    int ttl = -1;  // -1: random
    Malformed bad = Malformed::BadVersion;
  };
  std::vector<Plan> plan;
  for (L4 l4 : {L4::UDP, L4::TCP, L4::ICMP})
    for (int ttl : {0, 1, 2, 64, 255}) plan.push_back({Kind::Valid, l4, ttl});
  for (int m = 0; m < static_cast<int>(Malformed::kCount); ++m)
    plan.push_back({Kind::Malformed, L4::UDP, 64, static_cast<Malformed>(m)});
  plan.push_back({Kind::Padded, L4::UDP, 64});
  plan.push_back({Kind::Padded, L4::UDP, 1});
  plan.push_back({Kind::ValidOptions, L4::UDP, 64});
  plan.push_back({Kind::ArpRequest});
  plan.push_back({Kind::ArpReply});
  plan.push_back({Kind::IPv6});
  plan.push_back({Kind::ZeroBefore});
  plan.push_back({Kind::ZeroAfter});
  plan.push_back({Kind::NegativeZero});
  if (plan.size() > count) plan.resize(count);
  while (plan.size() < count) {
    std::uint32_t r = rng.below(100);
    if (r < 60) plan.push_back({Kind::Valid, random_l4(rng)});
    else if (r < 63) plan.push_back({Kind::ValidOptions, random_l4(rng)});
    else if (r < 70) plan.push_back({Kind::Padded});
    else if (r < 80) plan.push_back({Kind::Malformed, L4::UDP, 64, static_cast<Malformed>(rng.below(static_cast<std::uint32_t>(Malformed::kCount)))});
    else if (r < 85) plan.push_back({Kind::ArpRequest});
    else if (r < 90) plan.push_back({Kind::ArpReply});
    else plan.push_back({Kind::IPv6});
  }
  rng.shuffle(plan);
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const Plan& p = plan[i];
    auto id = static_cast<std::uint16_t>(i + 1);
    std::uint8_t ttl = p.ttl >= 0 ? static_cast<std::uint8_t>(p.ttl) : random_ttl(rng);
    switch (p.kind) {
      case Kind::Valid: out.packets.push_back(valid_ipv4(rng, p.l4, id, ttl, rng.range(0, 1400))); break;
      case Kind::ValidOptions:
        out.packets.push_back(valid_ipv4(rng, p.l4, id, ttl, rng.range(0, 200), 4 * rng.range(1, 10)));
        break;
      case Kind::Padded: out.packets.push_back(padded_ipv4(rng, id, ttl)); break;
      case Kind::Malformed: out.packets.push_back(malformed_ipv4(rng, p.bad, id)); break;
      case Kind::ArpRequest: out.packets.push_back(arp_frame(rng, false)); break;
      case Kind::ArpReply: out.packets.push_back(arp_frame(rng, true)); break;
      case Kind::IPv6: out.packets.push_back(ipv6_frame(rng)); break;
      case Kind::ZeroBefore: out.packets.push_back(checksum_edge_ipv4(rng, id, false, false)); break;
      case Kind::ZeroAfter: out.packets.push_back(checksum_edge_ipv4(rng, id, true, false)); break;
      case Kind::NegativeZero: out.packets.push_back(checksum_edge_ipv4(rng, id, false, true)); break;
    }
  }
}

// `random`: for differential testing. Packet 2k (0-based) is a random or malformed frame of
// length k mod 1515, so the default count (3030) covers every length 0..1514 once; odd packets
// are valid IPv4 TCP/UDP/ICMP with random TTLs and sizes.
void profile_random(Rng& rng, std::size_t count, Out& out) {
  for (std::size_t i = 0; i < count; ++i) {
    auto id = static_cast<std::uint16_t>(i + 1);
    if (i % 2) {
      std::size_t max_payload = 1514 - 14 - 20 - 20;
      out.packets.push_back(valid_ipv4(rng, random_l4(rng), id, random_ttl(rng), rng.range(0, static_cast<std::uint32_t>(max_payload))));
      continue;
    }
    std::size_t len = (i / 2) % 1515;
    Bytes frame;
    std::uint32_t kind = rng.below(6);
    if (kind == 0 || len < 14) {
      frame = random_payload(rng, len);  // anything at all
    } else if (kind == 1) {
      frame = cat(ethernet(kMacB, kMacA, kEtherIPv4), random_payload(rng, len - 14));  // IPv4 type, random bytes
    } else if (kind == 2) {
      // a malformed IPv4 packet, cut or extended to this length
      frame = malformed_ipv4(rng, static_cast<Malformed>(rng.below(static_cast<std::uint32_t>(Malformed::kCount))), id);
      std::size_t old = frame.size();
      frame.resize(len);
      if (len > old) rng.fill(frame, old);
    } else {
      // a valid IPv4 packet of exactly this length when it fits, with one random byte of its
      // IP header changed (kind 3), its IP header fields randomised (kind 4), or intact (kind 5)
      std::size_t overhead = 14 + 20 + 8;
      frame = valid_ipv4(rng, L4::UDP, id, random_ttl(rng), len > overhead ? len - overhead : 0);
      std::size_t old = frame.size();
      frame.resize(len);
      if (len > old) rng.fill(frame, old);
      if (kind == 3 && len > 14) frame[14 + rng.below(static_cast<std::uint32_t>(std::min<std::size_t>(20, len - 14)))] ^= static_cast<std::uint8_t>(rng.range(1, 255));
      if (kind == 4 && len >= 34) {
        frame[14] = static_cast<std::uint8_t>(0x40 | rng.below(16));
        put16(frame, 16, static_cast<std::uint16_t>(rng.u32()));
        if (rng.chance(70)) recompute_ip_checksum(frame);
      }
    }
    out.packets.push_back(std::move(frame));
  }
}

// `udp-seq`: valid IPv4/UDP from 10.0.0.1 to 10.1.0.1; the UDP payload starts with the packet's
// 0-based sequence number, a 64-bit big-endian integer. Frames are `size` bytes long (at least
// 60). Flows differ in source port: packet n belongs to flow (n / `run`) mod `flows` (`run` packets of a flow
// in a row: short flows, as in the Maglev paper).
void profile_udp_seq(Rng& rng, std::size_t count, std::size_t size, std::size_t flows, std::size_t run, Out& out) {
  for (std::size_t i = 0; i < count; ++i) {
    Ip4Fields f;
    f.id = static_cast<std::uint16_t>(i + 1);
    f.ttl = 64;
    f.proto = kProtoUDP;
    Bytes data(std::max<std::size_t>(8, size - 14 - 20 - 8));
    put64(data, 0, i);
    rng.fill(data, 8);
    Bytes seg = udp4(f, static_cast<std::uint16_t>(10000 + (i / run) % flows), 9, data);
    Bytes frame = cat(ethernet(kMacB, kMacA, kEtherIPv4), ipv4(f, seg));
    pad60(frame);
    out.packets.push_back(std::move(frame));
  }
}

// `flows`: valid IPv4 TCP and UDP packets of `flows` flows (even flows UDP, odd ones TCP; random
// addresses in 10.0.0.0/16 -> 10.1.0.0/16 and random ports, all distinct), each packet drawn from a
// random flow, its frame length random between 60 and 1514. For per-flow statistics and load
// balancers.
void profile_flows(Rng& rng, std::size_t count, std::size_t flows, Out& out) {
  struct Flow {
    Ip4 src, dst;
    std::uint16_t sport, dport;
    bool tcp;
    std::uint32_t seq;
  };
  std::vector<Flow> fl;
  for (std::size_t i = 0; i < flows; ++i) {
    Flow f{0x0a000000u | rng.below(65536), 0x0a010000u | rng.below(65536),
           static_cast<std::uint16_t>(1024 + i), static_cast<std::uint16_t>(rng.range(1, 65535)), i % 2 == 1,
           rng.u32()};
    fl.push_back(f);
  }
  for (std::size_t i = 0; i < count; ++i) {
    Flow& f = fl[rng.below(static_cast<std::uint32_t>(flows))];
    Ip4Fields h;
    h.src = f.src;
    h.dst = f.dst;
    h.id = static_cast<std::uint16_t>(i + 1);
    h.proto = f.tcp ? kProtoTCP : kProtoUDP;
    const std::size_t size = rng.range(60, 1514);
    const std::size_t l4 = f.tcp ? 20 : 8;
    Bytes data = random_payload(rng, size > 34 + l4 ? size - 34 - l4 : 0);
    Bytes seg = f.tcp ? tcp4(h, f.sport, f.dport, f.seq, 0, 0x18, data) : udp4(h, f.sport, f.dport, data);
    f.seq += static_cast<std::uint32_t>(data.size());
    Bytes frame = cat(ethernet(kMacB, kMacA, kEtherIPv4), ipv4(h, seg));
    pad60(frame);
    out.packets.push_back(std::move(frame));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nb-gen-traffic - write a deterministic Ethernet pcap trace for nb's tests.\n"
               "Profiles:\n"
               "  quickstart  IPv4 UDP/TCP/ICMP with TTLs 0..255, malformed IPv4 headers, padded short\n"
               "              frames, ARP, IPv6/UDP (default 300 packets)\n"
               "  random      random and malformed frames of every length 0..1514 mixed with valid\n"
               "              IPv4 (default 3030 packets)\n"
               "  udp-seq     IPv4/UDP whose payload starts with a 64-bit big-endian sequence number\n"
               "              (default 1000 packets)\n"
               "  flows       IPv4 TCP and UDP packets of --flows flows, random lengths (default 1000\n"
               "              packets, 100 flows)",
               "nb-gen-traffic"};
  app.set_version_flag("--version", "nb-gen-traffic " NB_PROJECT_VERSION, "Print the version and exit");
  std::string profile, output;
  std::size_t count = 0;
  std::uint32_t seed = 1;
  std::size_t size = 128, flows = 1, run = 1;
  app.add_option("--profile", profile, "Traffic profile")
      ->required()
      ->check(CLI::IsMember({"quickstart", "random", "udp-seq", "flows"}));
  app.add_option("-o,--output", output, "The pcap file to write (replaced if it exists)")->required();
  // Every packet is held in memory until the file is written: --count 10000000000 would take the
  // machine's memory before failing.
  app.add_option("--count", count, "Number of packets (0: the profile's default), at most 10000000")
      ->check(CLI::Range(std::size_t{0}, std::size_t{10'000'000}));
  app.add_option("--seed", seed, "Seed of the random generator (std::mt19937)")->capture_default_str();
  app.add_option("--size", size, "udp-seq: frame length in bytes, 60..1514")->capture_default_str()->check(CLI::Range(60, 1514));
  app.add_option("--flows", flows, "udp-seq: number of flows (UDP source ports); flows: number of flows (default 100)")->capture_default_str()->check(CLI::Range(1, 65535));
  app.add_option("--run", run, "udp-seq: packets of a flow in a row (flow of packet n: (n / run) mod flows)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  static const std::map<std::string, std::size_t> kDefaultCount{{"quickstart", 300}, {"random", 3030}, {"udp-seq", 1000}, {"flows", 1000}};
  if (count == 0) count = kDefaultCount.at(profile);

  Rng rng(seed);
  Out out;
  if (profile == "quickstart") profile_quickstart(rng, count, out);
  else if (profile == "random") profile_random(rng, count, out);
  else if (profile == "flows") profile_flows(rng, count, app.count("--flows") ? flows : 100, out);
  else profile_udp_seq(rng, count, size, flows, run, out);

  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  if (!dead) {
    std::fprintf(stderr, "nb-gen-traffic: error: pcap_open_dead failed\n");
    return 1;
  }
  pcap_dumper_t* dumper = pcap_dump_open(dead, output.c_str());
  if (!dumper) {
    std::fprintf(stderr, "nb-gen-traffic: error: cannot write '%s': %s\n", output.c_str(), pcap_geterr(dead));
    pcap_close(dead);
    return 1;
  }
  constexpr long kEpoch = 1700000000;  // 2023-11-14 22:13:20 UTC
  for (std::size_t i = 0; i < out.packets.size(); ++i) {
    pcap_pkthdr h{};
    h.ts.tv_sec = kEpoch + static_cast<long>(i / 1000);
    h.ts.tv_usec = static_cast<long>(i % 1000) * 1000;
    h.caplen = h.len = static_cast<bpf_u_int32>(out.packets[i].size());
    pcap_dump(reinterpret_cast<u_char*>(dumper), &h, out.packets[i].data());
  }
  bool ok = pcap_dump_flush(dumper) == 0 && !std::ferror(pcap_dump_file(dumper));
  pcap_dump_close(dumper);
  pcap_close(dead);
  if (!ok) {
    std::fprintf(stderr, "nb-gen-traffic: error: writing '%s' failed\n", output.c_str());
    return 1;
  }
  return 0;
}

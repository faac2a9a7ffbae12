// IPv6 <-> IPv4 header translation (SIIT, RFC 2765/7915) as Click's ProtocolTranslator64 and
// ProtocolTranslator46 do it, shared by those two and by the older two-way ProtocolTranslator.
// Each translation works in the packet's own buffer: the IPv4 header is 20 bytes shorter than the
// IPv6 one, so 6->4 gives bytes back to the headroom and 4->6 takes 20 from it.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <cstring>
#include <span>

// On a Packet& the helper receives owned and leaves owned (it changes the packet, never gives it
// away): without return_typestate the analysis takes the caller's packet as unknown afterwards.
#if defined(__clang__)
#define NB_SIIT_KEPT [[clang::param_typestate(unconsumed)]] [[clang::return_typestate(unconsumed)]]
#else
#define NB_SIIT_KEPT
#endif

namespace nb::elements::siit {

enum class Result : std::uint8_t {
  Ok,
  Malformed,    // no complete header, a payload length past the end, a transport header cut short
  NotEmbedded,  // 6->4: an address with no IPv4 address in it
  Protocol,     // not TCP, UDP or ICMP(v6) (IPv6 extension headers included)
  IcmpType,     // an ICMP(v6) message with no counterpart in the other protocol
  Fragment,     // 4->6: a fragment (its transport checksum cannot be recomputed)
  TooLong,      // 6->4: a payload that does not fit an IPv4 total length
  NoHeadroom,   // 4->6: no room in front for the 20 more bytes of the IPv6 header
};

inline constexpr std::uint8_t kNextICMP6 = 58;

// The IPv4 address in an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) IPv6
// address; false for any other, and for 0.0.0.0, which Click takes as "none".
inline bool embedded_ipv4(const std::uint8_t* a, std::uint32_t& v4) {
  for (int i = 0; i < 10; ++i)
    if (a[i]) return false;
  if (!((a[10] == 0 && a[11] == 0) || (a[10] == 0xff && a[11] == 0xff))) return false;
  v4 = std::uint32_t{a[12]} << 24 | std::uint32_t{a[13]} << 16 | std::uint32_t{a[14]} << 8 | a[15];
  return v4 != 0;
}

// ICMPv6 -> ICMP: the new first 8 bytes (type, code, checksum 0, rest of header) from the old
// ones, as Click's ProtocolTranslator64 maps them; false when Click has no mapping.
inline bool icmp6_to_icmp(const std::uint8_t in[8], std::uint8_t out[8]) {
  std::memset(out, 0, 8);
  const std::uint8_t type = in[0], code = in[1];
  switch (type) {
    case 128:  // echo request: identifier and sequence stay
    case 129:
      out[0] = type == 128 ? 8 : 0;
      std::memcpy(out + 4, in + 4, 4);
      return true;
    case 1: {  // destination unreachable
      static constexpr std::uint8_t kCodes[5] = {0, 10, 5, 1, 3};
      out[0] = 3;
      out[1] = code < 5 ? kCodes[code] : 0;
      return true;
    }
    case 2:  // packet too big: fragmentation needed (Click leaves the MTU field 0)
      out[0] = 3;
      out[1] = 4;
      return true;
    case 3:  // time exceeded, same code
      out[0] = 11;
      out[1] = code;
      return true;
    case 4: {           // parameter problem
      if (code == 1) {  // unrecognised next header: protocol unreachable
        out[0] = 3;
        out[1] = 2;
        return true;
      }
      if (code != 0 && code != 2) return false;
      out[0] = 12;
      if (code == 2) {
        out[4] = 0xff;
      } else {
        const std::uint32_t ptr =
            std::uint32_t{in[4]} << 24 | std::uint32_t{in[5]} << 16 | std::uint32_t{in[6]} << 8 | in[7];
        switch (ptr) {  // the IPv6 field's offset to the IPv4 field's
          case 4:
            out[4] = 2;
            break;
          case 7:
            out[4] = 8;
            break;
          case 6:
            out[4] = 9;
            break;
          case 8:
            out[4] = 12;
            break;
          case 24:
            out[4] = 0xff;
            break;
          default:
            out[4] = 0;
            break;
        }
      }
      return true;
    }
    default:
      return false;
  }
}

// ICMP -> ICMPv6, as Click's ProtocolTranslator46 maps them (the pointers in network order).
inline bool icmp_to_icmp6(const std::uint8_t in[8], std::uint8_t out[8]) {
  std::memset(out, 0, 8);
  const std::uint8_t type = in[0], code = in[1];
  switch (type) {
    case 8:
    case 0:
      out[0] = type == 8 ? 128 : 129;
      std::memcpy(out + 4, in + 4, 4);
      return true;
    case 3:
      if (code == 2) {  // protocol unreachable: parameter problem, next header, pointer 6
        out[0] = 4;
        out[1] = 1;
        out[7] = 6;
      } else if (code == 4) {  // fragmentation needed: packet too big (Click leaves the MTU 0)
        out[0] = 2;
      } else {
        out[0] = 1;
        switch (code) {
          case 3:
            out[1] = 4;
            break;
          case 5:
            out[1] = 2;
            break;
          case 9:
          case 10:
            out[1] = 1;
            break;
          default:
            out[1] = 0;
            break;
        }
      }
      return true;
    case 11:
      out[0] = 3;
      out[1] = code;
      return true;
    case 12: {
      out[0] = 4;
      std::uint32_t ptr = 0xffffffffu;
      switch (in[4]) {
        case 0:
          ptr = 0;
          break;
        case 2:
          ptr = 4;
          break;
        case 8:
          ptr = 7;
          break;
        case 9:
          ptr = 6;
          break;
        case 12:
          ptr = 8;
          break;
        case 16:
          ptr = 24;
          break;
        default:
          break;
      }
      out[4] = static_cast<std::uint8_t>(ptr >> 24);
      out[5] = static_cast<std::uint8_t>(ptr >> 16);
      out[6] = static_cast<std::uint8_t>(ptr >> 8);
      out[7] = static_cast<std::uint8_t>(ptr);
      return true;
    }
    default:
      return false;
  }
}

// Where a transport's checksum field is, and the least it needs (0: not translated).
inline std::uint32_t checksum_at(std::uint8_t proto) {
  return proto == ip_proto::kTCP ? 16 : proto == ip_proto::kUDP ? 6 : 2;
}
inline std::uint32_t min_transport(std::uint8_t proto) {
  return proto == ip_proto::kTCP ? 20 : 8;
}

// Fills the transport checksum of the `len` bytes at `at`, which the pseudo-header sum `sum`
// precedes (none for ICMP); `proto` is the protocol in the new header.
inline void finish_transport(Packet& p NB_SIIT_KEPT, std::uint32_t at, std::uint32_t len, std::uint8_t proto,
                             std::uint32_t sum) {
  const std::uint32_t field = at + checksum_at(proto);
  p.write_be16(field, 0);
  {
    const ByteView v = p.bytes_at(at, len);
    sum = checksum::add(sum, v.bytes(0, len));
  }
  std::uint16_t c = checksum::finish(sum);
  if (c == 0 && proto == ip_proto::kUDP) c = 0xffff;  // RFC 768: 0 means "no checksum"
  p.write_be16(field, c);
}

// The IPv6 packet at the network offset (0 when unset) becomes an IPv4 packet starting at the
// data start (network offset 0); anything before the header is removed. Nothing changes unless
// the result is Ok.
inline Result translate64(Packet& p NB_SIIT_KEPT) {
  const std::uint32_t off = p.network_offset();
  std::uint8_t h[40];
  if (!p.read(off, h, 40) || (h[0] >> 4) != 6) return Result::Malformed;
  const std::uint32_t plen = std::uint32_t{h[4]} << 8 | h[5];
  if (!p.has(off + 40, plen)) return Result::Malformed;
  std::uint32_t src = 0, dst = 0;
  if (!embedded_ipv4(h + 8, src) || !embedded_ipv4(h + 24, dst)) return Result::NotEmbedded;
  const std::uint8_t next = h[6];
  std::uint8_t proto = 0;
  if (next == ip_proto::kTCP || next == ip_proto::kUDP)
    proto = next;
  else if (next == kNextICMP6)
    proto = ip_proto::kICMP;
  else
    return Result::Protocol;
  if (plen < min_transport(proto)) return Result::Malformed;
  if (plen > 65535 - 20) return Result::TooLong;
  std::uint8_t icmp[8];
  if (proto == ip_proto::kICMP) {
    std::uint8_t old[8];
    p.read(off + 40, old, 8);
    if (!icmp6_to_icmp(old, icmp)) return Result::IcmpType;
  }

  p.pull(off + 20);  // the payload stays where it is: the IPv4 header ends where the IPv6 one did
  p.truncate(20 + plen);
  const std::uint32_t total = 20 + plen;
  std::uint8_t v4[20] = {};
  v4[0] = 0x45;  // traffic class is not copied: Click sets TOS 0
  v4[2] = static_cast<std::uint8_t>(total >> 8);
  v4[3] = static_cast<std::uint8_t>(total);
  v4[6] = 0x40;  // DF, as Click (IPv6 routers do not fragment)
  v4[8] = h[7];  // TTL = hop limit, not decremented
  v4[9] = proto;
  std::memcpy(v4 + 12, h + 8 + 12, 4);
  std::memcpy(v4 + 16, h + 24 + 12, 4);
  const std::uint16_t hsum = checksum::finish(checksum::add(0, std::span<const std::uint8_t>(v4, 20)));
  v4[10] = static_cast<std::uint8_t>(hsum >> 8);
  v4[11] = static_cast<std::uint8_t>(hsum);
  p.write(0, v4, 20);
  std::uint32_t sum = 0;
  if (proto == ip_proto::kICMP) {
    p.write(20, icmp, 8);
  } else {
    sum = checksum::add(0, std::span<const std::uint8_t>(v4 + 12, 8)) + proto + plen;
  }
  finish_transport(p, 20, plen, proto, sum);
  p.set_network_offset(0);
  return Result::Ok;
}

// The IPv4 packet at the network offset (0 when unset) becomes an IPv6 packet starting at the
// data start (network offset 0): addresses ::ffff:a.b.c.d (`mapped`) or ::a.b.c.d. IPv4 options
// are left out. Nothing changes unless the result is Ok.
inline Result translate46(Packet& p NB_SIIT_KEPT, bool mapped) {
  const std::uint32_t off = p.network_offset();
  std::uint8_t h[20];
  if (!p.read(off, h, 20) || (h[0] >> 4) != 4) return Result::Malformed;
  const std::uint32_t hl = (h[0] & 0x0fu) * 4u;
  const std::uint32_t total = std::uint32_t{h[2]} << 8 | h[3];
  if (hl < 20 || total < hl || !p.has(off, total)) return Result::Malformed;
  if ((std::uint32_t{h[6]} << 8 | h[7]) & 0x3fff) return Result::Fragment;  // MF or an offset
  const std::uint8_t proto = h[9];
  if (proto != ip_proto::kTCP && proto != ip_proto::kUDP && proto != ip_proto::kICMP) return Result::Protocol;
  const std::uint32_t plen = total - hl;
  if (plen < min_transport(proto)) return Result::Malformed;
  std::uint8_t icmp[8];
  if (proto == ip_proto::kICMP) {
    std::uint8_t old[8];
    p.read(off + hl, old, 8);
    if (!icmp_to_icmp6(old, icmp)) return Result::IcmpType;
  }
  if (p.headroom() + off + hl < 40) return Result::NoHeadroom;

  p.pull(off + hl);
  p.truncate(plen);
  p.push(40);  // cannot fail: checked above
  const std::uint8_t next = proto == ip_proto::kICMP ? kNextICMP6 : proto;
  std::uint8_t v6[40] = {};
  v6[0] = 0x60;  // traffic class and flow label 0, as Click
  v6[4] = static_cast<std::uint8_t>(plen >> 8);
  v6[5] = static_cast<std::uint8_t>(plen);
  v6[6] = next;
  v6[7] = h[8];  // hop limit = TTL
  if (mapped) v6[18] = v6[19] = v6[34] = v6[35] = 0xff;
  std::memcpy(v6 + 20, h + 12, 4);
  std::memcpy(v6 + 36, h + 16, 4);
  p.write(0, v6, 40);
  if (proto == ip_proto::kICMP) p.write(40, icmp, 8);
  // The pseudo-header (RFC 8200 8.1): addresses, upper-layer length, next header.
  const std::uint32_t sum = checksum::add(0, std::span<const std::uint8_t>(v6 + 8, 32)) + plen + next;
  finish_transport(p, 40, plen, proto == ip_proto::kICMP ? kNextICMP6 : proto, sum);
  p.set_network_offset(0);
  return Result::Ok;
}

}  // namespace nb::elements::siit

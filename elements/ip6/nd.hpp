// What IP6NDSolicitor and IP6NDAdvertiser share: Neighbor Discovery's message layout over
// Ethernet (RFC 4861), the ICMPv6 checksum, and the Ethernet addresses of IPv6 multicast groups
// (RFC 2464 7).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <cstring>
#include <span>

namespace nb::elements::nd {

inline constexpr std::uint8_t kNextICMP6 = 58;
inline constexpr std::uint8_t kSolicitation = 135;
inline constexpr std::uint8_t kAdvertisement = 136;
inline constexpr std::uint8_t kSourceLinkAddress = 1;  // option types
inline constexpr std::uint8_t kTargetLinkAddress = 2;
// Ethernet, IPv6, the 24 bytes of a solicitation or advertisement and one link-layer address
// option: every message these elements send.
inline constexpr std::uint32_t kIP6 = 14;
inline constexpr std::uint32_t kICMP6 = kIP6 + 40;
inline constexpr std::uint32_t kTarget = kICMP6 + 8;
inline constexpr std::uint32_t kOptions = kTarget + 16;
inline constexpr std::uint32_t kMessageSize = kOptions + 8;  // 86

// The one's-complement ICMPv6 checksum of `body` (its checksum field included) with the
// pseudo-header (RFC 8200 8.1): 0 in the field gives the value to write, a correct message sums
// to 0xffff before finishing, i.e. finish() gives 0.
inline std::uint32_t icmp6_sum(const std::uint8_t* src, const std::uint8_t* dst, std::span<const std::uint8_t> body) {
  std::uint32_t sum = checksum::add(0, std::span<const std::uint8_t>(src, 16));
  sum = checksum::add(sum, std::span<const std::uint8_t>(dst, 16));
  sum += static_cast<std::uint32_t>(body.size()) + kNextICMP6;
  return checksum::add(sum, body);
}

// An IPv6 multicast group's Ethernet address: 33:33 and the group's last four bytes.
inline EtherAddress multicast_ether(const std::uint8_t* group) {
  return EtherAddress{0x33, 0x33, group[12], group[13], group[14], group[15]};
}

// An ND message over Ethernet in `m` (kMessageSize bytes): the headers, the target and one
// link-layer address option; the checksum filled in.
inline void build(std::uint8_t* m, const EtherAddress& eth_dst, const EtherAddress& eth_src, const std::uint8_t* src,
                  const std::uint8_t* dst, std::uint8_t type, std::uint8_t flags, const std::uint8_t* target,
                  std::uint8_t option, const EtherAddress& link) {
  std::memset(m, 0, kMessageSize);
  std::memcpy(m, eth_dst.data(), 6);
  std::memcpy(m + 6, eth_src.data(), 6);
  m[12] = 0x86, m[13] = 0xdd;
  m[kIP6] = 0x60;
  m[kIP6 + 5] = kMessageSize - kICMP6;  // payload length 32
  m[kIP6 + 6] = kNextICMP6;
  m[kIP6 + 7] = 255;  // RFC 4861: receivers drop ND messages that a router forwarded
  std::memcpy(m + kIP6 + 8, src, 16);
  std::memcpy(m + kIP6 + 24, dst, 16);
  m[kICMP6] = type;
  m[kICMP6 + 4] = flags;
  std::memcpy(m + kTarget, target, 16);
  m[kOptions] = option;
  m[kOptions + 1] = 1;  // eight bytes
  std::memcpy(m + kOptions + 2, link.data(), 6);
  const std::uint16_t c = checksum::finish(
      icmp6_sum(m + kIP6 + 8, m + kIP6 + 24, std::span<const std::uint8_t>(m + kICMP6, kMessageSize - kICMP6)));
  m[kICMP6 + 2] = static_cast<std::uint8_t>(c >> 8);
  m[kICMP6 + 3] = static_cast<std::uint8_t>(c);
}

// Whether `frame` holds an ND message of `type` as RFC 4861 7.1.1/7.1.2 has receivers check it:
// Ethernet/IPv6, ICMPv6 right after the header, hop limit 255, code 0, its 24 bytes within the
// payload length (which is within the frame) and a correct checksum.
inline bool valid(const ByteView& frame, std::uint8_t type) {
  if (frame.size() < kOptions || frame.byte(12) != 0x86 || frame.byte(13) != 0xdd || (frame.byte(kIP6) >> 4) != 6 ||
      frame.byte(kIP6 + 6) != kNextICMP6 || frame.byte(kIP6 + 7) != 255 || frame.byte(kICMP6) != type ||
      frame.byte(kICMP6 + 1) != 0)
    return false;
  const std::uint32_t plen = static_cast<std::uint32_t>(frame.byte(kIP6 + 4) << 8 | frame.byte(kIP6 + 5));
  if (plen < kOptions - kICMP6 || plen > frame.size() - kICMP6) return false;
  const auto addrs = frame.bytes(kIP6 + 8, 32);
  return checksum::finish(icmp6_sum(addrs.data(), addrs.data() + 16, frame.bytes(kICMP6, plen))) == 0;
}

// The link-layer address in the first option of `type` (a valid message's options, RFC 4861
// 4.6.1); false when there is none.
inline bool find_link_address(const ByteView& frame, std::uint8_t type, EtherAddress& out) {
  const std::uint32_t end = kICMP6 + static_cast<std::uint32_t>(frame.byte(kIP6 + 4) << 8 | frame.byte(kIP6 + 5));
  for (std::uint32_t at = kOptions; at + 2 <= end;) {
    const std::uint32_t len = frame.byte(at + 1) * 8u;
    if (len == 0 || at + len > end) return false;  // RFC 4861 4.6: a zero length is invalid
    if (frame.byte(at) == type && len >= 8) {
      frame.read(at + 2, out.data(), 6);
      return true;
    }
    at += len;
  }
  return false;
}

}  // namespace nb::elements::nd

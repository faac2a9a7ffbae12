// The IPv4 5-tuple that MaglevLB and FlowMonitor key their tables on, read through the SDK's
// length-checked header views.
#pragma once

#include <nb/packet.hpp>

#include <rte_jhash.h>

#include <cstdint>

namespace nb::elements::flow {

struct Key {
  std::uint32_t src;
  std::uint32_t dst;
  std::uint32_t ports;  // source port << 16 | destination port; 0 for other protocols and fragments
  std::uint32_t proto;  // IP protocol; 0 marks an unused table slot (with `ports` etc. all 0)
  bool operator==(const Key&) const = default;
};

// Fills `key` from the IPv4 header at `offset`. False when there is no whole IPv4 header. Ports
// are read for TCP and UDP when the packet is not a fragment (fragments after the first carry
// none, so all fragments of a datagram get ports 0 and stay together); a TCP or UDP header cut
// short also gives ports 0. `l4` is the L4 header's offset (0: none usable).
inline bool extract(const Packet& p NB_PARAM_OWNED, std::uint32_t offset, Key& key, std::uint32_t& l4) {
  const IPv4View ip = p.ipv4(offset);
  if (!ip || ip.version() != 4 || !ip.header_fits()) return false;
  key.src = ip.src();
  key.dst = ip.dst();
  key.proto = ip.protocol() ? ip.protocol() : 256;  // protocol 0 (HOPOPT) must not look unused
  key.ports = 0;
  l4 = 0;
  if (ip.is_fragment()) return true;
  const std::uint32_t at = offset + ip.header_length();
  if (ip.protocol() == ip_proto::kTCP) {
    if (const TCPView t = p.tcp(at)) {
      key.ports = std::uint32_t{t.src_port()} << 16 | t.dst_port();
      l4 = at;
    }
  } else if (ip.protocol() == ip_proto::kUDP) {
    if (const UDPView u = p.udp(at)) {
      key.ports = std::uint32_t{u.src_port()} << 16 | u.dst_port();
      l4 = at;
    }
  }
  return true;
}

inline std::uint32_t hash(const Key& k, std::uint32_t seed = 0) {
  return rte_jhash_3words(k.src, k.dst, k.ports, seed ^ k.proto);
}

}  // namespace nb::elements::flow

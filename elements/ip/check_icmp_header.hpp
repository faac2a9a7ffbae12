// CheckICMPHeader: checks ICMP headers of ICMP/IP packets.
#pragma once

#include "l4_header_check.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct CheckICMPHeader : L4HeaderCheck<CheckICMPHeader> {
  static const ElementSpec spec;

  static constexpr auto kDrops = drop_reasons({
      {"not ICMP", "no whole IPv4 header at the network offset, protocol not 1, or a fragment after the first"},
      {"bad length", "the IP datagram's payload shorter than 8 bytes or not all in the packet"},
      {"bad checksum", "the ICMP checksum is wrong"},
  });
  static constexpr const char* kVerboseText[kDrops.size()] = {
      "ICMP header check failed: not ICMP",
      "ICMP header check failed: bad length",
      "ICMP header check failed: bad checksum",
  };

  // The reason p is bad, or kDrops.size() when it is valid.
  static std::uint32_t check(const Packet& p NB_PARAM_OWNED) {
    const std::uint32_t offset = p.network_offset();
    const IPv4View ip = p.ipv4(offset);
    if (!ip || !ip.header_fits() || ip.protocol() != ip_proto::kICMP || ip.fragment_offset() != 0)
      return kDrops["not ICMP"];
    const std::uint32_t hlen = ip.header_length();
    // The ICMP checksum covers the whole message (RFC 792), which must be all in the packet.
    const std::uint32_t len = ip.total_length() > hlen ? ip.total_length() - hlen : 0;
    const ICMPView icmp = p.icmp(offset + hlen);
    if (!icmp || len < ICMPView::kSize || len > icmp.available()) return kDrops["bad length"];
    if (checksum::fold(checksum::add(0, icmp.bytes(0, len))) != 0xffff) return kDrops["bad checksum"];
    return kDrops.size();
  }
};

}  // namespace nb::elements

// CheckUDPHeader: checks UDP headers of UDP/IP packets.
#pragma once

#include "l4_header_check.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct CheckUDPHeader : L4HeaderCheck<CheckUDPHeader> {
  static const ElementSpec spec;

  static constexpr auto kDrops = drop_reasons({
      {"not UDP", "no whole IPv4 header at the network offset, protocol not 17, or a fragment after the first"},
      {"bad length", "UDP length below 8, or beyond the IP datagram or the packet"},
      {"bad checksum", "the UDP checksum is neither 0 (none) nor correct"},
  });
  static constexpr const char* kVerboseText[kDrops.size()] = {
      "UDP header check failed: not UDP",
      "UDP header check failed: bad length",
      "UDP header check failed: bad checksum",
  };

  // The reason p is bad, or kDrops.size() when it is valid.
  static std::uint32_t check(const Packet& p NB_PARAM_OWNED) {
    const std::uint32_t offset = p.network_offset();
    const IPv4View ip = p.ipv4(offset);
    if (!ip || !ip.header_fits() || ip.protocol() != ip_proto::kUDP || ip.fragment_offset() != 0)
      return kDrops["not UDP"];
    const std::uint32_t hlen = ip.header_length();
    // The IP datagram's payload; the packet may end before it (a truncated capture).
    const std::uint32_t ip_payload = ip.total_length() > hlen ? ip.total_length() - hlen : 0;
    const UDPView udp = p.udp(offset + hlen);
    if (!udp || ip_payload < UDPView::kSize) return kDrops["bad length"];
    const std::uint32_t ulen = udp.length();
    if (ulen < UDPView::kSize || ulen > ip_payload || ulen > udp.available()) return kDrops["bad length"];
    if (udp.checksum() != 0) {
      const std::uint32_t sum =
          checksum::add(ip.pseudo_header_sum(static_cast<std::uint16_t>(ulen)), udp.bytes(0, ulen));
      if (checksum::fold(sum) != 0xffff) return kDrops["bad checksum"];
    }
    return kDrops.size();
  }
};

}  // namespace nb::elements

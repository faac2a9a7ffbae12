// CheckTCPHeader: checks TCP headers of TCP/IP packets.
#pragma once

#include "l4_header_check.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct CheckTCPHeader : L4HeaderCheck<CheckTCPHeader> {
  static const ElementSpec spec;

  static constexpr auto kDrops = drop_reasons({
      {"not TCP", "no whole IPv4 header at the network offset, protocol not 6, or a fragment after the first"},
      {"bad length", "TCP header length below 20, or the TCP header beyond the IP datagram or the packet"},
      {"bad checksum", "the TCP checksum is wrong"},
  });
  static constexpr const char* kVerboseText[kDrops.size()] = {
      "TCP header check failed: not TCP",
      "TCP header check failed: bad length",
      "TCP header check failed: bad checksum",
  };

  // The reason p is bad, or kDrops.size() when it is valid.
  static std::uint32_t check(const Packet& p NB_PARAM_OWNED) {
    const std::uint32_t offset = p.network_offset();
    const IPv4View ip = p.ipv4(offset);
    if (!ip || !ip.header_fits() || ip.protocol() != ip_proto::kTCP || ip.fragment_offset() != 0)
      return kDrops["not TCP"];
    const std::uint32_t hlen = ip.header_length();
    // The TCP segment is the IP datagram's payload, which must be all in the packet to be summed.
    const std::uint32_t seg = ip.total_length() > hlen ? ip.total_length() - hlen : 0;
    const TCPView tcp = p.tcp(offset + hlen);
    if (!tcp || seg < TCPView::kSize || seg > tcp.available()) return kDrops["bad length"];
    if (tcp.header_length() < TCPView::kSize || tcp.header_length() > seg) return kDrops["bad length"];
    const std::uint32_t sum = checksum::add(ip.pseudo_header_sum(static_cast<std::uint16_t>(seg)), tcp.bytes(0, seg));
    if (checksum::fold(sum) != 0xffff) return kDrops["bad checksum"];
    return kDrops.size();
  }
};

}  // namespace nb::elements

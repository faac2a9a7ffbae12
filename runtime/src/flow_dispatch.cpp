#include "flow_dispatch.hpp"

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_thash.h>

#include <cstring>

namespace nb::runtime::detail {

namespace {
std::uint16_t load16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t load32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
bool has_ports(std::uint8_t proto) { return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP; }
}  // namespace

std::uint32_t symmetric_flow_hash(const rte_mbuf* m) {
  const auto* d = rte_pktmbuf_mtod(m, const std::uint8_t*);
  const std::uint32_t len = rte_pktmbuf_data_len(m);
  std::uint32_t off = 12;
  if (len < off + 2) return 0;
  std::uint16_t type = load16(d + off);
  for (int tags = 0; tags < 2 && (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ); ++tags) {
    off += 4;
    if (len < off + 2) return 0;
    type = load16(d + off);
  }
  off += 2;
  const std::uint8_t* key = nb::kSymmetricRssKey;
  if (type == RTE_ETHER_TYPE_IPV4) {
    if (len < off + 20) return 0;
    const std::uint8_t* ip = d + off;
    std::uint32_t ihl = (ip[0] & 0x0fu) * 4u;
    if ((ip[0] >> 4) != 4 || ihl < 20) return 0;
    rte_ipv4_tuple t{};
    t.src_addr = load32(ip + 12);
    t.dst_addr = load32(ip + 16);
    bool fragment = (load16(ip + 6) & 0x3fffu) != 0;  // MF or an offset
    if (!fragment && has_ports(ip[9]) && len >= off + ihl + 4) {
      t.sport = load16(ip + ihl);
      t.dport = load16(ip + ihl + 2);
      return rte_softrss(reinterpret_cast<std::uint32_t*>(&t), RTE_THASH_V4_L4_LEN, key);
    }
    return rte_softrss(reinterpret_cast<std::uint32_t*>(&t), RTE_THASH_V4_L3_LEN, key);
  }
  if (type == RTE_ETHER_TYPE_IPV6) {
    if (len < off + 40) return 0;
    const std::uint8_t* ip = d + off;
    // rte_softrss takes the tuple as host-order 32-bit words.
    std::uint32_t words[RTE_THASH_V6_L4_LEN] = {};
    for (int i = 0; i < 8; ++i) words[i] = load32(ip + 8 + 4 * i);
    if (has_ports(ip[6]) && len >= off + 40 + 4) {
      words[8] = static_cast<std::uint32_t>(load16(ip + 40)) << 16 | load16(ip + 42);
      return rte_softrss(words, RTE_THASH_V6_L4_LEN, key);
    }
    return rte_softrss(words, RTE_THASH_V6_L3_LEN, key);
  }
  return 0;
}

}  // namespace nb::runtime::detail

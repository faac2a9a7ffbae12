#include "flow_dispatch.hpp"

#include <rte_ether.h>
#include <rte_ip.h>

#include <cstring>

namespace nb::runtime::detail {

namespace {

std::uint16_t load16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
bool has_ports(std::uint8_t proto) { return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP; }

// Toeplitz one byte at a time: the hash is linear in its input bits, so the contribution of byte
// value v at position p is precomputed (36 positions: an IPv6 tuple). rte_softrss walks the
// input bit by bit, some 300 cycles for an IPv4 tuple; this is a dozen table loads. Equal to
// rte_softrss with nb::kSymmetricRssKey for every input (unit test).
struct ToeplitzTable {
  static constexpr std::size_t kBytes = 36;
  std::uint32_t t[kBytes][256];
  ToeplitzTable() {
    const std::uint8_t* key = nb::kSymmetricRssKey;
    auto window = [key](std::size_t bit) {  // the 32 key bits from `bit` on (MSB first)
      std::uint64_t v = 0;
      for (std::size_t k = 0; k < 5; ++k) v = v << 8 | key[bit / 8 + k];
      return static_cast<std::uint32_t>(v >> (8 - bit % 8));
    };
    for (std::size_t p = 0; p < kBytes; ++p) {
      for (unsigned v = 0; v < 256; ++v) {
        std::uint32_t h = 0;
        for (unsigned b = 0; b < 8; ++b)
          if (v & (0x80u >> b)) h ^= window(p * 8 + b);
        t[p][v] = h;
      }
    }
  }
  std::uint32_t hash(const std::uint8_t* bytes, std::size_t n) const {
    std::uint32_t h = 0;
    for (std::size_t p = 0; p < n; ++p) h ^= t[p][bytes[p]];
    return h;
  }
};
const ToeplitzTable kToeplitz;

}  // namespace

std::uint32_t toeplitz_hash(const std::uint8_t* bytes, std::size_t n) {
  return kToeplitz.hash(bytes, n < ToeplitzTable::kBytes ? n : ToeplitzTable::kBytes);
}

std::uint32_t symmetric_flow_hash(const rte_mbuf* m) {
  return symmetric_flow_hash(rte_pktmbuf_mtod(m, const std::uint8_t*), rte_pktmbuf_data_len(m));
}

std::uint32_t symmetric_flow_hash(const std::uint8_t* d, std::uint32_t len) {
  std::uint32_t off = 12;
  if (len < off + 2) return 0;
  std::uint16_t type = load16(d + off);
  for (int tags = 0; tags < 2 && (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ); ++tags) {
    off += 4;
    if (len < off + 2) return 0;
    type = load16(d + off);
  }
  off += 2;
  if (type == RTE_ETHER_TYPE_IPV4) {
    if (len < off + 20) return 0;
    const std::uint8_t* ip = d + off;
    std::uint32_t ihl = (ip[0] & 0x0fu) * 4u;
    if ((ip[0] >> 4) != 4 || ihl < 20) return 0;
    // Addresses then ports, in network order, as a NIC reads them.
    std::uint8_t tuple[12];
    std::memcpy(tuple, ip + 12, 8);
    bool fragment = (load16(ip + 6) & 0x3fffu) != 0;  // MF or an offset
    if (!fragment && has_ports(ip[9]) && len >= off + ihl + 4) {
      std::memcpy(tuple + 8, ip + ihl, 4);
      return kToeplitz.hash(tuple, 12);
    }
    return kToeplitz.hash(tuple, 8);
  }
  if (type == RTE_ETHER_TYPE_IPV6) {
    if (len < off + 40) return 0;
    const std::uint8_t* ip = d + off;
    std::uint8_t tuple[36];
    std::memcpy(tuple, ip + 8, 32);
    if (has_ports(ip[6]) && len >= off + 40 + 4) {
      std::memcpy(tuple + 32, ip + 40, 4);
      return kToeplitz.hash(tuple, 36);
    }
    return kToeplitz.hash(tuple, 32);
  }
  return 0;
}

}  // namespace nb::runtime::detail

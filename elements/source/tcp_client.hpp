// Pieces shared by the toy TCP clients (ToyTCP, WebGen): their random numbers, and segments built
// in a small buffer that goes either into a fresh packet (the clock's) or into the packet that
// came in (a reply), which both Click elements reuse.
#pragma once

#include <nb/element.hpp>
#include <nb/headers.hpp>

#include <rte_mbuf.h>

#include <cstdint>
#include <cstring>

namespace nb::elements::tcp_client {

// splitmix64: every draw from a counter, so that a seed and a worker fix the whole sequence
// (Click draws from click_random(), seeded by the time).
inline std::uint64_t draw(std::uint64_t& rng) {
  std::uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
// The generator of worker `worker` under SEED: the workers' sequences differ, each repeats.
inline std::uint64_t seeded(std::uint64_t seed, std::uint32_t worker) {
  std::uint64_t rng = seed ^ (std::uint64_t{worker} + 1) * 0xd1b54a32d192ed03ull;
  draw(rng);
  return rng;
}

inline void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}

// An option-less TCP header at `p` (checksum left 0).
inline void tcp_header(std::uint8_t* p, std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                       std::uint8_t flags, std::uint16_t window) {
  std::memset(p, 0, 20);
  put16(p, sport);
  put16(p + 2, dport);
  put32(p + 4, seq);
  put32(p + 8, ack);
  p[12] = 5 << 4;
  p[13] = flags;
  put16(p + 14, window);
}

// Finishes an IPv4 header of 20 bytes at `p` over `len` bytes in all and the TCP checksum after
// it: TTL and identification as given, no options, no fragment bits.
inline void ip_tcp_finish(std::uint8_t* p, std::uint32_t len, std::uint32_t src, std::uint32_t dst, std::uint16_t id,
                          std::uint8_t ttl) {
  std::memset(p, 0, 20);
  p[0] = 0x45;
  put16(p + 2, static_cast<std::uint16_t>(len));
  put16(p + 4, id);
  p[8] = ttl;
  p[9] = ip_proto::kTCP;
  put32(p + 12, src);
  put32(p + 16, dst);
  put16(p + 10, checksum::finish(checksum::add(0, {p, 20})));
  std::uint32_t sum = checksum::add(0, {p + 12, 8});
  sum += ip_proto::kTCP + (len - 20);
  put16(p + 36, checksum::finish(checksum::add(sum, {p + 20, len - 20})));
}

// A fresh packet holding `len` bytes of `seg`; nullptr when the mempool is empty.
inline rte_mbuf* fresh(PullContext& ctx, const std::uint8_t* seg, std::uint32_t len) {
  rte_mbuf* m = ctx.new_packet();
  if (!m) return nullptr;
  auto* b = reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(m, static_cast<std::uint16_t>(len)));
  if (!b) {
    rte_pktmbuf_free(m);
    return nullptr;
  }
  std::memcpy(b, seg, len);
  return m;
}

}  // namespace nb::elements::tcp_client

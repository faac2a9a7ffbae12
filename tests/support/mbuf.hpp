// mbufs on plain memory for tests that run element kernels without DPDK's EAL: the one
// make_mbuf of the test suite (tests/unit, tests/nf).
#pragma once

#include <nb/element.hpp>
#include <nb/packet.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

namespace nb::test {

using Bytes = std::vector<std::uint8_t>;

// [struct rte_mbuf][32-byte private area: PacketAnno][headroom][data][tailroom], allocated with
// the exact size so that AddressSanitizer catches a read one byte past the data.

constexpr std::size_t kPrivSize = 32;
constexpr std::uint16_t kHeadroom = 128;
static_assert(sizeof(PacketAnno) <= kPrivSize);

inline int g_live_mbufs = 0;

struct MbufFree {
  void operator()(rte_mbuf* m) const {
    --g_live_mbufs;
    std::free(m);
  }
};
using MbufPtr = std::unique_ptr<rte_mbuf, MbufFree>;

inline rte_mbuf* alloc_mbuf(std::size_t buf_len) {
  void* mem = nullptr;
  REQUIRE(posix_memalign(&mem, 64, sizeof(rte_mbuf) + kPrivSize + buf_len) == 0);
  ++g_live_mbufs;
  return static_cast<rte_mbuf*>(mem);
}

inline std::uint8_t* buffer_of(rte_mbuf* m) {
  return reinterpret_cast<std::uint8_t*>(m + 1) + kPrivSize;
}

inline rte_mbuf* make_mbuf(const Bytes& data, std::uint16_t headroom = kHeadroom, std::uint16_t tailroom = 0) {
  const std::size_t buf_len = std::size_t{headroom} + data.size() + tailroom;
  REQUIRE(buf_len <= 0xffff);
  rte_mbuf* m = alloc_mbuf(buf_len);
  std::memset(static_cast<void*>(m), 0, sizeof(rte_mbuf) + kPrivSize);
  new (nb::anno_of(m)) PacketAnno{};
  std::uint8_t* buf = buffer_of(m);
  for (std::size_t i = 0; i < headroom; ++i) buf[i] = static_cast<std::uint8_t>(0xe0 + i % 16);
  if (!data.empty()) std::memcpy(buf + headroom, data.data(), data.size());
  std::memset(buf + headroom + data.size(), 0xdd, tailroom);
  m->buf_addr = buf;
  m->buf_len = static_cast<std::uint16_t>(buf_len);
  m->data_off = headroom;
  m->data_len = static_cast<std::uint16_t>(data.size());
  m->pkt_len = static_cast<std::uint32_t>(data.size());
  m->nb_segs = 1;
  m->refcnt = 1;
  m->priv_size = kPrivSize;
  return m;
}

inline Bytes data_of(const rte_mbuf* m) {
  const auto* d = static_cast<const std::uint8_t*>(m->buf_addr) + m->data_off;
  return Bytes(d, d + m->data_len);
}

inline PacketAnno& anno_ref(rte_mbuf* m) {
  return *nb::anno_of(m);
}

// HostServices::copy: a deep copy on malloc'ed memory (buffer, headroom and annotations).
struct CopyHost {
  bool fail = false;
  int made = 0;
};

inline rte_mbuf* copy_mbuf(void* runtime, rte_mbuf* m) {
  auto* host = static_cast<CopyHost*>(runtime);
  if (host->fail) return nullptr;
  rte_mbuf* c = alloc_mbuf(m->buf_len);
  std::memcpy(static_cast<void*>(c), m, sizeof(rte_mbuf) + kPrivSize + m->buf_len);
  c->buf_addr = buffer_of(c);
  ++host->made;
  return c;
}

}  // namespace nb::test

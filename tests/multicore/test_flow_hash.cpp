// The flow rule the runtime spreads packets by (runtime/src/flow_dispatch.*, nb/flow_hash.hpp):
// the table-driven Toeplitz equals DPDK's rte_softrss with the symmetric key, both directions
// of a flow hash alike, and what IPRewriter computes for a reply is what dispatch computes from
// the reply's bytes.
#include "flow_dispatch.hpp"

#include <nb/flow_hash.hpp>

#include <catch2/catch.hpp>

#include <rte_mbuf.h>
#include <rte_thash.h>

#include <array>
#include <cstring>
#include <random>
#include <vector>

namespace {

// An mbuf over plain memory: symmetric_flow_hash reads only buf_addr, data_off and data_len.
struct FakeMbuf {
  alignas(64) rte_mbuf m{};
  std::array<std::uint8_t, 256> bytes{};
  explicit FakeMbuf(const std::vector<std::uint8_t>& frame) {
    if (!frame.empty()) std::memcpy(bytes.data(), frame.data(), frame.size());
    m.buf_addr = bytes.data();
    m.data_off = 0;
    m.data_len = static_cast<std::uint16_t>(frame.size());
    m.pkt_len = m.data_len;
  }
};

std::vector<std::uint8_t> udp_frame(std::uint32_t src, std::uint32_t dst, std::uint16_t sport, std::uint16_t dport,
                                    std::uint8_t proto = 17, std::uint16_t frag = 0) {
  std::vector<std::uint8_t> f(14 + 20 + 8, 0);
  f[12] = 0x08;
  f[13] = 0x00;
  std::uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  ip[6] = static_cast<std::uint8_t>(frag >> 8);
  ip[7] = static_cast<std::uint8_t>(frag);
  ip[8] = 64;
  ip[9] = proto;
  for (int i = 0; i < 4; ++i) {
    ip[12 + i] = static_cast<std::uint8_t>(src >> (24 - 8 * i));
    ip[16 + i] = static_cast<std::uint8_t>(dst >> (24 - 8 * i));
  }
  ip[20] = static_cast<std::uint8_t>(sport >> 8);
  ip[21] = static_cast<std::uint8_t>(sport);
  ip[22] = static_cast<std::uint8_t>(dport >> 8);
  ip[23] = static_cast<std::uint8_t>(dport);
  return f;
}

std::uint32_t frame_hash(const std::vector<std::uint8_t>& f) {
  FakeMbuf m(f);
  return nb::runtime::detail::symmetric_flow_hash(&m.m);
}

}  // namespace

TEST_CASE("the table Toeplitz equals rte_softrss with the symmetric key", "[multicore]") {
  std::mt19937 rng(7);
  for (int n = 0; n < 20000; ++n) {
    std::uint32_t words[9];
    std::uint8_t bytes[36];
    for (int i = 0; i < 9; ++i) {
      words[i] = rng();
      for (int b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<std::uint8_t>(words[i] >> (24 - 8 * b));
    }
    const std::uint32_t len = 1 + n % 9;
    REQUIRE(nb::runtime::detail::toeplitz_hash(bytes, 4 * len) == rte_softrss(words, len, nb::kSymmetricRssKey));
  }
}

TEST_CASE("both directions of a flow hash alike, from the frame and from the tuple", "[multicore]") {
  std::mt19937 rng(11);
  for (int n = 0; n < 5000; ++n) {
    std::uint32_t a = rng(), b = rng();
    auto pa = static_cast<std::uint16_t>(rng()), pb = static_cast<std::uint16_t>(rng());
    std::uint8_t proto = n % 2 ? 6 : 17;
    std::uint32_t fwd = frame_hash(udp_frame(a, b, pa, pb, proto));
    REQUIRE(fwd == frame_hash(udp_frame(b, a, pb, pa, proto)));
    REQUIRE(fwd == nb::flow_hash_v4(a, b, pa, pb));
    REQUIRE(fwd == nb::flow_hash_v4(b, a, pb, pa));
    // A fragment after the first has no ports: addresses only, both directions alike.
    std::uint32_t frag = frame_hash(udp_frame(a, b, pa, pb, proto, 0x0010));
    REQUIRE(frag == nb::flow_hash_v4(a, b));
    REQUIRE(frag == frame_hash(udp_frame(b, a, 1, 2, proto, 0x2010)));
  }
}

TEST_CASE("frames that are not IPv4 or IPv6, or too short, go to worker 0 without reading past them", "[multicore]") {
  std::vector<std::uint8_t> arp(42, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  CHECK(frame_hash(arp) == 0);
  auto f = udp_frame(0x0a000001, 0x0a000002, 1000, 2000);
  for (std::size_t len = 0; len < 14 + 20; ++len) {
    CHECK(frame_hash(std::vector<std::uint8_t>(f.begin(), f.begin() + static_cast<long>(len))) == 0);
  }
  // A header without its ports: addresses only.
  CHECK(frame_hash(std::vector<std::uint8_t>(f.begin(), f.begin() + 14 + 20 + 2)) ==
        nb::flow_hash_v4(0x0a000001, 0x0a000002));
}

TEST_CASE("the redirection rule spreads entries evenly and names every worker", "[multicore]") {
  for (std::uint32_t n : {1u, 2u, 3u, 4u, 7u, 8u}) {
    std::vector<int> hits(n, 0);
    for (std::uint32_t h = 0; h < 128 * 64; ++h) ++hits[nb::worker_of_hash(h, n)];
    for (std::uint32_t w = 0; w < n; ++w) CHECK(hits[w] > 0);
    if (128 % n == 0)
      for (std::uint32_t w = 0; w < n; ++w) CHECK(hits[w] == static_cast<int>(128 * 64 / n));
  }
  CHECK(nb::worker_of_hash(12345, 1) == 0);
}

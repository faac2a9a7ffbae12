// Which worker core a flow belongs to (docs/multicore.md). The runtime spreads packets over
// workers by this rule, in hardware (RSS with the symmetric key and a redirection table nbrun
// programs to match) and in software (dispatch from single-queue ports), so an element that
// makes flows (IPRewriter choosing a public port) can pick one whose replies come back to the
// worker that holds the mapping.
#pragma once

#include <rte_thash.h>

#include <cstdint>

namespace nb {

// Toeplitz with a key that repeats every 16 bits hashes (a, b, pa, pb) and (b, a, pb, pa) alike:
// both directions of a TCP or UDP flow reach the same worker (Woo and Park, "Scalable TCP
// Session Monitoring with Symmetric Receive-side Scaling"). 52 bytes: the longest key NICs take.
inline constexpr std::uint8_t kSymmetricRssKey[52] = {
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a};

// The RSS hash of an IPv4 TCP/UDP flow, as a NIC computes it with kSymmetricRssKey (host-order
// addresses and ports).
inline std::uint32_t flow_hash_v4(std::uint32_t saddr, std::uint32_t daddr, std::uint16_t sport, std::uint16_t dport) {
  std::uint32_t tuple[3] = {saddr, daddr, static_cast<std::uint32_t>(sport) << 16 | dport};
  return rte_softrss(tuple, 3, kSymmetricRssKey);
}
// Addresses only (fragments, protocols without ports).
inline std::uint32_t flow_hash_v4(std::uint32_t saddr, std::uint32_t daddr) {
  std::uint32_t tuple[2] = {saddr, daddr};
  return rte_softrss(tuple, 2, kSymmetricRssKey);
}

// The redirection rule: the low 7 bits of the hash pick one of 128 entries, entry j names worker
// j mod nworkers (nbrun programs a device's RSS redirection table the same way).
inline constexpr std::uint32_t kRedirectionEntries = 128;
inline std::uint32_t worker_of_hash(std::uint32_t hash, std::uint32_t nworkers) {
  return nworkers <= 1 ? 0 : (hash % kRedirectionEntries) % nworkers;
}

}  // namespace nb

// Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
// Balancer", NSDI 2016, section 3.4): the lookup-table population and the per-core flow cache.
// Plain C++ on caller-provided memory, so that unit tests exercise exactly what MaglevLB runs.
#pragma once

#include "flow_key.hpp"

#include <rte_jhash.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace nb::elements::maglev {

inline constexpr std::uint16_t kNoBackend = 0xffff;

// A backend's preference list is the permutation offset, offset+skip, offset+2*skip, ... (mod M),
// with offset = h1(name) mod M and skip = h2(name) mod (M-1) + 1; M prime makes every skip
// coprime with M, so each list is a permutation. The name is the backend's address (4 bytes,
// network order), so a backend's list does not depend on the other backends.
inline void permutation(std::uint32_t addr, std::uint32_t m, std::uint32_t& offset, std::uint32_t& skip) {
  const std::uint8_t name[4] = {static_cast<std::uint8_t>(addr >> 24), static_cast<std::uint8_t>(addr >> 16),
                                static_cast<std::uint8_t>(addr >> 8), static_cast<std::uint8_t>(addr)};
  offset = rte_jhash(name, sizeof name, 0x6d61676cu) % m;          // h1
  skip = rte_jhash(name, sizeof name, 0x65763031u) % (m - 1) + 1;  // h2
}

// Fills table[0..m) with backend indices: the backends take turns, each claiming the next entry
// of its preference list that is still free (Maglev's Algorithm 1). Every backend ends with
// floor(M/N) or ceil(M/N) entries. n == 0 fills the table with kNoBackend.
inline void populate(const std::uint32_t* addrs, std::uint32_t n, std::uint32_t m, std::uint16_t* table) {
  for (std::uint32_t i = 0; i < m; ++i) table[i] = kNoBackend;
  if (n == 0) return;
  std::vector<std::uint32_t> offset(n), skip(n), next(n, 0);
  for (std::uint32_t i = 0; i < n; ++i) permutation(addrs[i], m, offset[i], skip[i]);
  std::uint32_t filled = 0;
  for (;;) {
    for (std::uint32_t i = 0; i < n; ++i) {
      std::uint32_t c = static_cast<std::uint32_t>((offset[i] + std::uint64_t{next[i]} * skip[i]) % m);
      while (table[c] != kNoBackend) {
        ++next[i];
        c = static_cast<std::uint32_t>((offset[i] + std::uint64_t{next[i]} * skip[i]) % m);
      }
      table[c] = static_cast<std::uint16_t>(i);
      ++next[i];
      if (++filled == m) return;
    }
  }
}

inline bool is_prime(std::uint64_t v) {
  if (v < 2) return false;
  for (std::uint64_t d = 2; d * d <= v; ++d)
    if (v % d == 0) return false;
  return true;
}

// The flow cache: 4-way set-associative buckets of 5-tuple -> backend index. A full bucket evicts
// its entries in turn (a per-cache clock), so the cache is bounded and never allocates.
struct CacheEntry {
  flow::Key key;  // key.proto == 0: unused
  std::uint32_t backend;
};
inline constexpr std::uint32_t kWays = 4;

struct Cache {
  CacheEntry* entries;        // nbuckets * kWays
  std::uint32_t bucket_mask;  // nbuckets - 1 (nbuckets a power of two)
  std::uint32_t clock;

  // The cached backend, or kNoBackend.
  std::uint32_t find(const flow::Key& k, std::uint32_t h) const {
    const CacheEntry* b = entries + (h & bucket_mask) * kWays;
    for (std::uint32_t w = 0; w < kWays; ++w)
      if (b[w].key == k) return b[w].backend;
    return kNoBackend;
  }
  // Inserts k (not present); true when it evicted another flow.
  bool insert(const flow::Key& k, std::uint32_t h, std::uint32_t backend) {
    CacheEntry* b = entries + (h & bucket_mask) * kWays;
    for (std::uint32_t w = 0; w < kWays; ++w)
      if (b[w].key.proto == 0) {
        b[w] = {k, backend};
        return false;
      }
    b[clock++ % kWays] = {k, backend};
    return true;
  }
};

}  // namespace nb::elements::maglev

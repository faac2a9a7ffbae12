// nb-bench-native's lpm workload: the routing table (a file of `ADDR/LEN [GW] OUT` lines, as
// LookupIPRoute reads it) in an rte_lpm, and the per-packet lookup, written by hand.
#pragma once

#include <rte_byteorder.h>
#include <rte_lpm.h>
#include <rte_mbuf.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace native_lpm {

struct Hop {
  std::uint32_t gateway, port;
};

struct Table {
  rte_lpm* lpm = nullptr;
  std::vector<Hop> hops;
  bool has_default = false;
  std::uint32_t default_hop = 0;
};

// Loads `path`; false with a message on error.
inline bool load(const std::string& path, Table& t, std::string& err) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return err = "cannot open " + path, false;
  struct R {
    std::uint32_t addr, gw, port;
    unsigned len;
  };
  std::vector<R> routes;
  char line[256];
  while (std::fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    unsigned a, b, c, d, len, g1, g2, g3, g4, port;
    R r{};
    if (std::sscanf(line, "%u.%u.%u.%u/%u %u.%u.%u.%u %u", &a, &b, &c, &d, &len, &g1, &g2, &g3, &g4, &port) == 10) {
      r.gw = g1 << 24 | g2 << 16 | g3 << 8 | g4;
    } else if (std::sscanf(line, "%u.%u.%u.%u/%u %u", &a, &b, &c, &d, &len, &port) != 6) {
      std::fclose(f);
      return err = "bad route line: " + std::string(line), false;
    }
    r.addr = a << 24 | b << 16 | c << 8 | d;
    r.len = len;
    r.port = port;
    routes.push_back(r);
  }
  std::fclose(f);
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> index;
  for (const R& r : routes)
    if (index.emplace(std::make_pair(r.gw, r.port), static_cast<std::uint32_t>(t.hops.size())).second)
      t.hops.push_back({r.gw, r.port});
  rte_lpm_config lc{};
  lc.max_rules = static_cast<std::uint32_t>(routes.size()) + 1;
  lc.number_tbl8s = static_cast<std::uint32_t>(routes.size()) + 16;
  t.lpm = rte_lpm_create("native_lpm", SOCKET_ID_ANY, &lc);
  if (!t.lpm) return err = "rte_lpm_create failed", false;
  for (const R& r : routes) {
    const std::uint32_t hop = index[{r.gw, r.port}];
    if (r.len == 0) {
      t.has_default = true;
      t.default_hop = hop;
    } else if (rte_lpm_add(t.lpm, r.addr, static_cast<std::uint8_t>(r.len), hop) != 0) {
      return err = "rte_lpm_add failed", false;
    }
  }
  return true;
}

// Strip(14) -> LookupIPRoute -> Unstrip(14): the output port, or -1 to drop (too short for an IP
// header, or no route). Like LookupIPRoute, leaves the next hop with the packet.
inline __attribute__((always_inline)) int route(const Table& t, rte_mbuf* m, std::uint64_t& bad) {
  if (unlikely(m->data_len < 14 + 20)) return ++bad, -1;
  const auto* ip = rte_pktmbuf_mtod_offset(m, const std::uint8_t*, 14);
  std::uint32_t dst_be;
  __builtin_memcpy(&dst_be, ip + 16, 4);
  const std::uint32_t dst = rte_be_to_cpu_32(dst_be);
  std::uint32_t hop;
  if (unlikely(rte_lpm_lookup(t.lpm, dst, &hop) != 0)) {
    if (!t.has_default) return -1;
    hop = t.default_hop;
  }
  const Hop& h = t.hops[hop];
  m->hash.usr = h.gateway ? h.gateway : dst;  // the next hop, as nb's dst_ip annotation
  return static_cast<int>(h.port);
}

}  // namespace native_lpm

// MaglevLB: an L4 load balancer with Maglev consistent hashing and a per-core flow cache.
#pragma once

#include "flow_key.hpp"
#include "maglev_table.hpp"

#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct MaglevLB {
  static const ElementSpec spec;
  // Per flow: the flow cache is per worker (a flow stays on one); every worker builds the same
  // lookup table from Config, so a flow's first packet picks the same backend on any worker.
  static constexpr StateScope kStateScope = StateScope::PerFlow;

  static constexpr std::uint32_t kMaxBackends = 256;
  static constexpr std::uint32_t kMaxTableSize = 4194301;  // prime; the paper's largest is 655373

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "no whole IPv4 header"},
  });

  struct Config {
    std::uint32_t table_size;     // M, prime
    std::uint32_t cache_buckets;  // power of two; the cache holds cache_buckets * 4 flows
    std::uint32_t nbackends;
    std::uint32_t backends[kMaxBackends];  // host byte order
  };
  struct State {
    std::uint16_t* table;  // M backend indices, made by setup() (DPDK memory)
    maglev::Cache cache;
    std::uint64_t packets;
    std::uint64_t new_flows;                  // packets whose flow was not in the cache: looked up in the table
    std::uint64_t evictions;                  // cached flows pushed out by new ones (the cache is full there)
    std::uint64_t kept_flows;                 // flows carried over by the last hot reload
    std::uint64_t per_backend[kMaxBackends];  // packets sent to each backend
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  static void transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state);

  // Keeps no packet fact; sets the destination IP (the backend) on every packet it sends.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.anno_sets = anno_field::kDstIP;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t offset = p.network_offset();
    flow::Key key;
    std::uint32_t l4 = 0;
    if (!flow::extract(p, offset, key, l4) || !state.table) [[unlikely]] {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    ++state.packets;
    const std::uint32_t h = flow::hash(key);
    std::uint32_t b = state.cache.find(key, h);
    if (b == maglev::kNoBackend) {
      b = state.table[h % config.table_size];
      ++state.new_flows;
      state.evictions += state.cache.insert(key, h, b);
    }
    ++state.per_backend[b];
    const std::uint32_t to = config.backends[b];
    const IPv4View ip = p.ipv4(offset);
    const std::uint32_t from = ip.dst();
    ip.set_dst(to);
    ip.set_checksum(checksum::adjust32(ip.checksum(), from, to));
    // The destination address is in the TCP/UDP pseudo header. A UDP checksum of 0 means none.
    if (l4 && ip.protocol() == ip_proto::kTCP) {
      const TCPView t = p.tcp(l4);
      t.set_checksum(checksum::adjust32(t.checksum(), from, to));
    } else if (l4) {
      const UDPView u = p.udp(l4);
      if (u.checksum() != 0) {
        const std::uint16_t c = checksum::adjust32(u.checksum(), from, to);
        u.set_checksum(c ? c : 0xffff);
      }
    }
    p.anno().dst_ip = to;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

// LookupIPRoute: IPv4 longest-prefix-match routing on DPDK's rte_lpm (DIR-24-8).
#pragma once

#include "ip_text.hpp"

#include <nb/element.hpp>

#include <rte_lpm.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct LookupIPRoute {
  static const ElementSpec spec;
  // Shared: one rte_lpm (64 MB) and next-hop table for all workers. push only reads through
  // `lpm` and `hops` (rte_lpm_lookup is a read); its writes are the inline counters routed and
  // no_route, which stay per worker and are summed.
  static constexpr StateScope kStateScope = StateScope::SharedReadMostly;

  // Routes written in the configuration are kept in Config (setup() loads them); more go in a
  // ROUTES file, which setup() reads.
  static constexpr std::size_t kMaxInlineRoutes = 1024;
  static constexpr std::size_t kMaxPath = 256;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "too short for an IPv4 header"},
      {"no route", "no route matches the destination"},
  });

  struct Config {
    std::uint32_t nroutes;
    ip_text::Route routes[kMaxInlineRoutes];
    char routes_file[kMaxPath];  // empty: none
    // The file's identity and version when configured (device, inode, size, modification time).
    // A hot reload keeps the old table only with the same Config, so an edited routes file
    // (a new mtime or size) makes the reloaded element read it again.
    std::uint64_t routes_file_stamp[4];
    std::uint32_t noutputs;
  };
  // What a next-hop index of the rte_lpm means (routes that share gateway and output share one).
  struct NextHop {
    std::uint32_t gateway;  // 0: the destination itself
    std::uint32_t port;
  };
  struct State {
    rte_lpm* lpm;               // made by setup(), freed by teardown()
    const NextHop* hops;        // indexed by the rte_lpm next hop
    std::uint32_t default_hop;  // the /0 route's next hop (rte_lpm takes depths 1-32 only)
    bool has_default;
    std::uint64_t routed;
    std::uint64_t no_route;
    std::uint64_t routes;  // routes loaded
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);

  // Reads the packet, changes none of it.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.anno_sets = anno_field::kDstIP;  // the next hop, on every packet it routes
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t offset = p.network_offset();
    const IPv4View ip = p.ipv4(offset);
    if (!ip) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    const std::uint32_t dst = ip.dst();
    std::uint32_t hop = 0;
    if (!state.lpm || rte_lpm_lookup(state.lpm, dst, &hop) != 0) [[unlikely]] {
      if (state.lpm && state.has_default) {
        hop = state.default_hop;
      } else {
        ++state.no_route;
        ctx.drop(std::move(p), kDrops["no route"]);
        return;
      }
    }
    ++state.routed;
    const NextHop& nh = state.hops[hop];
    p.anno().dst_ip = nh.gateway ? nh.gateway : dst;
    ctx.send(nh.port, std::move(p));
  }
};

}  // namespace nb::elements

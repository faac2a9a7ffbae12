// LookupIP6Route: IPv6 longest-prefix-match routing on DPDK's rte_lpm6.
#pragma once

#include "ip6_text.hpp"

#include <nb/element.hpp>

#include <rte_lpm6.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct LookupIP6Route {
  static const ElementSpec spec;
  // Shared: one rte_lpm6 and next-hop table for all workers; push only looks up. The counters
  // stay per worker and are summed.
  static constexpr StateScope kStateScope = StateScope::SharedReadMostly;

  static constexpr std::size_t kMaxRoutes = 1024;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "too short for an IPv6 header at the network offset"},
      {"no route", "no route matches the destination"},
  });

  struct Config {
    std::uint32_t nroutes;
    ip6_text::Route routes[kMaxRoutes];
  };
  struct NextHop {
    ip6_text::IP6Address gateway;  // :: for none
    std::uint32_t port;
  };
  struct State {
    rte_lpm6* lpm;              // made by setup(), freed by teardown()
    const NextHop* hops;        // gateway and output of each rte_lpm6 next hop
    std::uint32_t default_hop;  // the ::/0 route's next hop (rte_lpm6 takes depths 1-128 only)
    bool has_default;
    std::uint64_t routed;
    std::uint64_t no_route;
    std::uint64_t routes;  // routes loaded
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);

  // Sets the next hop (Click's destination IPv6 annotation) on every packet it routes.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.anno_sets = anno_field::kDstIP6;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const ByteView ip = p.bytes_at(p.network_offset(), 40);
    if (!ip) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    std::uint8_t dst[16];
    ip.read(24, dst, 16);
    std::uint32_t hop = 0;
    if (!state.lpm || rte_lpm6_lookup(state.lpm, dst, &hop) != 0) [[unlikely]] {
      if (state.lpm && state.has_default) {
        hop = state.default_hop;
      } else {
        ++state.no_route;
        ctx.drop(std::move(p), kDrops["no route"]);
        return;
      }
    }
    ++state.routed;
    const NextHop& next = state.hops[hop];
    bool gateway = false;
    for (std::uint8_t b : next.gateway) gateway |= b != 0;
    p.anno().set_dst_ip6(gateway ? next.gateway.data() : dst);
    ctx.send(next.port, std::move(p));
  }
};

}  // namespace nb::elements

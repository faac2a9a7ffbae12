// RadixIPsecLookup: Click's IP routing table whose routes may lead into an IPsec ESP tunnel, each
// such route with its security association.
#pragma once

#include "ipsec_sa.hpp"

#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct RadixIPsecLookup {
  static const ElementSpec spec;
  // Shared: the SAs (keys, the outbound sequence counter, the inbound replay window) are one per
  // SPI for every worker; push writes them only with atomics and under each SA's lock. The routes
  // are in Config; the counters stay per worker.
  static constexpr StateScope kStateScope = StateScope::SharedReadMostly;

  static constexpr std::size_t kMaxRoutes = 256;
  static constexpr std::size_t kMaxSAs = 64;
  // Click's reserved outputs (IPsecRouteTable's "IPSEC ESP SUPPORT").
  static constexpr std::uint32_t kInbound = 0, kTunnel = 1, kLocal = 2;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "too short for an IPv4 header, or an ESP packet too short for its SPI"},
      {"no route", "no route matches the destination"},
      {"unknown spi", "an ESP packet for output 0 whose SPI no route's SA has"},
      {"not esp", "a packet for output 0 that is not ESP, and output 2 (the host's) is not connected"},
  });

  struct RouteEntry {
    std::uint32_t addr;
    std::uint32_t mask;
    std::uint32_t gateway;
    std::uint32_t port;
    std::int32_t sa;  // index in Config::sas, -1: none
  };
  struct Config {
    std::uint32_t nroutes;
    std::uint32_t nsas;
    RouteEntry routes[kMaxRoutes];  // longest prefix first: the first match is the longest
    ipsec::SAParams sas[kMaxSAs];   // one per SPI
    std::uint32_t noutputs;
  };
  struct State {
    ipsec::SecurityAssociation* sas;  // made by setup(), one per Config::sas entry
    std::uint64_t routed;
    std::uint64_t no_route;
    std::uint64_t tunnelled;  // sent to output 1 with their SA
    std::uint64_t esp_in;     // ESP packets sent to output 0 with their SA
    std::uint64_t local;      // packets for output 0 that are not ESP, sent to output 2
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.anno_sets = anno_field::kDstIP;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t offset = p.network_offset();
    std::uint32_t dst = 0, spi_at = 0;
    std::uint8_t proto = 0;
    {
      const IPv4View ip = p.ipv4(offset);
      if (!ip) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      dst = ip.dst();
      proto = ip.protocol();
      spi_at = ip.header_fits() ? offset + ip.header_length() : 0;  // 0: no whole header
    }
    const RouteEntry* r = nullptr;
    for (std::uint32_t i = 0; i < config.nroutes; ++i) {
      if ((dst & config.routes[i].mask) == config.routes[i].addr) {
        r = &config.routes[i];
        break;
      }
    }
    if (!r) {
      ++state.no_route;
      ctx.drop(std::move(p), kDrops["no route"]);
      return;
    }
    std::uint32_t port = r->port;
    PacketAnno& a = p.anno();
    if (port == kTunnel) {
      // configure() gave every route to output 1 an SA.
      ipsec::set_sa(a, state.sas ? &state.sas[r->sa] : nullptr, ipsec::stage::kOut);
      ++state.tunnelled;
    } else if (port == kInbound) {
      if (proto != ipsec::kProtoESP) {
        if (!ctx.connected(kLocal)) {
          ctx.drop(std::move(p), kDrops["not esp"]);
          return;
        }
        port = kLocal;
        ++state.local;
      } else {
        std::uint32_t spi = 0;
        if (spi_at == 0 || !p.read_be32(spi_at, spi)) {
          ctx.drop(std::move(p), kDrops["malformed"]);
          return;
        }
        std::int32_t found = -1;
        for (std::uint32_t k = 0; k < config.nsas; ++k) {
          if (config.sas[k].spi == spi) {
            found = static_cast<std::int32_t>(k);
            break;
          }
        }
        if (found < 0 || !state.sas) {
          ctx.drop(std::move(p), kDrops["unknown spi"]);
          return;
        }
        ipsec::set_sa(a, &state.sas[found], ipsec::stage::kIn);
        ++state.esp_in;
      }
    }
    ++state.routed;
    a.dst_ip = r->gateway ? r->gateway : dst;
    ctx.send(port, std::move(p));
  }
};

}  // namespace nb::elements

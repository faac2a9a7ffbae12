#include "lookup_ip6_route.hpp"

#include <rte_errno.h>
#include <rte_malloc.h>

#include <cstdio>
#include <map>
#include <utility>
#include <vector>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"ROUTE", ParamType::String, ParamKind::Rest, false, "",
     "Routes in Click's syntax, `ADDR/LEN [GATEWAY] OUTPUT` (LEN 0 to 128; ADDR/MASK and a bare "
     "ADDR, a /128, also work): packets whose destination matches ADDR/LEN (the longest matching "
     "prefix wins) leave on OUTPUT, with GATEWAY as their next hop (the destination IPv6 "
     "annotation, which IP6NDSolicitor resolves), or their destination when there is none (or it "
     "is ::). At most 1024.",
     INT64_MIN, UINT64_MAX, &ip6_text::validate_route},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(LookupIP6Route, routed, "packets a route was found for"),
    NB_COUNTER(LookupIP6Route, no_route, "packets no route matched"),
    NB_COUNTER(LookupIP6Route, routes, "routes loaded"),
};

}  // namespace

bool LookupIP6Route::configure(const Args& args, Config& config, std::string& error) {
  const std::uint32_t noutputs = args.noutputs();
  const std::size_t n = args.count("ROUTE");
  if (n == 0) {
    error = "no routes: give routes as arguments (ADDR/LEN [GATEWAY] OUTPUT)";
    return false;
  }
  if (n > kMaxRoutes) {
    error = std::to_string(n) + " routes: at most " + std::to_string(kMaxRoutes);
    return false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string text = args.get_string_at("ROUTE", i);
    ip6_text::Route r{};
    std::string why;
    if (!ip6_text::parse_route(text, r, why)) {
      error = "route " + std::to_string(i + 1) + " '" + text + "': " + why;
      return false;
    }
    if (r.port >= noutputs) {
      error = "route " + std::to_string(i + 1) + " '" + text + "': sends to output " + std::to_string(r.port) +
              ", but the element has " + std::to_string(noutputs) + (noutputs == 1 ? " output" : " outputs");
      return false;
    }
    config.routes[config.nroutes++] = r;
  }
  return true;
}

bool LookupIP6Route::setup(const Config& config, State& state, std::string& error) {
  // Next hops: one per distinct (gateway, output).
  std::map<std::pair<ip6_text::IP6Address, std::uint32_t>, std::uint32_t> index;
  std::vector<NextHop> hops;
  std::uint32_t tbl8s = 16;
  for (std::uint32_t i = 0; i < config.nroutes; ++i) {
    const ip6_text::Route& r = config.routes[i];
    if (index.emplace(std::make_pair(r.gateway, r.port), static_cast<std::uint32_t>(hops.size())).second)
      hops.push_back({r.gateway, r.port});
    // A route longer than /24 needs a tbl8 group for each further byte, at most.
    if (r.length > 24) tbl8s += (r.length - 24 + 7) / 8;
  }
  char name[RTE_LPM6_NAMESIZE];
  static unsigned instance = 0;  // rte_lpm6 names are global to the EAL
  std::snprintf(name, sizeof name, "nb_lpm6_%u", instance++);
  rte_lpm6_config lc{};
  lc.max_rules = config.nroutes + 1;
  lc.number_tbl8s = tbl8s;
  state.lpm = rte_lpm6_create(name, SOCKET_ID_ANY, &lc);
  if (!state.lpm) {
    error = std::string("rte_lpm6_create: ") + rte_strerror(rte_errno) + " (give DPDK more memory with -m)";
    return false;
  }
  auto* table = static_cast<NextHop*>(rte_zmalloc("nb_lpm6_hops", sizeof(NextHop) * (hops.size() + 1), 0));
  if (!table) {
    rte_lpm6_free(state.lpm);
    state.lpm = nullptr;
    error = "cannot allocate the next-hop table";
    return false;
  }
  std::copy(hops.begin(), hops.end(), table);
  for (std::uint32_t i = 0; i < config.nroutes; ++i) {
    const ip6_text::Route& r = config.routes[i];
    const std::uint32_t hop = index[{r.gateway, r.port}];
    if (r.length == 0) {
      state.has_default = true;
      state.default_hop = hop;
      continue;
    }
    const int rc = rte_lpm6_add(state.lpm, r.addr.data(), r.length, hop);
    if (rc != 0) {
      error = "rte_lpm6_add " + ip6_text::format(r.addr) + "/" + std::to_string(r.length) + ": " + rte_strerror(-rc);
      rte_lpm6_free(state.lpm);
      state.lpm = nullptr;
      rte_free(table);
      return false;
    }
  }
  state.hops = table;
  state.routes = config.nroutes;
  return true;
}

void LookupIP6Route::teardown(const Config&, State& state) {
  rte_lpm6_free(state.lpm);
  rte_free(const_cast<NextHop*>(state.hops));
  state.lpm = nullptr;
  state.hops = nullptr;
}

NB_ELEMENT_KERNEL(LookupIP6Route);

constinit const ElementSpec LookupIP6Route::spec{
    .class_name = "LookupIP6Route",
    .ports = "1/-",
    .params = kParams,
    .brief = "IPv6 routing lookup by longest-prefix match (rte_lpm6)",
    .description =
        "Looks up each packet's IPv6 destination address in a routing table and sends it to the "
        "output of the longest matching route. The table is DPDK's rte_lpm6, built when nbrun "
        "starts; a later route for the same prefix replaces an earlier one.\n"
        "\n"
        "Each routed packet's destination IPv6 annotation is set to its route's gateway, or to "
        "its destination when the route has none: the next hop IP6NDSolicitor resolves.\n"
        "\n"
        "Difference from Click: Click's LookupIP6Route looks up the destination IPv6 annotation "
        "(set by GetIP6Address). nb looks up the destination address in the IPv6 header the "
        "network offset annotation points at (CheckIP6Header sets it; offset 0 when unset), which "
        "is what GetIP6Address(24) copies in Click's configurations, so a configuration without "
        "GetIP6Address routes the same.\n"
        "\n"
        "Input 0 (push): IPv6 packets. Output N (push): packets routed to output N. Packets no "
        "route matches are dropped (\"no route\"): add a default route ::/0. A packet too short "
        "for an IPv6 header is dropped (\"malformed\").",
    .example =
        "rt :: LookupIP6Route(2001:db8:1::/48 0, 2001:db8:2::/48 1, ::/0 fe80::1 0);\n"
        "FromDump(in.pcap) -> Strip(14) -> CheckIP6Header -> rt;\n"
        "rt [0] -> Unstrip(14) -> ToDump(out0.pcap);\n"
        "rt [1] -> Unstrip(14) -> ToDump(out1.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(LookupIP6Route::spec);

}  // namespace nb::elements

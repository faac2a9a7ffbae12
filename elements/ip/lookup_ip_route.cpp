#include "lookup_ip_route.hpp"

#include <rte_errno.h>
#include <rte_malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/stat.h>

namespace nb::elements {

namespace {

bool validate_route(std::string_view text, ParamError& error);

constexpr ParamSpec kParams[] = {
    {"ROUTE", ParamType::String, ParamKind::Rest, false, "",
     "Routes in Click's syntax, `ADDR/LEN [GATEWAY] OUTPUT`: packets whose destination matches "
     "ADDR/LEN (the longest matching prefix wins) leave on OUTPUT with their destination IP "
     "annotation set to GATEWAY, or to their own destination when there is none. At most 1024; "
     "use ROUTES for more.",
     INT64_MIN, UINT64_MAX, &validate_route},
    {"ROUTES", ParamType::Filename, ParamKind::Keyword, false, "",
     "A file of further routes, one `ADDR/LEN [GATEWAY] OUTPUT` per line ('#' starts a comment), "
     "read when nbrun starts (not by `nbc check`)."},
};

// A route's own syntax, checked with the configuration (`nbc check` and nbrun alike) so that the
// error points at the offending word; whether its output exists is configure()'s (it needs the
// element's output count). Accepts exactly what ip_text::parse_route accepts.
bool validate_route(std::string_view text, ParamError& error) {
  ip_text::Route r{};
  std::string why;
  if (ip_text::parse_route(text, r, why)) return true;
  const auto w = ip_text::words(text);
  auto at = [&](std::string_view word, std::string message) {
    error.offset = static_cast<std::size_t>(word.data() - text.data());
    error.length = word.size();
    error.message = std::move(message);
    return false;
  };
  if (w.size() < 2 || w.size() > 3) {
    error.offset = w.size() > 3 ? static_cast<std::size_t>(w[3].data() - text.data()) : 0;
    error.length = w.size() > 3 ? text.size() - error.offset : std::max<std::size_t>(text.size(), 1);
    error.message = "expected a route 'ADDR/LEN [GATEWAY] OUTPUT', e.g. 10.0.0.0/8 1";
    return false;
  }
  std::uint32_t addr = 0;
  unsigned len = 0;
  if (!ip_text::parse_prefix(w[0], addr, len)) {
    const std::size_t slash = w[0].find('/');
    std::uint64_t v = 0;
    if (slash != std::string_view::npos && ip_text::parse_ipv4(w[0].substr(0, slash), addr) &&
        ip_text::parse_uint(w[0].substr(slash + 1), UINT64_MAX / 10, v) && v > 32)
      return at(w[0].substr(slash + 1), "prefix length " + std::to_string(v) + " is larger than 32");
    return at(w[0], "bad prefix '" + std::string(w[0]) + "' (expected ADDR/LEN, e.g. 10.0.0.0/8)");
  }
  std::uint32_t gw = 0;
  if (w.size() == 3 && !ip_text::parse_ipv4(w[1], gw))
    return at(w[1], "bad gateway '" + std::string(w[1]) + "' (expected an IPv4 address)");
  return at(w.back(), "bad output '" + std::string(w.back()) + "' (expected an output number, 0 to 65535)");
}

bool check_port(const ip_text::Route& r, std::uint32_t noutputs, std::string& error) {
  if (r.port < noutputs) return true;
  error = "sends to output " + std::to_string(r.port) + ", but the element has " + std::to_string(noutputs) +
          (noutputs == 1 ? " output" : " outputs");
  return false;
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(LookupIPRoute, routed, "packets a route was found for"),
    NB_COUNTER(LookupIPRoute, no_route, "packets no route matched"),
    NB_COUNTER(LookupIPRoute, routes, "routes loaded"),
};

}  // namespace

bool LookupIPRoute::configure(const Args& args, Config& config, std::string& error) {
  config.noutputs = args.noutputs();
  const std::size_t n = args.count("ROUTE");
  if (n > kMaxInlineRoutes) {
    error = std::to_string(n) + " routes: at most " + std::to_string(kMaxInlineRoutes) +
            " may be written inline; put the others in a ROUTES file";
    return false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string text = args.get_string_at("ROUTE", i);
    ip_text::Route r{};
    std::string why;
    if (!ip_text::parse_route(text, r, why) || !check_port(r, config.noutputs, why)) {
      error = "route " + std::to_string(i + 1) + " '" + text + "': " + why;
      return false;
    }
    config.routes[config.nroutes++] = r;
  }
  const std::string file = args.get_string("ROUTES");
  if (file.size() >= kMaxPath) {
    error = "ROUTES file name is too long (at most " + std::to_string(kMaxPath - 1) + " bytes)";
    return false;
  }
  std::memcpy(config.routes_file, file.data(), file.size());
  struct stat st {};
  if (!file.empty() && ::stat(config.routes_file, &st) == 0) {  // setup() reports a missing file
    config.routes_file_stamp[0] = st.st_dev;
    config.routes_file_stamp[1] = st.st_ino;
    config.routes_file_stamp[2] = static_cast<std::uint64_t>(st.st_size);
    config.routes_file_stamp[3] =
        static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000u + static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  }
  if (n == 0 && file.empty()) {
    error = "no routes: give routes as arguments (ADDR/LEN [GATEWAY] OUTPUT) or a ROUTES file";
    return false;
  }
  return true;
}

bool LookupIPRoute::setup(const Config& config, State& state, std::string& error) {
  std::vector<ip_text::Route> routes(config.routes, config.routes + config.nroutes);
  if (config.routes_file[0]) {
    std::ifstream in(config.routes_file);
    if (!in) {
      error = std::string("cannot open ROUTES file '") + config.routes_file + "': " + std::strerror(errno);
      return false;
    }
    std::string line;
    for (std::size_t lineno = 1; std::getline(in, line); ++lineno) {
      std::string_view l = line;
      if (const std::size_t hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
      if (ip_text::words(l).empty()) continue;
      ip_text::Route r{};
      std::string why;
      if (!ip_text::parse_route(l, r, why) || !check_port(r, config.noutputs, why)) {
        error = std::string(config.routes_file) + ":" + std::to_string(lineno) + ": " + why;
        return false;
      }
      routes.push_back(r);
    }
  }
  // Next hops: one per distinct (gateway, output).
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> index;
  std::vector<NextHop> hops;
  std::uint32_t long_prefixes = 0;
  for (const ip_text::Route& r : routes) {
    if (index.emplace(std::make_pair(r.gateway, r.port), static_cast<std::uint32_t>(hops.size())).second)
      hops.push_back({r.gateway, r.port});
    if (r.length > 24) ++long_prefixes;
  }
  if (hops.size() >= (1u << 24)) {
    error = "too many distinct (gateway, output) pairs for rte_lpm's 24-bit next hops";
    return false;
  }
  // Unique per instance and process (rte_lpm names are global to the EAL).
  char name[RTE_LPM_NAMESIZE];
  static unsigned instance = 0;
  std::snprintf(name, sizeof name, "nb_lpm_%u", instance++);
  rte_lpm_config lc{};
  lc.max_rules = static_cast<std::uint32_t>(routes.size()) + 1;
  lc.number_tbl8s = long_prefixes + 16;  // a tbl8 group per /24 holding longer prefixes, at most
  state.lpm = rte_lpm_create(name, SOCKET_ID_ANY, &lc);
  if (!state.lpm) {
    error = std::string("rte_lpm_create: ") + rte_strerror(rte_errno) + " (give DPDK more memory with -m)";
    return false;
  }
  auto* table = static_cast<NextHop*>(rte_zmalloc("nb_lpm_hops", sizeof(NextHop) * (hops.size() + 1), 0));
  if (!table) {
    rte_lpm_free(state.lpm);
    state.lpm = nullptr;
    error = "cannot allocate the next-hop table";
    return false;
  }
  std::copy(hops.begin(), hops.end(), table);
  for (const ip_text::Route& r : routes) {
    if (r.length == 0) {
      state.has_default = true;
      state.default_hop = index[{r.gateway, r.port}];
      continue;
    }
    const int rc = rte_lpm_add(state.lpm, r.addr, r.length, index[{r.gateway, r.port}]);
    if (rc != 0) {
      error = "rte_lpm_add: " + std::string(rte_strerror(-rc));
      rte_lpm_free(state.lpm);
      state.lpm = nullptr;
      rte_free(table);
      return false;
    }
  }
  state.hops = table;
  state.routes = routes.size();
  return true;
}

void LookupIPRoute::teardown(const Config&, State& state) {
  rte_lpm_free(state.lpm);
  rte_free(const_cast<NextHop*>(state.hops));
  state.lpm = nullptr;
  state.hops = nullptr;
}

NB_ELEMENT_KERNEL(LookupIPRoute);

constinit const ElementSpec LookupIPRoute::spec{
    .class_name = "LookupIPRoute",
    .ports = "1/-",
    .params = kParams,
    .brief = "IP routing lookup by longest-prefix match (rte_lpm)",
    .description =
        "Looks up each packet's IPv4 destination address in a routing table and sends it to the "
        "output of the longest matching route, setting its destination IP annotation (Click's "
        "dst_ip) to the route's gateway, or to the destination itself when the route has no "
        "gateway; ARPQuerier resolves that address. The IP header is the one CheckIPHeader found "
        "(the network offset annotation); a packet that did not pass CheckIPHeader is taken to "
        "start with its IP header.\n"
        "\n"
        "The table is DPDK's rte_lpm (DIR-24-8): one lookup costs one memory access, two for "
        "prefixes longer than /24. It is built when nbrun starts, from the routes written as "
        "arguments and those in the ROUTES file; a later route for the same prefix replaces an "
        "earlier one. Each instance takes 64 MB of DPDK memory for its /24 table.\n"
        "\n"
        "Input 0 (push): IP packets. Output N (push): packets routed to output N. Packets no "
        "route matches are dropped: add a default route 0.0.0.0/0 to an output that leads to "
        "ICMPError to answer them with destination-unreachable. A packet too short for an IP "
        "header is dropped.",
    .example =
        "rt :: LookupIPRoute(10.1.0.0/24 0, 10.2.0.0/24 1, 0.0.0.0/0 10.1.0.254 0);\n"
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> rt;\n"
        "rt [0] -> Unstrip(14) -> ToDump(out0.pcap);\n"
        "rt [1] -> Unstrip(14) -> ToDump(out1.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

// Click's lookup elements differ in their data structures, not in what they compute: in nb each is
// LookupIPRoute (rte_lpm), under the name a Click configuration uses.
#define NB_LOOKUP_ALIAS(var, name, what)                                                              \
  constinit const ElementSpec var{                                                                  \
      .class_name = name,                                                                           \
      .ports = "1/-",                                                                               \
      .params = kParams,                                                                            \
      .brief = "LookupIPRoute under Click's name for " what,                                        \
      .description = "The same element as LookupIPRoute (DPDK's rte_lpm: one or two memory accesses " \
                     "a lookup, whatever the table's size), under the name Click gives " what ". "    \
                     "Routes, outputs, annotations and handlers are LookupIPRoute's: see `nbc doc "   \
                     "LookupIPRoute`.",                                                             \
      .example = "rt :: " name "(10.1.0.0/24 0, 0.0.0.0/0 10.1.0.254 1);\n"                         \
                 "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> rt;\n"                         \
                 "rt [0] -> Unstrip(14) -> ToDump(out0.pcap);\n"                                    \
                 "rt [1] -> Unstrip(14) -> ToDump(out1.pcap);\n",                                   \
      .ops = &kOps,                                                                                 \
      .handlers = kHandlers,                                                                        \
  };                                                                                                \
  NB_REGISTER_ELEMENT(var)

NB_LOOKUP_ALIAS(kStaticIPLookup, "StaticIPLookup", "a table written in the configuration");
NB_LOOKUP_ALIAS(kRadixIPLookup, "RadixIPLookup", "a radix-trie table");
NB_LOOKUP_ALIAS(kDirectIPLookup, "DirectIPLookup", "a DIR-24-8 table");
NB_LOOKUP_ALIAS(kLinearIPLookup, "LinearIPLookup", "a table searched in order");

NB_REGISTER_ELEMENT(LookupIPRoute::spec);

}  // namespace nb::elements

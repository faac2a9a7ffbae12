#include "maglev_lb.hpp"

#include "../ip/ip_text.hpp"

#include <rte_malloc.h>

#include <cstdio>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"BACKEND", ParamType::String, ParamKind::Rest, true, "",
     "The backends' IPv4 addresses, one per argument (at most 256). A backend's place in the lookup "
     "table depends only on its own address, so adding or removing one moves few flows of the others."},
    {"TABLE_SIZE", ParamType::Unsigned, ParamKind::Keyword, false, "65537",
     "Entries in the lookup table (M); must be prime. The paper recommends M much larger than the "
     "number of backends (M > 100 N keeps the disruption of a backend change small).",
     3, MaglevLB::kMaxTableSize},
    {"CACHE_SIZE", ParamType::Unsigned, ParamKind::Keyword, false, "65536",
     "Flows the per-core flow cache holds (rounded up to a power of two, at least 4); a new flow "
     "whose 4-way set is full evicts one of the set's flows (each set's ways in turn, by a clock "
     "shared by the whole cache).",
     4, 1u << 24},
};

std::string addr_text(std::uint32_t a) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  return buf;
}

using States = std::span<const MaglevLB::State* const>;

void read_backends(const MaglevLB::Config& c, const MaglevLB::State& s, std::string& out) {
  std::vector<std::uint32_t> entries(c.nbackends, 0);
  if (s.table)
    for (std::uint32_t i = 0; i < c.table_size; ++i)
      if (s.table[i] < c.nbackends) ++entries[s.table[i]];
  for (std::uint32_t b = 0; b < c.nbackends; ++b)
    out += addr_text(c.backends[b]) + " " + std::to_string(entries[b]) + " " + std::to_string(s.per_backend[b]) + "\n";
}

// Several workers: every worker built the same lookup table from Config, so TABLE_ENTRIES is
// worker 0's; PACKETS is summed.
void read_backends_workers(const MaglevLB::Config& c, States states, std::string& out) {
  if (states.empty()) return;
  const auto& first = *states[0];
  std::vector<std::uint32_t> entries(c.nbackends, 0);
  if (first.table)
    for (std::uint32_t i = 0; i < c.table_size; ++i)
      if (first.table[i] < c.nbackends) ++entries[first.table[i]];
  for (std::uint32_t b = 0; b < c.nbackends; ++b) {
    std::uint64_t packets = 0;
    for (const MaglevLB::State* s : states) packets += s->per_backend[b];
    out += addr_text(c.backends[b]) + " " + std::to_string(entries[b]) + " " + std::to_string(packets) + "\n";
  }
}

void read_flows(const MaglevLB::Config&, const MaglevLB::State& s, std::string& out) {
  std::uint64_t n = 0;
  if (s.cache.entries)
    for (std::uint32_t i = 0; i < (s.cache.bucket_mask + 1) * maglev::kWays; ++i)
      n += s.cache.entries[i].key.proto != 0;
  out = std::to_string(n);
}

// "PROTO SRC SPORT DST DPORT BACKEND" per cached flow (DST is the address the client used).
void read_cache(const MaglevLB::Config& c, const MaglevLB::State& s, std::string& out) {
  if (!s.cache.entries) return;
  for (std::uint32_t i = 0; i < (s.cache.bucket_mask + 1) * maglev::kWays; ++i) {
    const maglev::CacheEntry& e = s.cache.entries[i];
    if (e.key.proto == 0 || e.backend >= c.nbackends) continue;
    out += std::to_string(e.key.proto & 255) + " " + addr_text(e.key.src) + " " + std::to_string(e.key.ports >> 16) +
           " " + addr_text(e.key.dst) + " " + std::to_string(e.key.ports & 0xffff) + " " +
           addr_text(c.backends[e.backend]) + "\n";
  }
}

// Several workers: each worker caches the flows it is given, so the caches are concatenated (in
// worker order) into one list in the same format.
void read_cache_workers(const MaglevLB::Config& c, States states, std::string& out) {
  for (const MaglevLB::State* s : states) read_cache(c, *s, out);
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(MaglevLB, packets, "packets balanced"),
    NB_COUNTER(MaglevLB, new_flows, "packets not found in the flow cache"),
    NB_COUNTER(MaglevLB, evictions, "cached flows pushed out by new ones (the cache is full there)"),
    NB_COUNTER(MaglevLB, kept_flows, "flows carried over by the last hot reload"),
    handler<MaglevLB, &read_cache, nullptr, &read_cache_workers>(
        "cache", "every cached flow and its backend, one per line: PROTO SRC SPORT DST DPORT BACKEND"),
    handler<MaglevLB, &read_backends, nullptr, &read_backends_workers>(
        "backends",
        "one line per backend: ADDRESS TABLE_ENTRIES PACKETS (lookup-table entries it owns, packets sent to it)"),
    handler<MaglevLB, &read_flows>("flows", "flows in the flow cache"),
};

}  // namespace

bool MaglevLB::configure(const Args& args, Config& config, std::string& error) {
  const std::size_t n = args.count("BACKEND");
  if (n == 0) {
    error = "no backends: give at least one backend address";
    return false;
  }
  if (n > kMaxBackends) {
    error = std::to_string(n) + " backends: at most " + std::to_string(kMaxBackends);
    return false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string text = args.get_string_at("BACKEND", i);
    const auto w = ip_text::words(text);
    std::uint32_t a = 0;
    if (w.size() != 1 || !ip_text::parse_ipv4(w[0], a)) {
      error = "backend " + std::to_string(i + 1) + " '" + text + "': expected an IPv4 address";
      return false;
    }
    for (std::uint32_t j = 0; j < config.nbackends; ++j)
      if (config.backends[j] == a) {
        error = "backend " + std::to_string(i + 1) + " '" + text + "' is given twice";
        return false;
      }
    config.backends[config.nbackends++] = a;
  }
  config.table_size = static_cast<std::uint32_t>(args.get_unsigned("TABLE_SIZE"));
  if (!maglev::is_prime(config.table_size)) {
    error = "TABLE_SIZE " + std::to_string(config.table_size) + " is not prime (Maglev needs a prime, e.g. 65537)";
    return false;
  }
  if (config.table_size < config.nbackends) {
    error = "TABLE_SIZE must be at least the number of backends";
    return false;
  }
  std::uint64_t flows = args.get_unsigned("CACHE_SIZE"), buckets = 1;
  while (buckets * maglev::kWays < flows) buckets <<= 1;
  config.cache_buckets = static_cast<std::uint32_t>(buckets);
  return true;
}

bool MaglevLB::setup(const Config& config, State& state, std::string& error) {
  state.table =
      static_cast<std::uint16_t*>(rte_malloc("nb_maglev_table", sizeof(std::uint16_t) * config.table_size, 0));
  state.cache.entries = static_cast<maglev::CacheEntry*>(
      rte_zmalloc("nb_maglev_cache", sizeof(maglev::CacheEntry) * config.cache_buckets * maglev::kWays, 64));
  if (!state.table || !state.cache.entries) {
    teardown(config, state);
    error = "cannot allocate the Maglev table and flow cache (give DPDK more memory with -m)";
    return false;
  }
  state.cache.bucket_mask = config.cache_buckets - 1;
  maglev::populate(config.backends, config.nbackends, config.table_size, state.table);
  return true;
}

void MaglevLB::teardown(const Config&, State& state) {
  rte_free(state.table);
  rte_free(state.cache.entries);
  state.table = nullptr;
  state.cache.entries = nullptr;
}

// A reload that changes the arguments builds a new table (setup) and then carries the cached
// flows over: each keeps its backend if that backend is still configured (under its new index);
// flows of removed backends are forgotten, so their next packet is placed by the new table.
void MaglevLB::transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state) {
  std::uint32_t remap[kMaxBackends];
  for (std::uint32_t i = 0; i < old_config.nbackends; ++i) {
    remap[i] = maglev::kNoBackend;
    for (std::uint32_t j = 0; j < new_config.nbackends; ++j)
      if (new_config.backends[j] == old_config.backends[i]) {
        remap[i] = j;
        new_state.per_backend[j] = old_state.per_backend[i];
      }
  }
  new_state.packets = old_state.packets;
  new_state.new_flows = old_state.new_flows;
  new_state.evictions = old_state.evictions;
  new_state.kept_flows = 0;
  if (!old_state.cache.entries || !new_state.cache.entries) return;
  const std::uint32_t n = (old_state.cache.bucket_mask + 1) * maglev::kWays;
  for (std::uint32_t i = 0; i < n; ++i) {
    const maglev::CacheEntry& e = old_state.cache.entries[i];
    if (e.key.proto == 0 || e.backend >= old_config.nbackends || remap[e.backend] == maglev::kNoBackend) continue;
    const std::uint32_t h = flow::hash(e.key);
    if (new_state.cache.find(e.key, h) != maglev::kNoBackend) continue;
    new_state.evictions += new_state.cache.insert(e.key, h, remap[e.backend]);
    ++new_state.kept_flows;
  }
}

NB_ELEMENT_KERNEL(MaglevLB);

constinit const ElementSpec MaglevLB::spec{
    .class_name = "MaglevLB",
    .ports = "1/1",
    .params = kParams,
    .brief = "L4 load balancer: Maglev consistent hashing with a per-core flow cache",
    .description =
        "Spreads IPv4 flows over BACKEND addresses and sends each packet to its flow's backend by "
        "rewriting its destination address (the virtual IP the client used) to the backend's, as a "
        "NAT-mode L4 load balancer does. The IP header checksum and the TCP or UDP checksum (whose "
        "pseudo header holds the address) are updated incrementally; a UDP checksum of 0 (none) "
        "stays 0. The destination IP annotation is set to the backend too, so ARPQuerier or "
        "LookupIPRoute can take it from there. Click has no such element; the name says which "
        "algorithm it is.\n"
        "\n"
        "A flow is the 5-tuple (source, destination, protocol and, for TCP and UDP, ports; "
        "fragments use ports 0, so all fragments of a datagram go to one backend). A new flow "
        "goes to table[hash(5-tuple) mod TABLE_SIZE] of Maglev's lookup table (Eisenbud et al., "
        "NSDI 2016): each backend has a permutation of the table's entries made from two hashes "
        "of its address (offset and skip), and the backends take turns claiming their next "
        "preferred free entry, so each owns TABLE_SIZE/N entries give or take one, and a change "
        "of backends moves only a small share of the other backends' entries (about 0.2% for "
        "one backend of ten removed with M = 65537; measured by tests/nf/maglev_test.cpp). The flow and its "
        "backend then go into the per-core flow cache (4-way set associative, CACHE_SIZE flows, "
        "bounded, no timeouts: a full set evicts in turn), and later packets of the flow go to "
        "the cached backend even if the table changed meanwhile.\n"
        "\n"
        "Hot reload: with the same arguments the element keeps its State (table, cache, "
        "counters) as it is. With other arguments (a backend added or removed) the new table is "
        "built and the cached flows are carried over with their backend (`transfer`), except "
        "those whose backend is gone: their next packet is placed by the new table. Established "
        "flows therefore never move unless their backend was removed (or they were evicted).\n"
        "\n"
        "The IP header is the one CheckIPHeader found (network offset annotation), otherwise at "
        "offset 0. Input 0 (push): IPv4 packets. Output 0 (push): the same packets, addressed to "
        "their backend. Packets without a whole IPv4 header are dropped.",
    .example =
        "FromDump(in.pcap) -> CheckIPHeader(14)\n"
        "  -> MaglevLB(10.0.0.1, 10.0.0.2, 10.0.0.3)\n"
        "  -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(MaglevLB::spec);

}  // namespace nb::elements

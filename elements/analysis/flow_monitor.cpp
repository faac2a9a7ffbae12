#include "flow_monitor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <rte_malloc.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <tuple>
#include <vector>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"CAPACITY", ParamType::Unsigned, ParamKind::Keyword, false, "65536",
     "Slots in the flow table (rounded up to a power of two). A flow that finds no free slot "
     "among 32 probed is not added; its packets count in `overflow`.",
     16, 1u << 26},
    {"TOP", ParamType::Unsigned, ParamKind::Keyword, false, "10", "Flows the `top` handler lists.", 1, 100000},
    {.name = "FILE",
     .type = ParamType::Filename,
     .kind = ParamKind::Keyword,
     .required = false,
     .default_value = "",
     .doc = "Where to write every flow's counters (the `flows` handler's text) when the element goes "
            "away: at the end of the run, or when a reload replaces it.",
     .file_access = FileAccess::Write},
};

std::string addr_text(std::uint32_t a) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  return buf;
}

// One flow's counts, from one worker's table or summed over several.
struct FlowCount {
  flow::Key key;
  std::uint64_t packets;
  std::uint64_t bytes;
};

// Every flow in the tables of states[0..n): one line per 5-tuple, its counts summed over the
// workers that hold it (normally one: the runtime pins a flow to a worker, but a flow can change
// workers, e.g. when a port's queues change over a reload).
std::vector<FlowCount> collect_flows(std::span<const FlowMonitor::State* const> states) {
  std::vector<FlowCount> flows;
  for (const FlowMonitor::State* state : states) {
    const FlowMonitor::State& s = *state;
    if (!s.table) continue;
    for (std::uint32_t i = 0; i <= s.mask; ++i)
      if (s.table[i].key.proto != 0) flows.push_back({s.table[i].key, s.table[i].packets, s.table[i].bytes});
  }
  if (states.size() < 2) return flows;  // keys in one table are distinct
  auto by_key = [](const FlowCount& a, const FlowCount& b) {
    return std::tie(a.key.proto, a.key.src, a.key.dst, a.key.ports) <
           std::tie(b.key.proto, b.key.src, b.key.dst, b.key.ports);
  };
  std::sort(flows.begin(), flows.end(), by_key);
  std::size_t out = 0;
  for (std::size_t i = 0; i < flows.size(); ++i) {
    if (out > 0 && flows[out - 1].key == flows[i].key) {
      flows[out - 1].packets += flows[i].packets;
      flows[out - 1].bytes += flows[i].bytes;
    } else {
      flows[out++] = flows[i];
    }
  }
  flows.resize(out);
  return flows;
}

// "PROTO SRC SPORT DST DPORT PACKETS BYTES" per flow, most bytes first (then most packets, then
// the key, so the order is total), at most `limit` lines.
std::string flow_lines(std::vector<FlowCount> flows, std::size_t limit) {
  auto key = [](const FlowCount& e) {
    return std::make_tuple(~e.bytes, ~e.packets, e.key.proto, e.key.src, e.key.dst, e.key.ports);
  };
  const std::size_t n = std::min(limit, flows.size());
  std::partial_sort(flows.begin(), flows.begin() + static_cast<std::ptrdiff_t>(n), flows.end(),
                    [&](const auto& a, const auto& b) { return key(a) < key(b); });
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    const FlowCount& e = flows[i];
    out += std::to_string(e.key.proto & 255) + " " + addr_text(e.key.src) + " " + std::to_string(e.key.ports >> 16) +
           " " + addr_text(e.key.dst) + " " + std::to_string(e.key.ports & 0xffff) + " " + std::to_string(e.packets) +
           " " + std::to_string(e.bytes) + "\n";
  }
  return out;
}
std::string flow_lines(const FlowMonitor::State& s, std::size_t limit) {
  const FlowMonitor::State* one = &s;
  return flow_lines(collect_flows({&one, 1}), limit);
}

using States = std::span<const FlowMonitor::State* const>;
void read_top(const FlowMonitor::Config& c, const FlowMonitor::State& s, std::string& out) {
  out = flow_lines(s, c.top);
}
void read_flows(const FlowMonitor::Config&, const FlowMonitor::State& s, std::string& out) {
  out = flow_lines(s, SIZE_MAX);
}
// Several workers: one ranking over every worker's flows (not each worker's TOP joined).
void read_top_workers(const FlowMonitor::Config& c, States states, std::string& out) {
  out = flow_lines(collect_flows(states), c.top);
}
void read_flows_workers(const FlowMonitor::Config&, States states, std::string& out) {
  out = flow_lines(collect_flows(states), SIZE_MAX);
}
bool write_reset(const FlowMonitor::Config&, FlowMonitor::State& s, std::string_view, std::string&) {
  if (s.table) std::memset(static_cast<void*>(s.table), 0, sizeof(FlowMonitor::Entry) * (std::size_t{s.mask} + 1));
  s.packets = s.bytes = s.flows = s.overflow = s.not_ip = 0;
  return true;
}

// `flows` is both a counter (in the statistics) and the handler that lists them: the handler
// takes the name (HandlerSpec::Kind::Counter).
constexpr HandlerSpec kHandlers[] = {
    handler<FlowMonitor, &read_top, nullptr, &read_top_workers>(
        "top", "the TOP flows with the most bytes, one per line: PROTO SRC SPORT DST DPORT PACKETS BYTES"),
    handler<FlowMonitor, &read_flows, nullptr, &read_flows_workers>(
        "flows", "every flow, in the same format and order as top"),
    NB_VALUE(FlowMonitor, "count", flows, "flows in the table"),
    handler<FlowMonitor, nullptr, &write_reset>("reset", "write (any value): forgets every flow and zeroes the counters"),
    NB_COUNTER(FlowMonitor, packets, "packets seen"),
    NB_COUNTER(FlowMonitor, bytes, "bytes seen"),
    NB_COUNTER(FlowMonitor, flows, "flows in the table"),
    NB_COUNTER(FlowMonitor, overflow, "packets of flows the table had no room for"),
    NB_COUNTER(FlowMonitor, not_ip, "packets without a whole IPv4 header (passed on, not counted per flow)"),
};

}  // namespace

bool FlowMonitor::configure(const Args& args, Config& config, std::string& error) {
  std::uint64_t cap = 1;
  while (cap < args.get_unsigned("CAPACITY")) cap <<= 1;
  config.capacity = static_cast<std::uint32_t>(cap);
  config.top = static_cast<std::uint32_t>(args.get_unsigned("TOP"));
  const std::string file = args.get_string("FILE");
  if (file.size() >= kMaxPath) {
    error = "FILE name is too long (at most " + std::to_string(kMaxPath - 1) + " bytes)";
    return false;
  }
  std::memcpy(config.file, file.data(), file.size());
  return true;
}

bool FlowMonitor::setup(const Config& config, State& state, std::string& error) {
  // FILE is written only when the element goes away: one that cannot be written would lose a
  // whole run's counts at its very end, so nbrun refuses it before the first packet instead.
  // (`nbc check` opens no files; this is nbrun's.)
  if (config.file[0]) {
    const std::string file = config.file;
    const std::size_t slash = file.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
    const bool exists = ::access(config.file, F_OK) == 0;
    if (exists ? ::access(config.file, W_OK) != 0 : ::access(dir.c_str(), W_OK | X_OK) != 0) {
      error = "cannot write FILE '" + file + "': " + std::strerror(errno);
      return false;
    }
  }
  state.table = static_cast<Entry*>(rte_zmalloc("nb_flow_monitor", sizeof(Entry) * config.capacity, 64));
  if (!state.table) {
    error = "cannot allocate the flow table (give DPDK more memory with -m, or a smaller CAPACITY)";
    return false;
  }
  state.mask = config.capacity - 1;
  return true;
}

namespace {
// FILE: `text`, or a line on stderr saying why it could not be written.
void write_file(const FlowMonitor::Config& config, const std::string& text) {
  // O_NONBLOCK: a FIFO nobody reads must not hang the end of the run. A failed or short write
  // is said, never silent.
  int fd = ::open(config.file, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0666);
  std::FILE* f = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
  if (!f) {
    std::fprintf(stderr, "nbrun: error: FlowMonitor: cannot write '%s': %s\n", config.file, std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return;
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok &= std::fflush(f) == 0;
  int err = errno;
  ok &= std::fclose(f) == 0;
  if (!ok) {
    std::fprintf(stderr, "nbrun: error: FlowMonitor: writing '%s' failed: %s; the file is incomplete\n", config.file,
                 std::strerror(err ? err : errno));
  }
}
}  // namespace

void FlowMonitor::teardown_workers(const Config& config, State* const* states, std::uint32_t n) {
  bool all = true;
  for (std::uint32_t w = 0; w < n; ++w) all &= states[w]->table != nullptr;
  if (config.file[0] && all) {
    std::vector<const State*> blocks(states, states + n);
    write_file(config, flow_lines(collect_flows(blocks), SIZE_MAX));
  }
  for (std::uint32_t w = 0; w < n; ++w) {
    rte_free(states[w]->table);
    states[w]->table = nullptr;
  }
}

void FlowMonitor::teardown(const Config& config, State& state) {
  if (config.file[0] && state.table) {
    // O_NONBLOCK: a FIFO nobody reads must not hang the end of the run. A failed or short write
    // is said, never silent.
    int fd = ::open(config.file, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0666);
    std::FILE* f = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
    if (!f) {
      std::fprintf(stderr, "nbrun: error: FlowMonitor: cannot write '%s': %s\n", config.file, std::strerror(errno));
      if (fd >= 0) ::close(fd);
    } else {
      const std::string text = flow_lines(state, SIZE_MAX);
      bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
      ok &= std::fflush(f) == 0;
      int err = errno;
      ok &= std::fclose(f) == 0;
      if (!ok) {
        std::fprintf(stderr, "nbrun: error: FlowMonitor: writing '%s' failed: %s; the file is incomplete\n",
                     config.file, std::strerror(err ? err : errno));
      }
    }
  }
  rte_free(state.table);
  state.table = nullptr;
}

// A reload that changes the arguments (e.g. CAPACITY) gets a new table: every flow and counter
// is carried over (flows that do not fit the new table add their packets to `overflow`).
void FlowMonitor::transfer(const Config&, const State& old_state, const Config&, State& new_state) {
  new_state.packets = old_state.packets;
  new_state.bytes = old_state.bytes;
  new_state.overflow = old_state.overflow;
  new_state.not_ip = old_state.not_ip;
  if (!old_state.table || !new_state.table) return;
  for (std::uint32_t i = 0; i <= old_state.mask; ++i) {
    const Entry& e = old_state.table[i];
    if (e.key.proto == 0) continue;
    if (Entry* n = slot(new_state, e.key)) {
      n->packets += e.packets;
      n->bytes += e.bytes;
    } else {
      new_state.overflow += e.packets;
    }
  }
}

NB_ELEMENT_KERNEL(FlowMonitor);

constinit const ElementSpec FlowMonitor::spec{
    .class_name = "FlowMonitor",
    .ports = "1/1",
    .params = kParams,
    .brief = "counts packets and bytes per IPv4 flow (5-tuple) and lists the top flows",
    .description =
        "Counts the packets and bytes of each IPv4 flow, keyed by its 5-tuple (source, "
        "destination, protocol and, for TCP and UDP, source and destination port; fragments and "
        "other protocols have ports 0). Flows are one-way: a connection's two directions are two "
        "flows. Bytes are the packet's length as the element sees it: put it before Strip(14) to "
        "count whole Ethernet frames (as tcpdump and tshark do), after it to count IP bytes "
        "(CheckIPHeader trims Ethernet padding beyond the IP total length, so frames padded to "
        "60 bytes count without their padding). "
        "Packets pass through unchanged. Click has AggregateIPFlows and AggregateCounter for "
        "this; FlowMonitor is one element with a bounded table.\n"
        "\n"
        "The table is open addressing in DPDK memory made when nbrun starts: CAPACITY slots, at "
        "most 32 probed per packet, never resized; a flow that finds no slot is not counted per "
        "flow, but its packets are counted in `overflow` (and in the totals). Flows stay until "
        "`reset`: there are no idle timeouts.\n"
        "\n"
        "With FILE, the `flows` handler's text is written there when the element goes away (end "
        "of the run), which gives the per-flow final statistics of a pcap run.\n"
        "\n"
        "Hot reload: with the same arguments the State, table included, is kept as it is, so "
        "the counters run on; with other arguments (a new CAPACITY, TOP or FILE) every flow and "
        "counter is copied into the new table (`transfer`).\n"
        "\n"
        "The IP header is the one CheckIPHeader found (network offset annotation), otherwise at "
        "offset 0; packets without one pass on and count in `not_ip`. Input 0 (push), output 0 "
        "(push): any packets.",
    .example = "FromDump(in.pcap) -> CheckIPHeader(14) -> mon :: FlowMonitor(TOP 5) -> Discard;\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(FlowMonitor::spec);

}  // namespace nb::elements

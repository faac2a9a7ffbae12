#include "link_unqueue.hpp"

#include "seconds.hpp"

#include <cstdlib>
#include <span>
#include <string>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"LATENCY", ParamType::Duration, ParamKind::Positional, true, "",
     "How long every packet takes on the link besides its length: seconds, or with a unit (40ms, 0.04s).", 0,
     86'400'000'000},
    {"BANDWIDTH", ParamType::Bandwidth, ParamKind::Positional, true, "",
     "The link's bandwidth, in Click's units (384kbps, 10Mbps, 125000B/s; a plain number is bytes a second). "
     "At least 100 bytes a second, as in Click.",
     100, 1'000'000'000'000ull},
    {"CAPACITY", ParamType::Unsigned, ParamKind::Keyword, false, "1000",
     "The most packets on the link at once (nb's limit: Click's link holds any number). While it is full, "
     "nothing more is pulled.",
     1, 1u << 20},
};

void read_latency(const LinkUnqueue::Config& c, const LinkUnqueue::State&, std::string& out) {
  out = seconds::format(c.latency_us);
}
void read_bandwidth(const LinkUnqueue::Config& c, const LinkUnqueue::State&, std::string& out) {
  out = std::to_string(c.bandwidth);
}
// The link's settings are the Config every worker shares: printed once, not once per worker.
void read_latency_workers(const LinkUnqueue::Config& c, std::span<const LinkUnqueue::State* const>,
                          std::string& out) {
  out = seconds::format(c.latency_us);
}
void read_bandwidth_workers(const LinkUnqueue::Config& c, std::span<const LinkUnqueue::State* const>,
                            std::string& out) {
  out = std::to_string(c.bandwidth);
}
void read_size(const LinkUnqueue::Config&, const LinkUnqueue::State& s, std::string& out) {
  out = std::to_string(s.size);
}
void read_size_workers(const LinkUnqueue::Config&, std::span<const LinkUnqueue::State* const> states,
                       std::string& out) {
  std::uint64_t total = 0;
  for (const LinkUnqueue::State* s : states) total += s->size;
  out = std::to_string(total);
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(LinkUnqueue, count, "packets that crossed the link and were pushed out"),
    handler<LinkUnqueue, &read_latency, nullptr, &read_latency_workers>("latency", "read: LATENCY, in seconds"),
    handler<LinkUnqueue, &read_bandwidth, nullptr, &read_bandwidth_workers>("bandwidth",
                                                                            "read: BANDWIDTH, in bytes a second"),
    NB_VALUE(LinkUnqueue, "reload_dropped", reload_dropped, "packets a hot reload onto a smaller link could not keep"),
    handler<LinkUnqueue, &read_size, nullptr, &read_size_workers>("size",
                                     "read: packets on the link now (with several workers: on all their links)"),
};

}  // namespace

bool LinkUnqueue::configure(const Args& args, Config& config, std::string&) {
  config.latency_us = args.get_unsigned("LATENCY");
  config.bandwidth = args.get_unsigned("BANDWIDTH");
  config.capacity = static_cast<std::uint32_t>(args.get_unsigned("CAPACITY"));
  return true;
}

bool LinkUnqueue::setup(const Config& config, State& state, std::string& error) {
  state.link = static_cast<Entry*>(std::calloc(config.capacity, sizeof(Entry)));
  if (!state.link) {
    error = "out of memory for a link of " + std::to_string(config.capacity) + " packets";
    return false;
  }
  return true;
}

void LinkUnqueue::teardown(const Config& config, State& state) {
  // Packets still on the link (a reload removed it) are freed: the link owns them.
  for (std::uint32_t k = 0; state.link && k < state.size; ++k) {
    Entry& e = state.link[(state.head + k) % config.capacity];
    if (e.m) rte_pktmbuf_free(e.m);
  }
  std::free(state.link);
  state.link = nullptr;
  state.size = 0;
}

void LinkUnqueue::transfer(const Config& old_config, const State& old_state, const Config& new_config,
                           State& new_state) {
  new_state.count = old_state.count;
  new_state.reload_dropped = old_state.reload_dropped;
  new_state.back_to_back = old_state.back_to_back;
  for (std::uint32_t k = 0; old_state.link && k < old_state.size; ++k) {
    Entry& e = old_state.link[(old_state.head + k) % old_config.capacity];
    if (!e.m) continue;
    if (new_state.link && new_state.size < new_config.capacity) {
      new_state.link[(new_state.head + new_state.size++) % new_config.capacity] = e;
    } else {
      rte_pktmbuf_free(e.m);
      ++new_state.reload_dropped;
    }
    e.m = nullptr;  // the old State's teardown must not free it
  }
}

NB_ELEMENT_PULL(LinkUnqueue);

constinit const ElementSpec LinkUnqueue::spec{
    .class_name = "LinkUnqueue",
    .ports = "1/1",
    .params = kParams,
    .brief = "emulates a serial link of LATENCY and BANDWIDTH: pulls packets and pushes each out when it arrives",
    .description =
        "Pulls packets from its input onto an emulated serial link and pushes each out of its output when it "
        "has crossed it: LATENCY after it started, plus its length over BANDWIDTH, and no earlier than the "
        "packet before it (a packet starts when the one before it has gone through, if it was waiting; else at "
        "once). It pulls only while the link has room - while the last packet on it started arriving no later "
        "than LATENCY from now - so the packets waiting for the link wait in the Queue before it. Each packet "
        "leaves with its timestamp set to the time it arrived. Times are on the worker's clock; it runs as a "
        "task of the worker's loop (docs/queues.md).\n"
        "\n"
        "Unlike Click's, the link holds at most CAPACITY packets (a fast, long link holds more than that: "
        "raise CAPACITY, and --mempool, for it). The run waits for the packets on the link when its inputs "
        "end; those on it when the run stops early are dropped as `flushed`. With several workers, each has a "
        "link of its own.\n"
        "\n"
        "Input 0 (pull): packets, usually from a Queue. Output 0 (push): the same packets, when they arrive.",
    .example = "FromDump(in.pcap) -> Queue -> LinkUnqueue(40ms, 10Mbps) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "l/h",
};

NB_REGISTER_ELEMENT(LinkUnqueue::spec);

}  // namespace nb::elements

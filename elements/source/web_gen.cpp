#include "web_gen.hpp"

#include <nb/text.hpp>

#include <cstdlib>
#include <span>
#include <string>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"PREFIX", ParamType::IPv4Prefix, ParamKind::Positional, true, "",
     "Where the connections come from: each from a random address with these leading bits."},
    {"DST", ParamType::IPv4Address, ParamKind::Positional, true, "", "The web server's address (port 80)."},
    {"RATE", ParamType::Unsigned, ParamKind::Positional, true, "", "New connections a second.", 1, WebGen::kMaxRate},
    {"SEED", ParamType::Unsigned, ParamKind::Keyword, false, "0",
     "Seeds the generator of addresses, ports, sequence numbers and pages (each worker's differs)."},
    {"LIMIT", ParamType::Integer, ParamKind::Keyword, false, "-1",
     "How many connections it starts in all (per worker); -1: no limit.", -1},
};

using State = WebGen::State;

void read_open_workers(const WebGen::Config& c, std::span<const State* const> states, std::string& out) {
  std::uint64_t n = 0;
  for (const State* s : states)
    if (s->cbs)
      for (std::uint32_t i = 0; i < c.ncbs; ++i) n += s->cbs[i].in_rexmit;
  out = std::to_string(n);
}
void read_open(const WebGen::Config& c, const State& s, std::string& out) {
  const State* one[] = {&s};
  read_open_workers(c, one, out);
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(WebGen, initiated, "connections started (Click's 'init')"),
    NB_COUNTER(WebGen, completed, "connections that ended with both FINs (Click's 'comp')"),
    NB_COUNTER(WebGen, timeouts, "connections given up after 6 retransmissions (Click's 'tmo')"),
    NB_COUNTER(WebGen, resets, "connections the server reset (Click's 'rst')"),
    NB_COUNTER(WebGen, no_cb, "connections not started: every control block was in use"),
    NB_COUNTER(WebGen, rsts_sent, "RSTs sent for segments of no connection of its own"),
    NB_COUNTER(WebGen, sent, "segments of its connections sent"),
    handler<WebGen, &read_open, nullptr, &read_open_workers>("open", "connections under way now (summed over workers)"),
};

}  // namespace

bool WebGen::configure(const Args& args, Config& config, std::string&) {
  const auto length = static_cast<unsigned>(args.get_unsigned("PREFIX"));
  config.mask = text::prefix_mask(length);
  config.prefix = args.get_ipv4("PREFIX") & config.mask;
  config.dst = args.get_ipv4("DST");
  config.rate = args.get_unsigned("RATE");
  config.interval_us = 1000000 / config.rate;
  // Click's sizing: enough for every connection of two full retransmission periods.
  config.ncbs = static_cast<std::uint32_t>(2 * (1000000 / config.interval_us) * kResendMax);
  config.nbuckets = 1024;
  while (config.nbuckets < config.ncbs) config.nbuckets <<= 1;
  config.seed = args.get_unsigned("SEED");
  config.limit = args.get_integer("LIMIT");
  return true;
}

bool WebGen::setup(const Config& config, State& state, std::string& error) {
  state.cbs = static_cast<CB*>(std::calloc(config.ncbs + 1, sizeof(CB)));
  state.hash = static_cast<std::int32_t*>(std::malloc(config.nbuckets * sizeof(std::int32_t)));
  if (!state.cbs || !state.hash) {
    teardown(config, state);
    error = "no memory for " + std::to_string(config.ncbs) + " connections";
    return false;
  }
  for (std::uint32_t b = 0; b < config.nbuckets; ++b) state.hash[b] = -1;
  for (std::uint32_t i = 0; i < config.ncbs; ++i) state.cbs[i].hnext = i + 1 < config.ncbs ? std::int32_t(i + 1) : -1;
  state.free = 0;
  const auto sentinel = static_cast<std::int32_t>(config.ncbs);
  state.cbs[sentinel].rnext = state.cbs[sentinel].rprev = sentinel;
  return true;
}

void WebGen::teardown(const Config&, State& state) {
  std::free(state.cbs);
  std::free(state.hash);
  state.cbs = nullptr;
  state.hash = nullptr;
  state.free = -1;
}

NB_ELEMENT_KERNEL(WebGen);

constinit const ElementSpec WebGen::spec{
    .class_name = "WebGen",
    .ports = "1/1",
    .params = kParams,
    .brief = "opens HTTP/1.0 connections to DST at RATE a second from random addresses of PREFIX",
    .description =
        "Click's WebGen, a load generator for web servers. Every 1/RATE second (on the worker's "
        "clock) it opens a TCP connection to DST port 80 from a random address of PREFIX and a "
        "random port in 1024-61023, and sends a SYN. When the SYN-ACK comes back, it answers "
        "with `GET /spec/D/D-C-F HTTP/1.0` (D 0-9, C 0-2, F 0-8, drawn with the connection) "
        "and FIN in one segment, acknowledges what the server sends, and on the server's FIN "
        "sends its last ACK and forgets the connection (`completed`). A connection that sent "
        "nothing for a second sends its last segment again (the SYN, or the request); after 6 "
        "such retransmissions it is given up (`timeouts`). An RST from the server ends it "
        "(`resets`). It keeps 10 x RATE connections at most (Click's sizing); when all are in "
        "use, a due connection is not started (`no_cb`). LIMIT caps the connections started.\n"
        "\n"
        "Its segments are IPv4 packets with no link header: TTL 250, identifications counted "
        "per worker, window 61440, no options, both checksums correct; network offset "
        "annotation 0 and destination IP annotation DST (ready for EtherEncap or ARPQuerier). "
        "Its input takes the server's packets, the IP header at the network offset annotation "
        "(the data start after Strip(14)); each carries the answer to itself when one is due, "
        "else it is dropped (\"absorbed\"). A TCP segment for no connection of its own is "
        "answered with an RST, as in Click, unless it is an RST itself (\"stray reset\"; Click "
        "answers those too); packets that are not TCP are dropped as \"malformed\" (Click "
        "takes every IP packet for TCP).\n"
        "\n"
        "Click draws from click_random(), seeded by the time; nb from a generator seeded by SEED "
        "and the worker's number (splitmix64 of SEED xor (worker+1) times a constant), so a "
        "run repeats the addresses, ports, sequence numbers and pages: the n-th connection of a "
        "worker is always the same. With several workers each makes its own connections "
        "(RATE each) and picks ports whose replies the runtime steers back to it. Click prints "
        "its counts every 5 seconds and resets them; nb keeps them in handlers. SEED and LIMIT "
        "are nb's.\n"
        "\n"
        "Input 0 (push): the server's packets. Output 0 (push): its segments.",
    .example =
        "fd :: FromDump(in.pcap) -> Strip(14) -> WebGen(7.1.0.0/16, 1.0.0.1, 500)\n"
        "  -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(WebGen::spec);

}  // namespace nb::elements

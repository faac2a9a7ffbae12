#include "ip_rewriter.hpp"

#include "ip_text.hpp"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include <cstdio>
#include <iterator>
#include <string_view>
#include <vector>

namespace nb::elements {

namespace {

bool validate_spec(std::string_view text, ParamError& error);

constexpr std::uint64_t kMaxTimeout = (std::uint64_t{1} << 30) * 1'000'000;  // 2^30 s (34 years), in microseconds
constexpr std::uint64_t kMaxCapacity = 1u << 24;

// MAPPING_CAPACITY: a number, as CAPACITY; Click also takes an element name there.
bool parse_capacity(std::string_view text, std::uint64_t& out) {
  return ip_text::parse_uint(text, kMaxCapacity, out) && out >= 1;
}
bool validate_capacity(std::string_view text, ParamError& error) {
  std::uint64_t v = 0;
  if (parse_capacity(text, v)) return true;
  error.offset = 0;
  error.length = text.size();
  const bool digits = !text.empty() && text[0] >= '0' && text[0] <= '9';
  error.message = digits ? "MAPPING_CAPACITY is a decimal number of flows from 1 to " + std::to_string(kMaxCapacity)
                         : "want a number of flows; sharing another rewriter's table (Click's MAPPING_CAPACITY "
                           "ELEMENT) is not in nb: each IPRewriter has its own table";
  return false;
}

constexpr ParamSpec kParams[] = {
    {"INPUTSPEC", ParamType::String, ParamKind::Rest, true, "",
     "One per input, in Click's syntax: `pattern SADDR SPORT[-SPORT2][#|?] DADDR DPORT FOUTPUT ROUTPUT` "
     "(`-` keeps a field; from a port range the packet keeps its own source port if it is in the "
     "range and free, else gets a free one from a random start; `#` allocates sequentially, `?` "
     "from a random start without trying the packet's own first, as in Click), `pattern NAME FOUTPUT "
     "ROUTPUT` (a pattern IPRewriterPatterns names), `keep FOUTPUT ROUTPUT` (a "
     "mapping that changes nothing), `pass OUTPUT` or `drop` (what happens to packets of no "
     "known flow).",
     INT64_MIN, UINT64_MAX, &validate_spec},
    {"TCP_TIMEOUT", ParamType::Duration, ParamKind::Keyword, false, "24h",
     "How long an idle TCP flow keeps its mapping, in Click's time units (86400, 24h, 90min; a "
     "bare number is seconds).",
     1, kMaxTimeout},
    {"TCP_DONE_TIMEOUT", ParamType::Duration, ParamKind::Keyword, false, "4min",
     "How long an idle TCP flow keeps its mapping after a RST or a FIN in both directions.", 1, kMaxTimeout},
    {"UDP_TIMEOUT", ParamType::Duration, ParamKind::Keyword, false, "5min",
     "How long an idle UDP flow keeps its mapping; 0 ends a mapping as soon as its flow is idle at "
     "all, so that (nearly) every packet makes a new one (nbbench's nat-new).",
     0, kMaxTimeout},
    {"CAPACITY", ParamType::Unsigned, ParamKind::Keyword, false, "65536",
     "Flows the table holds (each is two rte_hash keys); a new flow beyond them is dropped (\"table "
     "full\", counter table_full).",
     1, kMaxCapacity},
    {"MAPPING_CAPACITY", ParamType::String, ParamKind::Keyword, false, "",
     "Click's name for CAPACITY (give one of the two): the number of flows. Click's other form, the "
     "name of another rewriter whose table this one shares, is not in nb.",
     INT64_MIN, UINT64_MAX, &validate_capacity},
};

constexpr ParamSpec kTcpParams[] = {
    kParams[0], kParams[1], kParams[2], kParams[4], kParams[5],
};

bool validate_ping_spec(std::string_view text, ParamError& error);
bool validate_pattern(std::string_view text, ParamError& error);

constexpr ParamSpec kPingParams[] = {
    {"INPUTSPEC", ParamType::String, ParamKind::Rest, true, "",
     "One per input, as IPRewriter's (`pattern SADDR ID[-ID2] DADDR - FOUTPUT ROUTPUT`: the "
     "source port range is the identifiers' range), or Click's older two arguments `SRC, DST`: "
     "the source and destination address of rewritten requests (`-` keeps one), one input, "
     "requests to output 0 and replies to output 1.",
     INT64_MIN, UINT64_MAX, &validate_ping_spec},
    {"TIMEOUT", ParamType::Duration, ParamKind::Keyword, false, "5min",
     "How long an idle echo mapping is kept, in Click's time units.", 1, kMaxTimeout},
    kParams[4],
    kParams[5],
};

constexpr ParamSpec kPatternsParams[] = {
    {"PATTERN", ParamType::String, ParamKind::Rest, true, "",
     "`NAME SADDR SPORT[-SPORT2][#|?] DADDR DPORT`, each field as in IPRewriter's `pattern` (`-` "
     "keeps a field; AddressInfo names work).",
     INT64_MIN, UINT64_MAX, &validate_pattern},
};

bool parse_output(std::string_view w, std::uint32_t& out) {
  std::uint64_t v = 0;
  if (!ip_text::parse_uint(w, 1023, v)) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

// Parses one INPUTSPEC; on error, `why` and the word it concerns (an index into the words).
bool parse_spec(std::string_view text, IPRewriter::InputSpec& s, std::string& why, std::size_t& word) {
  s = IPRewriter::InputSpec{};
  const std::vector<std::string_view> w = ip_text::words(text);
  word = 0;
  if (w.empty()) {
    why = "empty input spec (want pattern, keep, pass or drop)";
    return false;
  }
  if (w[0] == "drop") {
    s.kind = IPRewriter::SpecKind::Drop;
    if (w.size() != 1) {
      word = 1;
      why = "`drop` takes no arguments";
      return false;
    }
    return true;
  }
  if (w[0] == "pass") {
    s.kind = IPRewriter::SpecKind::Pass;
    if (w.size() != 2) {
      word = w.size() > 2 ? 2 : 0;
      why = "want `pass OUTPUT`";
      return false;
    }
    word = 1;
    if (!parse_output(w[1], s.foutput)) {
      why = "bad output number";
      return false;
    }
    return true;
  }
  std::vector<std::string_view> f;
  if (w[0] == "keep") {
    if (w.size() != 3) {
      word = 0;
      why = "want `keep FOUTPUT ROUTPUT`";
      return false;
    }
    f = {"-", "-", "-", "-", w[1], w[2]};
  } else if (w[0] == "pattern") {
    if (w.size() == 4) {
      word = 1;
      why = "no IPRewriterPatterns element names the pattern '" + std::string(w[1]) +
            "' (want `pattern NAME FOUTPUT ROUTPUT` with NAME from IPRewriterPatterns(NAME SADDR SPORT DADDR DPORT))";
      return false;
    }
    if (w.size() != 7) {
      word = 0;
      why = "want `pattern SADDR SPORT[-SPORT2] DADDR DPORT FOUTPUT ROUTPUT` (7 words, `-` keeps a field)";
      return false;
    }
    f.assign(w.begin() + 1, w.end());
  } else {
    why = "unknown input spec '" + std::string(w[0]) + "' (want pattern, keep, pass or drop)";
    return false;
  }
  s.kind = IPRewriter::SpecKind::Pattern;
  const std::size_t base = w[0] == "keep" ? 0 : 1;
  auto fail = [&](std::size_t i, std::string message) {
    word = w[0] == "keep" ? (i >= 4 ? i - 3 : 0) : base + i;
    why = std::move(message);
    return false;
  };
  if (f[0] != "-") {
    if (!ip_text::parse_ipv4(f[0], s.saddr)) return fail(0, "bad source address");
    s.set_saddr = true;
  }
  s.choice = IPRewriter::PortChoice::SameFirst;
  if (f[1] != "-") {
    std::string_view range = f[1];
    if (range.size() > 1 && (range.back() == '#' || range.back() == '?')) {
      s.choice = range.back() == '#' ? IPRewriter::PortChoice::Sequential : IPRewriter::PortChoice::Random;
      range.remove_suffix(1);
    }
    std::string_view lo = range, hi = range;
    if (const std::size_t dash = range.find('-'); dash != std::string_view::npos) {
      lo = range.substr(0, dash);
      hi = range.substr(dash + 1);
    }
    std::uint64_t a = 0, b = 0;
    if (!ip_text::parse_uint(lo, 65535, a) || !ip_text::parse_uint(hi, 65535, b) || a == 0 || b < a)
      return fail(1, "bad source port or range (want PORT or LO-HI, 1-65535, LO <= HI, optionally followed by # or ?)");
    s.sport_lo = static_cast<std::uint16_t>(a);
    s.sport_hi = static_cast<std::uint16_t>(b);
  }
  if (f[2] != "-") {
    if (!ip_text::parse_ipv4(f[2], s.daddr)) return fail(2, "bad destination address");
    s.set_daddr = true;
  }
  if (f[3] != "-") {
    std::uint64_t v = 0;
    if (!ip_text::parse_uint(f[3], 65535, v)) return fail(3, "bad destination port");
    s.dport = static_cast<std::uint16_t>(v);
    s.set_dport = true;
  }
  if (!parse_output(f[4], s.foutput)) return fail(4, "bad forward output number");
  if (!parse_output(f[5], s.routput)) return fail(5, "bad reply output number");
  return true;
}

bool validate_spec(std::string_view text, ParamError& error) {
  IPRewriter::InputSpec s{};
  std::string why;
  std::size_t word = 0;
  if (parse_spec(text, s, why, word)) return true;
  // Point at the word (by position in the text).
  const std::vector<std::string_view> w = ip_text::words(text);
  if (word < w.size()) {
    error.offset = static_cast<std::size_t>(w[word].data() - text.data());
    error.length = w[word].size();
  } else {
    error.offset = text.size();
    error.length = 1;
  }
  error.message = why;
  return false;
}

// Click's older ICMPPingRewriter(SRC, DST): one word, an address or `-`.
bool old_ping_word(std::string_view text, std::uint32_t* addr = nullptr) {
  const std::vector<std::string_view> w = ip_text::words(text);
  std::uint32_t a = 0;
  if (w.size() != 1) return false;
  if (w[0] == "-") return true;
  if (!ip_text::parse_ipv4(w[0], a)) return false;
  if (addr) *addr = a;
  return true;
}

bool validate_ping_spec(std::string_view text, ParamError& error) {
  return old_ping_word(text) || validate_spec(text, error);
}

bool validate_pattern(std::string_view text, ParamError& error) {
  const std::vector<std::string_view> w = ip_text::words(text);
  if (w.size() != 5) {
    error.offset = 0;
    error.length = text.size() ? text.size() : 1;
    error.message = "want `NAME SADDR SPORT DADDR DPORT` (5 words, `-` keeps a field)";
    return false;
  }
  // Checked as the pattern it is: `pattern SADDR SPORT DADDR DPORT 0 0`, positions shifted back.
  const std::size_t body = static_cast<std::size_t>(w[1].data() - text.data());
  const std::string spec = "pattern " + std::string(text.substr(body)) + " 0 0";
  if (validate_spec(spec, error)) return true;
  const std::size_t shift = std::string_view("pattern ").size();
  error.offset = error.offset >= shift ? error.offset - shift + body : body;
  if (error.offset > text.size()) error.offset = text.size();
  return false;
}

bool make_table(const IPRewriter::Config& c, IPRewriter::State& s, std::string& error) {
  char name[RTE_HASH_NAMESIZE];
  static unsigned instance = 0;
  std::snprintf(name, sizeof name, "nb_nat_%u", instance++);
  rte_hash_parameters hp{};
  hp.name = name;
  hp.entries = c.capacity * 2 < 16 ? 16 : c.capacity * 2;
  hp.key_len = sizeof(IPRewriter::FlowKey);
  hp.hash_func = rte_jhash;
  hp.hash_func_init_val = 0;
  hp.socket_id = SOCKET_ID_ANY;
  hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;  // every key fits, whatever the buckets
  s.hash = rte_hash_create(&hp);
  if (!s.hash) {
    error = std::string("rte_hash_create: ") + rte_strerror(rte_errno) + " (give DPDK more memory with -m)";
    return false;
  }
  s.flows = static_cast<IPRewriter::Flow*>(rte_zmalloc("nb_nat_flows", sizeof(IPRewriter::Flow) * c.capacity, 0));
  s.free = static_cast<std::uint32_t*>(rte_malloc("nb_nat_free", sizeof(std::uint32_t) * c.capacity, 0));
  // TCPRewriter keeps sequence-number deltas (FTPPortMapper), a slot beside each flow's.
  if (c.mode == IPRewriter::Mode::Tcp)
    s.deltas =
        static_cast<IPRewriter::SeqDelta*>(rte_zmalloc("nb_nat_deltas", sizeof(IPRewriter::SeqDelta) * c.capacity, 0));
  if (!s.flows || !s.free || (c.mode == IPRewriter::Mode::Tcp && !s.deltas)) {
    error = "cannot allocate the flow table (give DPDK more memory with -m, or a smaller CAPACITY)";
    return false;
  }
  for (std::uint32_t i = 0; i < c.capacity; ++i) s.free[i] = c.capacity - 1 - i;  // slot 0 first
  s.nfree = c.capacity;
  const std::uint64_t hz = rte_get_tsc_hz();
  // Microseconds to ticks without overflow: whole seconds, then the rest.
  auto ticks = [hz](std::uint64_t us) { return us / 1'000'000 * hz + us % 1'000'000 * hz / 1'000'000; };
  s.tcp_ticks = ticks(c.tcp_timeout);
  s.tcp_done_ticks = ticks(c.tcp_done_timeout);
  s.udp_ticks = ticks(c.udp_timeout);
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER_NAMED(IPRewriter, "flows", flows_active, "flows in the table now"),
    NB_COUNTER(IPRewriter, mapped, "flows created"),
    NB_COUNTER(IPRewriter, forward, "packets translated in the forward direction"),
    NB_COUNTER(IPRewriter, reply, "packets translated in the reply direction"),
    NB_COUNTER(IPRewriter, passed, "packets sent on by a `pass` spec"),
    NB_COUNTER(IPRewriter, expired, "flows removed after their idle timeout"),
    NB_COUNTER(IPRewriter, no_ports, "new flows refused: every port of the range in use towards their destination"),
    NB_COUNTER(IPRewriter, table_full, "new flows refused: CAPACITY flows already exist"),
};

// The input specs (INPUTSPEC, or ICMPPingRewriter's SRC, DST) and the table's size.
bool configure_specs(const Args& args, IPRewriter::Config& config, std::string& error) {
  using SpecKind = IPRewriter::SpecKind;
  constexpr std::uint32_t kMaxSpecs = IPRewriter::kMaxSpecs;
  const std::size_t n = args.count("INPUTSPEC");
  if (n == 0 || n > kMaxSpecs) {
    error = "want 1 to " + std::to_string(kMaxSpecs) + " input specs (one per input), got " + std::to_string(n);
    return false;
  }
  const std::uint32_t noutputs = args.noutputs();
  for (std::size_t i = 0; i < n; ++i) {
    const std::string text = args.get_string_at("INPUTSPEC", i);
    IPRewriter::InputSpec& s = config.specs[i];
    std::string why;
    std::size_t word = 0;
    if (!parse_spec(text, s, why, word)) {
      error = "input spec " + std::to_string(i) + " '" + text + "': " + why;
      return false;
    }
    const bool bad_out = (s.kind != SpecKind::Drop && s.foutput >= noutputs) ||
                         (s.kind == SpecKind::Pattern && s.routput >= noutputs);
    if (bad_out) {
      error = "input spec " + std::to_string(i) + " '" + text + "' sends to an output the element does not have (" +
              std::to_string(noutputs) + (noutputs == 1 ? " output)" : " outputs)");
      return false;
    }
  }
  config.nspecs = static_cast<std::uint32_t>(n);
  config.capacity = static_cast<std::uint32_t>(args.get_unsigned("CAPACITY"));
  if (args.given("MAPPING_CAPACITY")) {
    if (args.given("CAPACITY")) {
      error = "CAPACITY and MAPPING_CAPACITY are one parameter: give one of them";
      return false;
    }
    std::uint64_t v = 0;
    if (!parse_capacity(args.get_string("MAPPING_CAPACITY"), v)) {
      error = "bad MAPPING_CAPACITY '" + args.get_string("MAPPING_CAPACITY") + "'";
      return false;
    }
    config.capacity = static_cast<std::uint32_t>(v);
  }
  return true;
}

}  // namespace

bool IPRewriter::configure(const Args& args, Config& config, std::string& error) {
  if (!configure_specs(args, config, error)) return false;
  config.mode = Mode::TcpUdp;
  config.tcp_timeout = args.get_unsigned("TCP_TIMEOUT");
  config.tcp_done_timeout = args.get_unsigned("TCP_DONE_TIMEOUT");
  config.udp_timeout = args.get_unsigned("UDP_TIMEOUT");
  return true;
}

bool TCPRewriter::configure(const Args& args, Config& config, std::string& error) {
  if (!configure_specs(args, config, error)) return false;
  config.mode = Mode::Tcp;
  config.tcp_timeout = args.get_unsigned("TCP_TIMEOUT");
  config.tcp_done_timeout = args.get_unsigned("TCP_DONE_TIMEOUT");
  config.udp_timeout = config.tcp_timeout;  // no UDP flow is ever made
  return true;
}

bool ICMPPingRewriter::configure(const Args& args, Config& config, std::string& error) {
  const std::size_t n = args.count("INPUTSPEC");
  std::uint32_t src = 0, dst = 0;
  if (n == 2 && old_ping_word(args.get_string_at("INPUTSPEC", 0), &src) &&
      old_ping_word(args.get_string_at("INPUTSPEC", 1), &dst)) {
    if (args.noutputs() < 2) {
      error = "ICMPPingRewriter(SRC, DST) sends requests to output 0 and replies to output 1: it needs 2 outputs";
      return false;
    }
    InputSpec& s = config.specs[0];
    s = InputSpec{};
    s.kind = SpecKind::Pattern;
    s.set_saddr = args.get_string_at("INPUTSPEC", 0) != "-";
    s.set_daddr = args.get_string_at("INPUTSPEC", 1) != "-";
    s.saddr = src;
    s.daddr = dst;
    // The request keeps its identifier when that is free, else gets a free one.
    s.sport_lo = 1;
    s.sport_hi = 65535;
    s.choice = PortChoice::SameFirst;
    s.foutput = 0;
    s.routput = 1;
    config.nspecs = 1;
    config.capacity = static_cast<std::uint32_t>(args.get_unsigned("CAPACITY"));
    if (args.given("MAPPING_CAPACITY")) {
      std::uint64_t v = 0;
      if (args.given("CAPACITY") || !parse_capacity(args.get_string("MAPPING_CAPACITY"), v)) {
        error = "give one of CAPACITY and MAPPING_CAPACITY, a number of flows";
        return false;
      }
      config.capacity = static_cast<std::uint32_t>(v);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      if (old_ping_word(args.get_string_at("INPUTSPEC", i))) {
        error = "input spec " + std::to_string(i) + " '" + args.get_string_at("INPUTSPEC", i) +
                "': an address alone is Click's older ICMPPingRewriter(SRC, DST), two of them and nothing else";
        return false;
      }
    }
    if (!configure_specs(args, config, error)) return false;
    for (std::uint32_t i = 0; i < config.nspecs; ++i) {
      // An echo has one identifier, which the source port range rewrites: a DPORT would make
      // replies that match no mapping.
      if (config.specs[i].kind == SpecKind::Pattern && config.specs[i].set_dport) {
        error = "input spec " + std::to_string(i) + " '" + args.get_string_at("INPUTSPEC", i) +
                "': an echo has no destination port: give `-` as DPORT (the source range sets the identifier)";
        return false;
      }
    }
  }
  config.mode = Mode::Ping;
  config.udp_timeout = args.get_unsigned("TIMEOUT");
  config.tcp_timeout = config.tcp_done_timeout = config.udp_timeout;
  return true;
}

bool IPRewriter::setup(const Config& config, State& state, std::string& error) {
  if (make_table(config, state, error)) return true;
  teardown(config, state);
  return false;
}

void IPRewriter::teardown(const Config&, State& state) {
  if (state.hash) rte_hash_free(state.hash);
  rte_free(state.flows);
  rte_free(state.free);
  rte_free(state.deltas);
  state.hash = nullptr;
  state.flows = nullptr;
  state.deltas = nullptr;
  state.free = nullptr;
  state.nfree = 0;
}

// A reload that changed this element's Config (timeouts, capacity, specs): the new instance has
// a fresh table; every live flow of the old one is re-inserted with its mapping unchanged (as
// many as the new CAPACITY holds), so that connections through the NAT survive.
void IPRewriter::transfer(const Config& old_config, const State& old_state, const Config& new_config,
                          State& new_state) {
  if (!old_state.hash || !new_state.hash) return;
  for (std::uint32_t i = 0; i < old_config.capacity && new_state.nfree > 0; ++i) {
    const Flow& of = old_state.flows[i];
    if (!(of.flags & kUsed)) continue;
    const std::uint32_t idx = new_state.free[--new_state.nfree];
    Flow& f = new_state.flows[idx];
    f = of;
    if (rte_hash_add_key_data(new_state.hash, &f.fwd, reinterpret_cast<void*>(std::uintptr_t{idx} << 1)) < 0 ||
        rte_hash_add_key_data(new_state.hash, &f.rev, reinterpret_cast<void*>(std::uintptr_t{idx} << 1 | 1)) < 0) {
      rte_hash_del_key(new_state.hash, &f.fwd);
      f.flags = 0;
      new_state.free[new_state.nfree++] = idx;
      continue;
    }
    // Sequence-number deltas go with their flow; a table without them (TCPRewriter became an
    // IPRewriter) cannot shift the flow any more.
    if (f.flags & kSeqDelta) {
      if (old_state.deltas && new_state.deltas)
        new_state.deltas[idx] = old_state.deltas[i];
      else
        f.flags = static_cast<std::uint8_t>(f.flags & ~kSeqDelta);
    }
    if (f.spec < new_config.nspecs) ++new_state.used[f.spec];
    ++new_state.flows_active;
  }
  for (std::uint32_t k = 0; k < kMaxSpecs; ++k) new_state.cursor[k] = old_state.cursor[k];
  new_state.draws = old_state.draws;
  new_state.mapped = old_state.mapped;
  new_state.forward = old_state.forward;
  new_state.reply = old_state.reply;
  new_state.passed = old_state.passed;
  new_state.expired = old_state.expired;
  new_state.no_ports = old_state.no_ports;
  new_state.table_full = old_state.table_full;
}

NB_ELEMENT_KERNEL(IPRewriter);

constinit const ElementSpec IPRewriter::spec{
    .class_name = "IPRewriter",
    .ports = "1-/1-",
    .params = kParams,
    .brief = "TCP/UDP network address and port translation (a flow table on rte_hash)",
    .description =
        "Click's IPRewriter: rewrites the addresses and ports of TCP and UDP flows and keeps a "
        "mapping per flow so that the flow's later packets and its replies are rewritten alike. "
        "Input I takes its INPUTSPEC: a packet of a known flow (either direction, on any input) is "
        "rewritten by its mapping and leaves on the mapping's forward output (FOUTPUT) or, for a "
        "reply, its reply output (ROUTPUT); a packet of no known flow is handled by the spec of "
        "the input it arrived on: `pattern` makes a new mapping (source NAT: "
        "`pattern 192.0.2.1 50000-59999 - - 0 1`, or `pattern NAME 0 1` with a pattern that "
        "IPRewriterPatterns names), `keep` one that rewrites nothing, `pass N` "
        "sends it on unchanged, `drop` drops it (\"no mapping\").\n"
        "\n"
        "A pattern's source port range is searched as Click's IPRewriter searches it: by default "
        "the packet's own source port first, if it is in the range and its reply tuple "
        "(destination address and port, new source address and port) is free, else the ports "
        "from a random one on (the generator is fixed, so a run repeats); with `L-H#` the ports "
        "from the one after the last given (sequential, handy for tests), with `L-H?` from a "
        "random one without trying the packet's own. When all are taken the packet is dropped "
        "(\"no free port\"; counter no_ports). Click's address ranges (SADDR as a range or "
        "prefix) are not in nb. The IP checksum and the "
        "TCP/UDP checksum (over the pseudo header and the ports) are updated incrementally (RFC "
        "1624); a UDP checksum of 0 (none) stays 0.\n"
        "\n"
        "The flow table is DPDK's rte_hash (jhash of the 5-tuple; each flow is two keys, one per "
        "direction), made when nbrun starts and holding CAPACITY (Click: MAPPING_CAPACITY) flows; a new flow "
        "beyond them is dropped (\"table full\"), where Click would first evict a flow idle past its "
        "guarantee. A "
        "flow idle longer than its timeout (UDP_TIMEOUT; TCP_TIMEOUT, or TCP_DONE_TIMEOUT after a "
        "RST or FINs both ways) is removed when a packet looks it up, and by a sweep of two table "
        "slots per packet. Time is the TSC.\n"
        "\n"
        "Packets start at the IP header annotation (CheckIPHeader), or at offset 0. Not TCP/UDP, "
        "or fragments after the first: sent on by a `pass` spec, otherwise dropped (\"not "
        "TCP/UDP\"); ICMP is not translated. A packet too short for its IP, TCP or UDP header is "
        "dropped (\"malformed\"); one that arrives on an input with no INPUTSPEC is dropped (\"no "
        "input spec\").\n"
        "\n"
        "Hot reload: to a graph where this element (same name) has the same arguments, the table "
        "is kept as it is: every flow keeps its mapping. When its arguments changed, the new "
        "instance gets a new table and every live flow is copied over with its mapping "
        "(transfer), as many as the new CAPACITY holds.",
    .example =
        "// Source NAT: inside packets on input 0, replies from outside on input 1.\n"
        "rw :: IPRewriter(pattern 192.0.2.1 50000-59999 - - 0 1, drop, UDP_TIMEOUT 60);\n"
        "FromDump(inside.pcap) -> Strip(14) -> CheckIPHeader -> [0] rw;\n"
        "FromDump(outside.pcap) -> Strip(14) -> CheckIPHeader -> [1] rw;\n"
        "rw [0] -> Unstrip(14) -> ToDump(to_outside.pcap);\n"
        "rw [1] -> Unstrip(14) -> ToDump(to_inside.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .family = "ip_rewriter",
};

NB_REGISTER_ELEMENT(IPRewriter::spec);

}  // namespace nb::elements

namespace nb::elements {

namespace tcp_rewriter {
NB_ELEMENT_KERNEL(TCPRewriter);
}  // namespace tcp_rewriter

constinit const ElementSpec TCPRewriter::spec{
    .class_name = "TCPRewriter",
    .ports = "1-/1-",
    .params = kTcpParams,
    .brief = "TCP network address and port translation (IPRewriter's, for TCP alone)",
    .description =
        "Click's TCPRewriter: IPRewriter's mappings, INPUTSPECs (also `pattern NAME FOUTPUT "
        "ROUTPUT` with IPRewriterPatterns), timeouts and table, for TCP flows alone. A packet "
        "that is not TCP (or a fragment after the first) is sent on by a `pass` spec, otherwise "
        "dropped (\"not TCP\").\n"
        "\n"
        "As Click's, a mapping can also shift its flow's sequence and acknowledgement numbers: "
        "FTPPortMapper asks for it when it rewrites a PORT command to another length. From the "
        "first sequence number after the changed packet on, the segments of that direction get "
        "the change added to their sequence number, and the other direction's acknowledgements "
        "and SACK blocks get it taken off, with the TCP checksum updated incrementally; the last "
        "four changes of each direction are kept, so that a retransmission of an older segment "
        "is shifted as it was. The deltas are kept with the mapping across a hot reload (transfer "
        "too). Each mapping has room for them beside the table (76 bytes a flow).\n"
        "\n"
        "Difference from Click: TCP_NODATA_TIMEOUT, TCP_GUARANTEE and REAP_INTERVAL are not taken.",
    .example =
        "IPRewriterPatterns(to_world 192.0.2.1 50000-65535 - -);\n"
        "tcp_rw :: TCPRewriter(pattern to_world 0 1, drop);\n"
        "FromDump(inside.pcap) -> Strip(14) -> CheckIPHeader -> [0] tcp_rw;\n"
        "FromDump(outside.pcap) -> Strip(14) -> CheckIPHeader -> [1] tcp_rw;\n"
        "tcp_rw [0] -> Unstrip(14) -> ToDump(to_outside.pcap);\n"
        "tcp_rw [1] -> Unstrip(14) -> ToDump(to_inside.pcap);\n",
    .ops = &tcp_rewriter::kOps,
    .handlers = kHandlers,
    .family = "ip_rewriter",
};

NB_REGISTER_ELEMENT(TCPRewriter::spec);

}  // namespace nb::elements

namespace nb::elements {

namespace icmp_ping_rewriter {
NB_ELEMENT_KERNEL(ICMPPingRewriter);
}  // namespace icmp_ping_rewriter

constinit const ElementSpec ICMPPingRewriter::spec{
    .class_name = "ICMPPingRewriter",
    .ports = "1-/1-",
    .params = kPingParams,
    .brief = "rewrites ICMP echo requests' addresses and identifiers, and their replies back",
    .description =
        "Click's ICMPPingRewriter: lets pings through a NAT. An echo request of no known mapping "
        "gets one by the INPUTSPEC of its input (IPRewriter's forms; a pattern's source port "
        "range is the range of identifiers, tried as IPRewriter tries ports: its own first when "
        "free), leaves with the pattern's addresses and identifier on FOUTPUT, and the echo "
        "replies to it are rewritten back to the original addresses and identifier and leave on "
        "ROUTPUT. Click's older form ICMPPingRewriter(SRC, DST) (an address or `-` each) is one "
        "input with the pattern `SRC 1-65535 DST -`, requests to output 0, replies to output 1.\n"
        "\n"
        "An echo reply of no known mapping is sent on by a `pass` spec, otherwise dropped (\"no "
        "mapping\"), as in Click; so is anything that is not an ICMP echo request or reply with "
        "code 0 (\"not ICMP echo\"). The IP checksum and the ICMP checksum are updated "
        "incrementally. A mapping idle for TIMEOUT is removed. The table is IPRewriter's "
        "(rte_hash, CAPACITY mappings, the same handlers). DST_ANNO, GUARANTEE and REAP_INTERVAL "
        "are not taken.",
    .example =
        "irw :: ICMPPingRewriter(192.0.2.1, -);\n"
        "FromDump(pings.pcap) -> Strip(14) -> CheckIPHeader -> irw;\n"
        "irw [0] -> Unstrip(14) -> ToDump(requests.pcap);\n"
        "irw [1] -> Unstrip(14) -> ToDump(replies.pcap);\n",
    .ops = &icmp_ping_rewriter::kOps,
    .handlers = kHandlers,
    .family = "ip_rewriter",
};

NB_REGISTER_ELEMENT(ICMPPingRewriter::spec);

}  // namespace nb::elements

namespace nb::elements {

namespace ip_rewriter_patterns {
NB_ELEMENT_KERNEL(IPRewriterPatterns);
}  // namespace ip_rewriter_patterns

constinit const ElementSpec IPRewriterPatterns::spec{
    .class_name = "IPRewriterPatterns",
    .ports = "0/0",
    .params = kPatternsParams,
    .brief = "names rewriter patterns, as Click's IPRewriterPatterns",
    .description =
        "Each argument `NAME SADDR SPORT DADDR DPORT` names a pattern that IPRewriter, "
        "TCPRewriter and ICMPPingRewriter take as the INPUTSPEC `pattern NAME FOUTPUT ROUTPUT`: "
        "the compiler spells the pattern out there (`pattern SADDR SPORT DADDR DPORT FOUTPUT "
        "ROUTPUT`) before the rewriter reads it, and AddressInfo names in the pattern are "
        "replaced by their addresses. Names are scoped as AddressInfo's: a pattern named in a "
        "compound holds in it and below. Each rewriter that uses a named pattern has its own "
        "mappings (Click shares nothing else between them either). No ports, no handlers.",
    .example =
        "IPRewriterPatterns(to_world 192.0.2.1 50000-65535 - -);\n"
        "rw :: IPRewriter(pattern to_world 0 1, drop);\n"
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> rw -> Unstrip(14) -> ToDump(out.pcap);\n"
        "rw [1] -> Discard;\n",
    .ops = &ip_rewriter_patterns::kOps,
};

NB_REGISTER_ELEMENT(IPRewriterPatterns::spec);

}  // namespace nb::elements

#include "icmp_ping_source.hpp"
#include "active_handler.hpp"

#include "../standard/print_line.hpp"

#include <nb/text.hpp>

#include <cmath>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

bool validate_mirror(std::string_view text, ParamError& e) {
  bool b = false;
  if (parse_handler_bool(text, b) && !b) return true;
  e = {0, text.size() ? text.size() : 1,
       b ? "MIRROR true is not in nb: every ping is a new packet made on the clock" : "expected true or false", ""};
  return false;
}

constexpr ParamSpec kParams[] = {
    {"SRC", ParamType::IPv4Address, ParamKind::Positional, true, "", "The pings' source address."},
    {"DST", ParamType::IPv4Address, ParamKind::Positional, true, "", "The pings' destination address."},
    {"INTERVAL", ParamType::Duration, ParamKind::Keyword, false, "1",
     "The time between two pings (Click's time: 1, 0.2s, 500ms).", 1},
    {"IDENTIFIER", ParamType::Unsigned, ParamKind::Keyword, false, "0",
     "The echo requests' ICMP identifier; replies with another are not counted.", 0, 65535},
    {"LIMIT", ParamType::Integer, ParamKind::Keyword, false, "-1", "How many pings in all; -1: no limit.", -1},
    {"DATA", ParamType::String, ParamKind::Keyword, false, "",
     "Bytes after the echo header (Click's escapes, \\<0a 0b ...> in hex); none by default."},
    {"ACTIVE", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Whether it sends pings; the `active` handler changes it while the graph runs."},
    {"VERBOSE", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Whether each reply is reported on stderr, as ping(1) does."},
    {"STOP", ParamType::Bool, ParamKind::Keyword, false, "false", "Whether reaching LIMIT ends the run."},
    {"MIRROR", ParamType::String, ParamKind::Keyword, false, "false",
     "Click's MIRROR (answer each reply with the next ping at once): only false is taken.", INT64_MIN, UINT64_MAX,
     &validate_mirror},
};

using State = ICMPPingSource::State;
using Config = ICMPPingSource::Config;

// Click's cp_unparse_microseconds: microseconds as seconds, "0.000250" style without trailing zeros.
std::string seconds(std::uint64_t us) {
  std::string s = std::to_string(us / 1000000);
  std::uint64_t frac = us % 1000000;
  if (frac) {
    std::string f = std::to_string(frac);
    f.insert(0, 6 - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    s += "." + f;
  }
  return s;
}

std::string millis(std::uint64_t us) {
  std::string f = std::to_string(us % 1000);
  f.insert(0, 3 - f.size(), '0');
  return std::to_string(us / 1000) + "." + f;
}

// Every worker's statistics added up (each sends its own pings).
State total(std::span<const State* const> states) {
  State t{};
  for (const State* s : states) {
    t.count += s->count;
    t.received += s->received;
    t.duplicates += s->duplicates;
    if (s->timed && (t.timed == 0 || s->rtt_min_us < t.rtt_min_us)) t.rtt_min_us = s->rtt_min_us;
    if (s->rtt_max_us > t.rtt_max_us) t.rtt_max_us = s->rtt_max_us;
    t.rtt_sum_us += s->rtt_sum_us;
    t.rtt_sq_sum_us += s->rtt_sq_sum_us;
    t.timed += s->timed;
  }
  return t;
}

// ping(1)'s last lines, as Click's summary handler writes them.
void summary(const State& s, std::string& out) {
  out = std::to_string(s.count) + " packets transmitted, " + std::to_string(s.received) + " received";
  if (s.duplicates) out += ", +" + std::to_string(s.duplicates) + " duplicates";
  if (s.count) {
    const std::uint64_t lost = s.received < s.count ? s.count - s.received : 0;
    out += ", " + std::to_string(lost * 100 / s.count) + "% packet loss\n";
  }
  if (s.timed) {
    const std::uint64_t avg = s.rtt_sum_us / s.timed;
    const std::uint64_t sq = s.rtt_sq_sum_us / s.timed;
    const std::uint64_t mdev = sq > avg * avg ? static_cast<std::uint64_t>(std::sqrt(double(sq - avg * avg))) : 0;
    out += "rtt min/avg/max/mdev = " + millis(s.rtt_min_us) + "/" + millis(avg) + "/" + millis(s.rtt_max_us) + "/" +
           millis(mdev) + "\n";
  }
}

void read_summary_workers(const Config&, std::span<const State* const> states, std::string& out) {
  summary(total(states), out);
}
void read_summary(const Config& c, const State& s, std::string& out) {
  const State* one[] = {&s};
  read_summary_workers(c, one, out);
}
void read_rtt_min_workers(const Config&, std::span<const State* const> states, std::string& out) {
  out = seconds(total(states).rtt_min_us);
}
void read_rtt_min(const Config& c, const State& s, std::string& out) {
  const State* one[] = {&s};
  read_rtt_min_workers(c, one, out);
}
void read_rtt_max_workers(const Config&, std::span<const State* const> states, std::string& out) {
  out = seconds(total(states).rtt_max_us);
}
void read_rtt_max(const Config& c, const State& s, std::string& out) {
  const State* one[] = {&s};
  read_rtt_max_workers(c, one, out);
}
void read_rtt_avg_workers(const Config&, std::span<const State* const> states, std::string& out) {
  const State t = total(states);
  out = seconds(t.rtt_sum_us / (t.timed ? t.timed : 1));
}
void read_rtt_avg(const Config& c, const State& s, std::string& out) {
  const State* one[] = {&s};
  read_rtt_avg_workers(c, one, out);
}

std::string dotted(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 0xff) + "." + std::to_string(a >> 8 & 0xff) + "." +
         std::to_string(a & 0xff);
}
void read_src(const Config& c, const State&, std::string& out) {
  out = dotted(c.src);
}
void read_dst(const Config& c, const State&, std::string& out) {
  out = dotted(c.dst);
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ICMPPingSource, count, "pings sent"),
    NB_COUNTER(ICMPPingSource, received, "echo replies received (duplicates aside)"),
    ActiveHandler<ICMPPingSource>::spec("read/write: whether it sends pings (true/false)"),
    handler<ICMPPingSource, &read_summary, nullptr, &read_summary_workers>(
        "summary", "ping(1)'s summary: packets sent and received, loss, round-trip times in ms"),
    handler<ICMPPingSource, &read_rtt_min, nullptr, &read_rtt_min_workers>(
        "rtt_min", "the shortest round-trip time, in seconds (0 before the first reply)"),
    handler<ICMPPingSource, &read_rtt_avg, nullptr, &read_rtt_avg_workers>("rtt_avg",
                                                                           "the mean round-trip time, in seconds"),
    handler<ICMPPingSource, &read_rtt_max, nullptr, &read_rtt_max_workers>("rtt_max",
                                                                           "the longest round-trip time, in seconds"),
    handler<ICMPPingSource, &read_src>("src", "the pings' source address"),
    handler<ICMPPingSource, &read_dst>("dst", "the pings' destination address"),
};

}  // namespace

bool ICMPPingSource::configure(const Args& args, Config& config, std::string& error) {
  config.src = args.get_ipv4("SRC");
  config.dst = args.get_ipv4("DST");
  config.interval_ns = args.get_unsigned("INTERVAL") * 1000;
  config.identifier = static_cast<std::uint16_t>(args.get_unsigned("IDENTIFIER"));
  config.limit = args.get_integer("LIMIT");
  config.active = args.get_bool("ACTIVE");
  config.verbose = args.get_bool("VERBOSE");
  config.stop = args.get_bool("STOP");
  if (args.given("DATA")) {
    packet_source::Data d;
    if (!packet_source::parse_data(args.get_string("DATA"), d, error)) return false;
    if (d.len > packet_source::kMaxData - 28) {
      error = "DATA is longer than " + std::to_string(packet_source::kMaxData - 28) + " bytes";
      return false;
    }
    config.data_len = d.len;
    std::memcpy(config.data, d.bytes, d.len);
  }
  return true;
}

void ICMPPingSource::print_reply(const State& state, const Context& ctx, std::uint32_t bytes, std::uint32_t from,
                                 std::uint32_t seq, std::uint32_t ttl, std::uint64_t us) {
  print_line::Line line(ctx, &state);
  line.put("ICMPPingSource: ");
  line.dec(bytes);
  line.put(" bytes from ");
  line.ipv4(from);
  line.put(": icmp_seq=");
  line.dec(seq);
  line.put(" ttl=");
  line.dec(ttl);
  line.put(" time=");
  line.dec(us / 1000);
  line.put('.');
  const std::uint64_t f = us % 1000;
  line.put(static_cast<char>('0' + f / 100));
  line.put(static_cast<char>('0' + f / 10 % 10));
  line.put(static_cast<char>('0' + f % 10));
  line.put(" ms");
  line.end();
}

NB_ELEMENT_KERNEL(ICMPPingSource);

constinit const ElementSpec ICMPPingSource::spec{
    .class_name = "ICMPPingSource",
    .ports = "0-1/1",
    .params = kParams,
    .brief = "sends ICMP echo requests every INTERVAL and counts the replies",
    .description =
        "Makes an ICMP echo request every INTERVAL (on the worker's clock), from the run's "
        "mempool, until LIMIT were sent; with STOP true, reaching LIMIT ends the run. Each is an "
        "IP packet with no link header: source SRC, destination DST, TTL 200, the identification "
        "and the echo sequence number both the ping's number counted from 1, the echo identifier "
        "IDENTIFIER, then DATA; both checksums are correct. Its network offset annotation is 0 "
        "and its destination IP annotation DST (ready for ARPQuerier or EtherEncap). Each counts "
        "as generated. With several workers, each sends its own pings.\n"
        "\n"
        "Its optional input takes the replies: an ICMP echo reply with IDENTIFIER (the IP header "
        "at the network offset annotation) to one of its last 1024 pings is counted as ping(1) "
        "counts it - received, duplicate, round-trip time from the worker's clock - and reported on "
        "stderr with VERBOSE, as `ICMPPingSource: N bytes from ADDR: icmp_seq=S ttl=T time=X ms` "
        "(Click's line starts with the element's name). Then it is dropped (reason \"reply\"); "
        "anything else is dropped as \"not a reply\". The `summary` handler gives ping(1)'s "
        "closing lines (Click also prints them at exit with VERBOSE; nb leaves that to "
        "`nbctl read`).\n"
        "\n"
        "Click's IDENTIFIER goes into the packet in host byte order on Linux; nb writes it in "
        "network order on every system. MIRROR true is refused.\n"
        "\n"
        "Input 0 (push, optional): echo replies. Output 0 (push): echo requests.",
    .example =
        "ICMPPingSource(10.0.0.1, 10.0.0.2, INTERVAL 0.2, LIMIT 5, STOP true)\n"
        "  -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump(pings.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(ICMPPingSource::spec);

}  // namespace nb::elements

// What InfiniteSource, RatedSource and TimedSource share: the packet they make (DATA, LENGTH),
// LIMIT, STOP and ACTIVE, and the loop that makes a burst of copies of it.
#pragma once

#include "../queue/token_bucket.hpp"

#include <nb/element.hpp>
#include <nb/headers.hpp>

#include <rte_mbuf.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace nb::elements::packet_source {

inline constexpr std::uint32_t kMaxData = 2048;

struct Data {
  std::uint32_t len;
  std::uint8_t bytes[kMaxData];
};

// A 60-byte Ethernet/IPv4/UDP frame, 10.0.0.1:1234 > 10.0.0.2:1234, with a correct IP checksum:
// what the IP elements accept (Click's default DATA is a line of text).
inline void default_frame(Data& d) {
  static constexpr std::uint8_t kFrame[42] = {
      0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,  // Ethernet
      0x45, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,              // IPv4
      10,   0,    0,    1,    10,   0,    0,    2,                                         // addresses
      0x04, 0xd2, 0x04, 0xd2, 0x00, 0x1a, 0x00, 0x00};                                   // UDP
  std::memset(d.bytes, 0, 60);
  std::memcpy(d.bytes, kFrame, sizeof kFrame);
  const std::uint16_t sum = static_cast<std::uint16_t>(~checksum::fold(checksum::add(0, {d.bytes + 14, 20})));
  d.bytes[24] = static_cast<std::uint8_t>(sum >> 8);
  d.bytes[25] = static_cast<std::uint8_t>(sum);
  d.len = 60;
}

// Click's string escapes in DATA: \<hex digits and spaces> for bytes, \n \t \r \\ \" \' \0 .
inline bool parse_data(std::string_view text, Data& d, std::string& error) {
  d.len = 0;
  auto put = [&](std::uint8_t b) {
    if (d.len == kMaxData) return false;
    d.bytes[d.len++] = b;
    return true;
  };
  auto hex = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\\' || i + 1 == text.size()) {
      if (!put(static_cast<std::uint8_t>(c))) break;
      continue;
    }
    c = text[++i];
    if (c == '<') {
      int nibble = -1;
      for (++i; i < text.size() && text[i] != '>'; ++i) {
        if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n') continue;
        const int v = hex(text[i]);
        if (v < 0) {
          error = "DATA: '" + std::string(1, text[i]) + "' is not a hex digit in \\<...>";
          return false;
        }
        if (nibble < 0) {
          nibble = v;
        } else {
          if (!put(static_cast<std::uint8_t>(nibble << 4 | v))) break;
          nibble = -1;
        }
      }
      if (i == text.size()) {
        error = "DATA: \\< without its closing >";
        return false;
      }
      if (nibble >= 0) {
        error = "DATA: an odd number of hex digits in \\<...>";
        return false;
      }
      continue;
    }
    const char plain = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == '0' ? '\0' : c;
    if (!put(static_cast<std::uint8_t>(plain))) break;
  }
  if (d.len == kMaxData && text.size() > kMaxData) {
    error = "DATA is longer than " + std::to_string(kMaxData) + " bytes";
    return false;
  }
  return true;
}

struct Config {
  Data data;
  std::int64_t limit;  // -1: no limit
  std::uint32_t burst;
  bool active;
  bool stop;
  token_bucket::Config rate;     // RatedSource
  std::uint64_t interval_ns;     // TimedSource
};

struct State {
  std::uint64_t count;   // packets made
  std::uint8_t written;  // the active handler: 0 not written (ACTIVE decides), 1 false, 2 true
  bool stopped;          // STOP asked for already
  token_bucket::State bucket;  // RatedSource
  std::uint64_t next;          // TimedSource: the TSC of the next packet (0: now)
  bool rate_written;           // RatedSource: its `rate` handler was written: `rate` rules, not RATE
  std::uint64_t rate;
};

// DATA, LENGTH, LIMIT, BURST (if the element has it), ACTIVE, STOP.
inline bool configure(const Args& args, Config& c, std::string& error, bool has_burst) {
  if (args.given("DATA")) {
    if (!parse_data(args.get_string("DATA"), c.data, error)) return false;
  } else {
    default_frame(c.data);
  }
  if (args.given("LENGTH")) {
    const std::uint64_t len = args.get_unsigned("LENGTH");
    if (len > kMaxData) {
      error = "LENGTH is at most " + std::to_string(kMaxData);
      return false;
    }
    // Click pads with zero bytes, or cuts, to LENGTH.
    if (len > c.data.len) std::memset(c.data.bytes + c.data.len, 0, len - c.data.len);
    c.data.len = static_cast<std::uint32_t>(len);
  }
  c.limit = args.get_integer("LIMIT");
  c.burst = has_burst ? static_cast<std::uint32_t>(args.get_unsigned("BURST")) : 1;
  c.active = args.get_bool("ACTIVE");
  c.stop = args.get_bool("STOP");
  return true;
}

inline bool active(const Config& c, const State& s) { return s.written ? s.written == 2 : c.active; }

// Up to `want` copies of DATA (fewer near LIMIT, or when the mempool is empty). At LIMIT with STOP
// true, the run ends.
inline std::uint32_t make(const Config& c, State& s, PullContext& ctx, rte_mbuf** out, std::uint32_t want) {
  if (!active(c, s)) return 0;
  if (c.limit >= 0) {
    const std::uint64_t left = s.count >= static_cast<std::uint64_t>(c.limit) ? 0 : c.limit - s.count;
    if (left < want) want = static_cast<std::uint32_t>(left);
    if (left == 0 && c.stop && !s.stopped) {
      s.stopped = true;
      ctx.stop_router();
    }
  }
  std::uint32_t n = 0;
  for (; n < want; ++n) {
    rte_mbuf* m = ctx.new_packet();
    if (!m) break;
    char* p = rte_pktmbuf_append(m, static_cast<std::uint16_t>(c.data.len));
    if (!p && c.data.len) {
      rte_pktmbuf_free(m);
      break;
    }
    if (c.data.len) std::memcpy(p, c.data.bytes, c.data.len);
    out[n] = m;
  }
  s.count += n;
  return n;
}

// The handlers every source has: count, and active (read/write).
template <class E>
struct SourceHandlers {
  static void read_active(const Config& c, const State& s, std::string& out) { out = active(c, s) ? "true" : "false"; }
  static void read_active_workers(const Config& c, std::span<const State* const> states, std::string& out) {
    bool same = true;
    for (const State* s : states) same &= active(c, *s) == active(c, *states[0]);
    if (same) {
      if (!states.empty()) read_active(c, *states[0], out);
      return;
    }
    for (std::size_t w = 0; w < states.size(); ++w)
      out += "worker " + std::to_string(w) + ": " + (active(c, *states[w]) ? "true" : "false") + "\n";
  }
  static bool write_active(const Config&, State& s, std::string_view value, std::string& error) {
    bool on = false;
    if (!parse_handler_bool(value, on)) {
      error = "expected true or false, not '" + std::string(value) + "'";
      return false;
    }
    s.written = on ? 2 : 1;
    return true;
  }
  static constexpr HandlerSpec kHandlers[] = {
      NB_COUNTER(E, count, "packets made"),
      handler<E, &read_active, &write_active, &read_active_workers>("active",
                                                                    "read/write: whether it makes packets (true/false)"),
  };
};

// The parameters of the sources, each placed where Click's element has it (positional or not).
#define NB_SOURCE_DATA                                                                                      \
  {"DATA", ParamType::String, ParamKind::Positional, false, "",                                            \
   "The packet's bytes: text, with Click's escapes (\\<0a 0b ...> for bytes in hex). Default: a 60-byte " \
   "Ethernet/IPv4/UDP frame from 10.0.0.1 to 10.0.0.2 (Click's is a line of text)."}
#define NB_SOURCE_LIMIT(kind) \
  {"LIMIT", ParamType::Integer, kind, false, "-1", "How many packets in all; -1: no limit.", -1}
#define NB_SOURCE_ACTIVE(kind)                   \
  {"ACTIVE", ParamType::Bool, kind, false, "true", \
   "Whether it makes packets; the `active` handler changes it while the graph runs."}
#define NB_SOURCE_LENGTH                                                 \
  {"LENGTH", ParamType::Unsigned, ParamKind::Keyword, false, "",         \
   "The packet's length: DATA padded with zero bytes or cut to it.", 0, \
   ::nb::elements::packet_source::kMaxData}
#define NB_SOURCE_STOP \
  {"STOP", ParamType::Bool, ParamKind::Keyword, false, "false", "Whether reaching LIMIT ends the run."}

}  // namespace nb::elements::packet_source

// ICMPPingSource: sends ICMP echo requests every INTERVAL and keeps ping(1)'s statistics of the
// replies it is given (Click's ICMPPingSource).
#pragma once

#include "packet_source.hpp"

#include <nb/element.hpp>
#include <nb/headers.hpp>

#include <cstdint>
#include <cstring>
#include <string>

namespace nb::elements {

struct ICMPPingSource {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"reply", "an echo reply to its pings, counted in the statistics (kept by no one after)"},
      {"not a reply", "not an ICMP echo reply with its IDENTIFIER to one of its last 1024 pings"},
  });

  // Send times kept for the replies: a reply to a ping more than this many pings old is not
  // counted (Click keeps all 65536).
  static constexpr std::uint32_t kWindow = 1024;

  struct Config {
    std::uint32_t src, dst;  // host order
    std::uint64_t interval_ns;
    std::int64_t limit;  // -1: no limit
    std::uint16_t identifier;
    bool active, stop, verbose;
    std::uint32_t data_len;
    std::uint8_t data[packet_source::kMaxData];
  };
  struct Sent {
    std::uint64_t cycles;  // when it was made; 0: no ping with this slot's sequence yet
    std::uint16_t seq;
    bool answered;
  };
  struct State {
    std::uint64_t count;  // pings sent
    std::uint64_t received, duplicates;
    std::uint64_t rtt_min_us, rtt_max_us, rtt_sum_us, rtt_sq_sum_us;  // over the received with a time
    std::uint64_t timed;                                              // replies with a round-trip time
    std::uint64_t next;                                               // the TSC of the next ping (0: now)
    std::uint8_t written;  // the active handler: 0 not written (ACTIVE decides), 1 false, 2 true
    bool stopped;
    Sent sent[kWindow];
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool active(const Config& c, const State& s) { return s.written ? s.written == 2 : c.active; }

  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNetworkOffset; }

  // One echo request: IP header (TTL 200, identification and ICMP sequence number the ping's
  // number from 1), echo header, DATA. Annotations: network offset 0, destination IP DST.
  static rte_mbuf* make(const Config& c, State& s, PullContext& ctx) {
    rte_mbuf* m = ctx.new_packet();
    if (!m) return nullptr;
    const std::uint32_t len = 28 + c.data_len;
    auto* b = reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(m, static_cast<std::uint16_t>(len)));
    if (!b) {
      rte_pktmbuf_free(m);
      return nullptr;
    }
    const std::uint16_t seq = static_cast<std::uint16_t>(s.count % 0xffff + 1);  // never 0, as Click
    std::memset(b, 0, 28);
    b[0] = 0x45;
    be16(b + 2, static_cast<std::uint16_t>(len));
    be16(b + 4, seq);
    b[8] = 200;
    b[9] = ip_proto::kICMP;
    be32(b + 12, c.src);
    be32(b + 16, c.dst);
    be16(b + 10, checksum::finish(checksum::add(0, {b, 20})));
    b[20] = 8;  // echo request, code 0
    be16(b + 24, c.identifier);
    be16(b + 26, seq);
    std::memcpy(b + 28, c.data, c.data_len);
    be16(b + 22, checksum::finish(checksum::add(0, {b + 20, 8 + c.data_len})));
    PacketAnno* a = anno_of(m);
    a->network_offset = 0;
    a->dst_ip = c.dst;
    Sent& slot = s.sent[seq % kWindow];
    slot.cycles = ctx.now_cycles() | 1;  // never 0: 0 marks an empty slot
    slot.seq = seq;
    slot.answered = false;
    ++s.count;
    return m;
  }

  // A ping when its time came, INTERVAL after the last was due (as TimedSource); at LIMIT, with
  // STOP, the run ends.
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    if (max == 0 || !active(config, state)) return 0;
    if (config.limit >= 0 && state.count >= static_cast<std::uint64_t>(config.limit)) {
      if (config.stop && !state.stopped) {
        state.stopped = true;
        ctx.stop_router();
      }
      return 0;
    }
    const std::uint64_t now = ctx.now_cycles();
    const std::uint64_t interval = static_cast<std::uint64_t>(static_cast<double>(config.interval_ns) * 1e-9 *
                                                              static_cast<double>(ctx.cycles_per_second()));
    if (state.next == 0) state.next = now;
    if (now < state.next) return 0;
    rte_mbuf* m = make(config, state, ctx);
    if (!m) return 0;
    out[0] = m;
    state.next = now - state.next > interval ? now + interval : state.next + interval;
    return 1;
  }

  // Echo replies: counted as ping(1) counts them, then dropped ("reply").
  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t off = p.network_offset();
    std::uint32_t seq = 0x10000, ttl = 0, bytes = 0, from = 0;
    {
      const IPv4View ip = p.ipv4(off);
      if (ip && ip.header_fits() && ip.protocol() == ip_proto::kICMP && ip.fragment_offset() == 0) {
        const ICMPView icmp = p.icmp(off + ip.header_length());
        if (icmp && icmp.type() == 0 && (icmp.rest() >> 16) == config.identifier) {
          seq = icmp.rest() & 0xffff;
          ttl = ip.ttl();
          from = ip.src();
          const std::uint32_t total = ip.total_length();
          bytes = total > ip.header_length() + 8 ? total - ip.header_length() - 8 : 0;
        }
      }
    }
    // As Click, a reply to no ping it remembers sending is not counted.
    if (seq > 0xffff || state.sent[seq % kWindow].cycles == 0 || state.sent[seq % kWindow].seq != seq) {
      ctx.drop(std::move(p), kDrops["not a reply"]);
      return;
    }
    Sent& slot = state.sent[seq % kWindow];
    std::uint64_t us = 0;
    bool timed = false;
    {
      if (slot.answered) {
        ++state.duplicates;
      } else {
        slot.answered = true;
        ++state.received;
        const std::uint64_t cps = ctx.cycles_per_second();
        if (cps) {
          us = (ctx.now_cycles() - (slot.cycles & ~std::uint64_t{1})) * 1000000 / cps;
          timed = true;
          if (state.timed == 0 || us < state.rtt_min_us) state.rtt_min_us = us;
          if (us > state.rtt_max_us) state.rtt_max_us = us;
          state.rtt_sum_us += us;
          state.rtt_sq_sum_us += us * us;
          ++state.timed;
        }
      }
    }
    if (config.verbose) print_reply(state, ctx, bytes, from, seq, ttl, timed ? us : 0);
    ctx.drop(std::move(p), kDrops["reply"]);
  }

  static void print_reply(const State& state, const Context& ctx, std::uint32_t bytes, std::uint32_t from,
                          std::uint32_t seq, std::uint32_t ttl, std::uint64_t us);

 private:
  static void be16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
  }
  static void be32(std::uint8_t* p, std::uint32_t v) {
    be16(p, static_cast<std::uint16_t>(v >> 16));
    be16(p + 2, static_cast<std::uint16_t>(v));
  }
};

}  // namespace nb::elements

// ToyTCP: a toy TCP client that opens one connection to DPORT and keeps sending one-byte
// segments at odd sequence numbers, driven by what comes back (Click's ToyTCP, a stress tool).
#pragma once

#include "tcp_client.hpp"

#include <nb/element.hpp>
#include <nb/headers.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct ToyTCP {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  // The answer, and every sixth time one more segment.
  static constexpr std::uint32_t kMaxEmitsPerPush = 2;

  static constexpr auto kDrops = drop_reasons({
      {"reset", "arrived after the peer's RST, before the clock's next tick starts a new connection"},
      {"no room", "its buffer cannot hold the segment that would answer it"},
  });

  struct Config {
    std::uint16_t dport;
    std::uint64_t seed;
    std::uint64_t interval_us;
    bool active;
  };
  struct State {
    std::uint64_t rng;
    std::uint64_t next;  // the TSC of the clock's next segment (0: not started)
    std::uint64_t good, bad, sent, connections;
    std::uint32_t iss, snd_nxt, irs, rcv_nxt;
    std::uint32_t grow, wc;
    std::uint16_t sport;
    bool started;          // the first connection was drawn
    bool connected;        // a SYN-ACK for it came back
    bool reset;            // the peer sent RST: a new connection at the next tick
    std::uint8_t written;  // the active handler: 0 not written (ACTIVE decides), 1 false, 2 true
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool active(const Config& c, const State& s) { return s.written ? s.written == 2 : c.active; }
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }

  // A new connection (Click's restart): its port and initial sequence number are the next draws
  // of the worker's generator.
  static void restart(const Config& c, State& s, std::uint32_t worker) {
    if (!s.started) s.rng = tcp_client::seeded(c.seed, worker);
    s.started = true;
    const std::uint64_t r = tcp_client::draw(s.rng);
    s.iss = static_cast<std::uint32_t>(r) & 0x0fffffff;
    s.sport = static_cast<std::uint16_t>(1024 + (r >> 32) % 60000);
    s.snd_nxt = s.iss;
    s.irs = s.rcv_nxt = 0;
    s.connected = s.reset = false;
    s.grow = s.wc = 0;
    ++s.connections;
  }

  // The next segment (Click's tcp_output): before the SYN-ACK a SYN at the initial sequence
  // number; after it an ACK of the peer's SYN carrying one zero byte, at a sequence number that
  // walks 4096 bytes past the next one; every fourth with half the window.
  static std::uint32_t segment(const Config& c, State& s, std::uint8_t* seg) {
    const std::uint32_t len = s.connected ? 21 : 20;
    const std::uint16_t window = s.wc++ > 2 ? 30 * 1024 : 60 * 1024;
    if (window == 30 * 1024) s.wc = 0;
    if (s.connected)
      tcp_client::tcp_header(seg, s.sport, c.dport, s.snd_nxt + 1 + static_cast<std::uint32_t>(s.sent & 0xfff),
                             s.rcv_nxt, TCPView::kACK, window);
    else
      tcp_client::tcp_header(seg, s.sport, c.dport, s.snd_nxt, 0, TCPView::kSYN, window);
    seg[20] = 0;
    ++s.sent;
    return len;
  }

  // The clock: a segment every INTERVAL (Click: every second), a new connection first if the
  // peer reset the last one.
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    if (max == 0 || !active(config, state)) return 0;
    const std::uint64_t hz = ctx.cycles_per_second();
    if (hz == 0) return 0;
    const std::uint64_t now = ctx.now_cycles();
    const std::uint64_t interval = config.interval_us * (hz / 1000000) + config.interval_us * (hz % 1000000) / 1000000;
    const HostServices* host = ctx.host();
    const std::uint32_t worker = host ? host->worker : 0;
    if (!state.started) restart(config, state, worker);
    if (state.next == 0) {
      state.next = now + interval;
      return 0;
    }
    if (now < state.next) return 0;
    state.next = now + interval;
    if (state.reset) restart(config, state, worker);
    std::uint8_t seg[24];
    const std::uint32_t len = segment(config, state, seg);
    rte_mbuf* m = tcp_client::fresh(ctx, seg, len);
    if (!m) return 0;
    out[0] = m;
    return 1;
  }

  // A packet from the peer, its TCP header at the data start (Click's ToyTCP after Strip): the
  // state follows it, and the packet itself carries the answer; every sixth also sends one more.
  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (!state.started) restart(config, state, ctx.worker());
    if (state.reset) {
      ctx.drop(std::move(p), kDrops["reset"]);
      return;
    }
    {
      const TCPView th = p.tcp(0);
      if (th && th.src_port() == config.dport && th.dst_port() == state.sport) {
        const std::uint8_t flags = th.flags();
        if ((flags & (TCPView::kACK | TCPView::kRST)) == TCPView::kACK && th.ack() == state.iss + 1 &&
            !state.connected) {
          state.snd_nxt = state.iss + 1;
          state.irs = th.seq();
          state.rcv_nxt = state.irs + 1;
          state.connected = true;
          ctx.log(&state, "connected");
        }
        if (flags & TCPView::kRST) {
          ++state.bad;
          state.reset = true;
          ctx.log(&state, "RST from the peer: a new connection at the next tick");
        } else {
          ++state.good;
        }
      }
    }
    // The packet becomes the segment (Click's take/put on the packet it reuses); the second
    // one, when due, overwrites it after a copy of the first left.
    std::uint8_t seg[24];
    const std::uint32_t len = segment(config, state, seg);
    if (p.length() > len) p.truncate(len);
    if ((p.length() < len && !p.put(len - p.length())) || !p.write(0, seg, len)) {
      ctx.drop(std::move(p), kDrops["no room"]);
      return;
    }
    p.clear_network_offset();  // a TCP header now, for IPEncap to put one before
    if (state.grow++ > 4) {
      state.grow = 0;
      ctx.send_copy(0, p);
      p.write(0, seg, segment(config, state, seg));
    }
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

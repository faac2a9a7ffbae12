// WebGen: opens HTTP/1.0 connections to DST at RATE a second, each from a random address in
// PREFIX, asks for one page and closes (Click's WebGen, a load generator for web servers).
#pragma once

#include "tcp_client.hpp"

#include <nb/element.hpp>
#include <nb/flow_hash.hpp>
#include <nb/headers.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct WebGen {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "not an IPv4 TCP segment whose headers fit in the packet and its IP length"},
      {"reset", "an RST for one of its connections, which it then forgets"},
      {"stray reset", "an RST for no connection of its own (an RST is never answered)"},
      {"absorbed", "a segment of one of its connections that needs no answer"},
      {"no room", "its buffer cannot hold the segment that would answer it"},
  });

  static constexpr std::uint16_t kHttpPort = 80;
  static constexpr std::uint64_t kMaxRate = 100000;
  static constexpr std::uint32_t kResendMax = 5;  // Click's: retransmit at most 5 times, a second apart
  static constexpr std::uint8_t kTTL = 250;
  static constexpr std::uint16_t kWindow = 60 * 1024;

  struct Config {
    std::uint32_t prefix, mask, dst;  // host order
    std::uint64_t rate;               // connections a second
    std::uint64_t interval_us;        // between two connections (Click's start_interval)
    std::uint32_t ncbs;               // control blocks: Click's 2 * (1 s / interval) * 5
    std::uint32_t nbuckets;           // hash buckets, a power of two
    std::uint64_t seed;
    std::int64_t limit;  // -1: no limit
  };

  // One connection (Click's CB). Indices link it: into its hash chain (or the free list), and
  // into the retransmission list, oldest send first, whose sentinel is cbs[ncbs].
  struct CB {
    std::uint32_t src;
    std::uint32_t iss, snd_una, snd_nxt, irs, rcv_nxt;
    std::uint64_t last_send;  // TSC
    std::int32_t hnext, rnext, rprev;
    std::uint16_t sport;
    std::uint8_t dir, c, file;  // the page: /spec/DIR/DIR-C-FILE
    std::uint8_t resends;
    bool connected, got_fin, sent_fin, closed, do_send, in_rexmit;
  };

  struct State {
    CB* cbs;             // ncbs + 1 (setup)
    std::int32_t* hash;  // nbuckets heads (setup)
    std::int32_t free;   // head of the free list (-1: none)
    std::uint64_t rng;
    std::uint64_t start;  // TSC of the last connection started on schedule (Click's start_tv)
    std::uint64_t initiated, completed, timeouts, resets, no_cb, rsts_sent, sent;
    std::uint16_t id;
    bool started;
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNetworkOffset; }

  static std::uint64_t cycles(std::uint64_t us, std::uint64_t hz) {
    return us * (hz / 1000000) + us * (hz % 1000000) / 1000000;
  }

  static std::uint32_t bucket(const Config& c, std::uint32_t src, std::uint16_t sport) {
    return static_cast<std::uint32_t>(((std::uint64_t{src} << 16 | sport) * 0x9e3779b97f4a7c15ull) >> 40) &
           (c.nbuckets - 1);
  }
  static std::int32_t find(const Config& c, const State& s, std::uint32_t src, std::uint16_t sport,
                           std::uint16_t dport) {
    if (dport != kHttpPort) return -1;
    for (std::int32_t i = s.hash[bucket(c, src, sport)]; i >= 0; i = s.cbs[i].hnext)
      if (s.cbs[i].src == src && s.cbs[i].sport == sport) return i;
    return -1;
  }
  static void rexmit_unlink(State& s, std::int32_t i) {
    CB& cb = s.cbs[i];
    if (!cb.in_rexmit) return;
    s.cbs[cb.rnext].rprev = cb.rprev;
    s.cbs[cb.rprev].rnext = cb.rnext;
    cb.in_rexmit = false;
  }
  // Sent now: to the tail of the retransmission list.
  static void rexmit_update(const Config& c, State& s, std::int32_t i, std::uint64_t now) {
    rexmit_unlink(s, i);
    const auto tail = static_cast<std::int32_t>(c.ncbs);
    CB& cb = s.cbs[i];
    cb.last_send = now;
    cb.rnext = tail;
    cb.rprev = s.cbs[tail].rprev;
    s.cbs[cb.rprev].rnext = i;
    s.cbs[tail].rprev = i;
    cb.in_rexmit = true;
  }
  // Forgets a connection (Click's recycle): out of its chain and the list, onto the free list.
  static void recycle(const Config& c, State& s, std::int32_t i) {
    rexmit_unlink(s, i);
    CB& cb = s.cbs[i];
    std::int32_t* link = &s.hash[bucket(c, cb.src, cb.sport)];
    while (*link >= 0 && *link != i) link = &s.cbs[*link].hnext;
    if (*link == i) *link = cb.hnext;
    cb.hnext = s.free;
    s.free = i;
  }

  // A new connection from a random address of PREFIX (Click's pick_src and CB::reset): the
  // address, port, initial sequence number and page are the next two draws of the worker's
  // generator (more when several workers make its port hash to this one).
  static void open(const Config& c, State& s, std::int32_t i, std::uint32_t worker, std::uint32_t nworkers) {
    CB& cb = s.cbs[i];
    std::uint64_t r = tcp_client::draw(s.rng);
    cb.src = (static_cast<std::uint32_t>(r) & ~c.mask) | (c.prefix & c.mask);
    cb.iss = static_cast<std::uint32_t>(r >> 32) & 0x0fffffff;
    r = tcp_client::draw(s.rng);
    cb.sport = static_cast<std::uint16_t>(1024 + static_cast<std::uint32_t>(r) % 60000);
    cb.dir = static_cast<std::uint8_t>((r >> 32) % 10);
    cb.c = static_cast<std::uint8_t>((r >> 40) % 3);
    cb.file = static_cast<std::uint8_t>((r >> 48) % 9);
    // The replies must reach this worker (nb/flow_hash.hpp), where the connection lives.
    for (int tries = 0; nworkers > 1 && tries < 256 &&
                        worker_of_hash(flow_hash_v4(cb.src, c.dst, cb.sport, kHttpPort), nworkers) != worker;
         ++tries)
      cb.sport = static_cast<std::uint16_t>(1024 + static_cast<std::uint32_t>(tcp_client::draw(s.rng)) % 60000);
    cb.snd_nxt = cb.snd_una = cb.iss;
    cb.irs = cb.rcv_nxt = 0;
    cb.resends = 0;
    cb.connected = cb.got_fin = cb.sent_fin = cb.closed = cb.do_send = false;
    std::int32_t& head = s.hash[bucket(c, cb.src, cb.sport)];
    cb.hnext = head;
    head = i;
  }

  static std::uint32_t request(const CB& cb, std::uint8_t* out) {
    static constexpr char kHead[] = "GET /spec/";
    static constexpr char kTail[] = " HTTP/1.0\r\n\r\n";
    std::uint32_t n = 0;
    for (const char* p = kHead; *p; ++p) out[n++] = static_cast<std::uint8_t>(*p);
    const char page[] = {static_cast<char>('0' + cb.dir), '/', static_cast<char>('0' + cb.dir), '-',
                         static_cast<char>('0' + cb.c),   '-', static_cast<char>('0' + cb.file)};
    for (char ch : page) out[n++] = static_cast<std::uint8_t>(ch);
    for (const char* p = kTail; *p; ++p) out[n++] = static_cast<std::uint8_t>(*p);
    return n;
  }

  // The segment a connection sends now (Click's tcp_send), in `seg` (IP header first); 0 when
  // it has nothing to say. Until the SYN-ACK: the SYN. Then, until it is acknowledged, the
  // request with FIN (from the first byte again each time); then ACKs of what came, FIN with
  // them once the server's FIN came.
  static std::uint32_t compose(const Config& c, State& s, std::int32_t i, std::uint64_t now, std::uint8_t* seg) {
    CB& cb = s.cbs[i];
    std::uint32_t paylen = 0, seq;
    std::uint8_t payload[48];
    if (cb.connected && cb.snd_una - cb.iss - 1 < request(cb, payload)) {
      paylen = request(cb, payload);
      seq = cb.iss + 1;
      cb.snd_nxt = seq + paylen;
    } else {
      seq = cb.snd_nxt + (cb.sent_fin ? 1 : 0);
    }
    rexmit_update(c, s, i, now);
    if (cb.connected && !cb.do_send && paylen == 0) return 0;
    cb.do_send = false;
    std::uint8_t flags = TCPView::kSYN;
    std::uint32_t ack = 0;
    if (cb.connected) {
      flags = TCPView::kACK;
      if (paylen) flags |= TCPView::kPSH | TCPView::kFIN;
      if (cb.got_fin) flags |= TCPView::kFIN;
      ack = cb.rcv_nxt;
    }
    if (flags & TCPView::kFIN) cb.sent_fin = true;
    if (cb.sent_fin && cb.got_fin && !cb.closed) {
      cb.closed = true;
      ++s.completed;
    }
    const std::uint32_t len = 40 + paylen;
    tcp_client::tcp_header(seg + 20, cb.sport, kHttpPort, seq, ack, flags, kWindow);
    std::memcpy(seg + 40, payload, paylen);
    tcp_client::ip_tcp_finish(seg, len, cb.src, c.dst, s.id++, kTTL);
    ++s.sent;
    return len;
  }

  // The clock: a new connection every 1/RATE second (Click's run_timer, which catches up when
  // it was late), then the retransmissions due: a connection a second without sending resends,
  // the seventh time it times out instead.
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    const std::uint64_t hz = ctx.cycles_per_second();
    if (!state.cbs || max == 0 || hz == 0) return 0;
    const std::uint64_t now = ctx.now_cycles();
    const HostServices* host = ctx.host();
    const std::uint32_t worker = host ? host->worker : 0, nworkers = host ? host->nworkers : 1;
    if (!state.started) {
      state.started = true;
      state.rng = tcp_client::seeded(config.seed, worker);
      state.start = now;
      return 0;
    }
    std::uint32_t n = 0;
    std::uint8_t seg[96];
    const std::uint64_t interval = cycles(config.interval_us, hz);
    while (n < max && now - state.start > interval) {
      if (config.limit >= 0 && state.initiated >= static_cast<std::uint64_t>(config.limit)) {
        state.start = now;
        break;
      }
      state.start += interval;
      const std::int32_t i = state.free;
      if (i < 0) {
        ++state.no_cb;
        continue;
      }
      state.free = state.cbs[i].hnext;
      open(config, state, i, worker, nworkers);
      ++state.initiated;
      emit(config, state, ctx, compose(config, state, i, now, seg), seg, out, n);
    }
    const auto sentinel = static_cast<std::int32_t>(config.ncbs);
    const std::int32_t last = state.cbs[sentinel].rprev;
    const std::uint64_t resend = hz;
    while (n < max && last != sentinel) {
      const std::int32_t i = state.cbs[sentinel].rnext;
      if (i == sentinel || now - state.cbs[i].last_send <= resend) break;
      if (state.cbs[i].resends++ > kResendMax) {
        ++state.timeouts;
        recycle(config, state, i);
      } else {
        emit(config, state, ctx, compose(config, state, i, now, seg), seg, out, n);
      }
      if (i == last) break;
    }
    return n;
  }

  static void emit(const Config& c, State&, PullContext& ctx, std::uint32_t len, const std::uint8_t* seg,
                   rte_mbuf** out, std::uint32_t& n) {
    if (len == 0) return;
    rte_mbuf* m = tcp_client::fresh(ctx, seg, len);
    if (!m) return;  // the retransmission timer sends it again
    PacketAnno* a = anno_of(m);
    a->network_offset = 0;
    a->dst_ip = c.dst;
    out[n++] = m;
  }

  // The server's segments, the IP header at the network offset (the data start after Strip):
  // each moves its connection on and carries the answer, if one is due (Click's tcp_input); one
  // for no connection of its own is answered with RST.
  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint32_t src = 0, dst = 0, seq = 0, ack = 0, dlen = 0;
    std::uint16_t sport = 0, dport = 0;
    std::uint8_t flags = 0;
    bool ok = false;
    const std::uint32_t off = p.network_offset();
    {
      const IPv4View ip = p.ipv4(off);
      if (ip && ip.header_fits() && ip.protocol() == ip_proto::kTCP && ip.total_length() >= ip.header_length() &&
          ip.total_length() <= p.length() - off) {
        const TCPView th = p.tcp(off + ip.header_length());
        if (th && th.header_length() >= 20 && ip.header_length() + th.header_length() <= ip.total_length()) {
          ok = true;
          src = ip.src();
          dst = ip.dst();
          sport = th.src_port();
          dport = th.dst_port();
          seq = th.seq();
          ack = th.ack();
          flags = th.flags();
          dlen = ip.total_length() - ip.header_length() - th.header_length();
        }
      }
    }
    if (!ok || !state.cbs) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    std::uint8_t seg[96];
    const std::int32_t i = find(config, state, dst, dport, sport);
    if (i < 0) {
      if (flags & TCPView::kRST) {
        ctx.drop(std::move(p), kDrops["stray reset"]);
        return;
      }
      tcp_client::tcp_header(seg + 20, dport, sport, ack, seq, TCPView::kRST, kWindow);
      tcp_client::ip_tcp_finish(seg, 40, dst, src, state.id++, kTTL);
      ++state.rsts_sent;
      answer(std::move(p), ctx, seg, 40, src);
      return;
    }
    CB& cb = state.cbs[i];
    if ((flags & (TCPView::kACK | TCPView::kRST)) == TCPView::kACK && ack == cb.iss + 1 && !cb.connected) {
      cb.snd_nxt = cb.snd_una = cb.iss + 1;
      cb.irs = seq;
      cb.rcv_nxt = seq + 1;
      cb.connected = true;
      cb.do_send = true;
    } else if (dlen > 0) {
      cb.do_send = true;
      if (seq + dlen > cb.rcv_nxt) cb.rcv_nxt = seq + dlen;
    }
    if ((flags & TCPView::kACK) && ack > cb.snd_una) cb.snd_una = ack;
    if ((flags & TCPView::kFIN) && seq + dlen == cb.rcv_nxt && !cb.got_fin) {
      cb.got_fin = true;
      cb.rcv_nxt += 1;
      cb.do_send = true;
    }
    if (flags & TCPView::kRST) {
      recycle(config, state, i);
      ++state.resets;
      ctx.drop(std::move(p), kDrops["reset"]);
      return;
    }
    const std::uint64_t now = ctx.now_cycles();
    const std::uint32_t len = compose(config, state, i, now, seg);
    if (cb.closed) recycle(config, state, i);
    if (len == 0) {
      ctx.drop(std::move(p), kDrops["absorbed"]);
      return;
    }
    answer(std::move(p), ctx, seg, len, config.dst);
  }

  static void answer(Packet&& p NB_OWNED, Context& ctx, const std::uint8_t* seg, std::uint32_t len, std::uint32_t dst) {
    const std::uint32_t off = p.network_offset();
    if (off) p.pull(off);
    if (p.length() > len) p.truncate(len);
    if ((p.length() < len && !p.put(len - p.length())) || !p.write(0, seg, len)) {
      ctx.drop(std::move(p), kDrops["no room"]);
      return;
    }
    p.set_network_offset(0);
    p.anno().dst_ip = dst;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

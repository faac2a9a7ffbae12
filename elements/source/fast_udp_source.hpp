// FastUDPSource: makes copies of one Ethernet/IPv4/UDP packet at RATE a second (Click's
// FastUDPSource, a benchmark tool).
#pragma once

#include "../queue/token_bucket.hpp"
#include "packet_source.hpp"

#include <nb/element.hpp>
#include <nb/headers.hpp>

#include <rte_mbuf.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace nb::elements {

struct FastUDPSource {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    std::uint8_t frame[packet_source::kMaxData];  // the packet, ports as SPORT and DPORT
    std::uint32_t len;
    std::uint16_t sport, dport;
    std::uint32_t sum_without_ports;  // the UDP checksum's word sum, ports left out
    std::uint32_t dst_ip;             // host order: the packet's destination annotation
    bool checksum;
    bool rated;  // RATE is not 0
    bool active;
    bool stop;
    std::int64_t limit;      // -1: no limit
    std::uint64_t interval;  // packets between two port steps (0: never)
    token_bucket::Config rate;
  };
  struct State {
    std::uint64_t count;   // packets made
    std::uint16_t step;    // how far the ports moved (INTERVAL)
    std::uint8_t written;  // the active handler: 0 not written (ACTIVE decides), 1 false, 2 true
    bool stopped;
    token_bucket::State bucket;
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }

  static bool active(const Config& c, const State& s) { return s.written ? s.written == 2 : c.active; }

  static void make_one(const Config& c, const State& s, rte_mbuf* m, std::uint8_t* p) {
    std::memcpy(p, c.frame, c.len);
    if (s.step != 0) {
      // Both ports moved by `step`: the checksum follows from the sum without them.
      const auto sport = static_cast<std::uint16_t>(c.sport + s.step),
                 dport = static_cast<std::uint16_t>(c.dport + s.step);
      p[34] = static_cast<std::uint8_t>(sport >> 8);
      p[35] = static_cast<std::uint8_t>(sport);
      p[36] = static_cast<std::uint8_t>(dport >> 8);
      p[37] = static_cast<std::uint8_t>(dport);
      std::uint16_t sum = 0;
      if (c.checksum) {
        sum = checksum::finish(c.sum_without_ports + sport + dport);
        if (sum == 0) sum = 0xffff;
      }
      p[40] = static_cast<std::uint8_t>(sum >> 8);
      p[41] = static_cast<std::uint8_t>(sum);
    }
    PacketAnno& a = *anno_of(m);
    a.network_offset = 14;
    a.dst_ip = c.dst_ip;
  }

  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    if (!active(config, state)) return 0;
    std::uint32_t want = max;
    if (config.rated) {
      const std::uint64_t units = token_bucket::refill(config.rate, state.bucket, ctx);
      if (units < want) want = static_cast<std::uint32_t>(units);
    }
    if (config.limit >= 0) {
      const std::uint64_t left =
          state.count >= static_cast<std::uint64_t>(config.limit) ? 0 : config.limit - state.count;
      if (left < want) want = static_cast<std::uint32_t>(left);
      if (left == 0 && config.stop && !state.stopped) {
        state.stopped = true;
        ctx.stop_router();
      }
    }
    std::uint32_t n = 0;
    for (; n < want; ++n) {
      rte_mbuf* m = ctx.new_packet();
      if (!m) break;
      auto* p = reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(m, static_cast<std::uint16_t>(config.len)));
      if (!p) {
        rte_pktmbuf_free(m);
        break;
      }
      make_one(config, state, m, p);
      out[n] = m;
      ++state.count;
      if (config.interval && state.count % config.interval == 0) ++state.step;
    }
    if (config.rated) token_bucket::spend(state.bucket, ctx, n);
    return n;
  }
};

}  // namespace nb::elements

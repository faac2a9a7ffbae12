// What RatedUnqueue, BandwidthRatedUnqueue, Shaper and BandwidthShaper share: they pull from
// their input no faster than RATE, packets per second or (Bytes) bytes per second.
#pragma once

#include "token_bucket.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

template <bool Bytes>
struct RateLimit {
  static constexpr StateScope kStateScope = StateScope::PerWorker;  // each worker its own RATE

  using Config = token_bucket::Config;
  struct State {
    token_bucket::State bucket;
    std::uint64_t count;  // packets pulled through
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    return token_bucket::configure(args, config, error);
  }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.reads_packet = false;
  }

  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    std::uint64_t units = token_bucket::refill(config, state.bucket, ctx);
    std::uint32_t n = 0;
    if constexpr (Bytes) {
      // A packet's size is known once it is out: take one at a time while there is credit; the
      // last may leave a debt, which the next refill pays first.
      while (n < max && units > 0 && ctx.pull(0, out + n, 1) == 1) {
        const std::uint64_t len = out[n]->pkt_len;
        token_bucket::spend(state.bucket, ctx, len);
        units = units > len ? units - len : 0;
        ++n;
      }
    } else {
      const std::uint32_t want = units < max ? static_cast<std::uint32_t>(units) : max;
      n = want ? ctx.pull(0, out, want) : 0;
      token_bucket::spend(state.bucket, ctx, n);
    }
    state.count += n;
    return n;
  }
};

// RATE and BURST, in the unit each element's doc names.
#define NB_RATE_PARAMS(unit, burst_default, burst_doc)                                                      \
  {"RATE", ParamType::Unsigned, ParamKind::Positional, true, "", "The most " unit " per second it lets through.", \
   1, 1000000000000ull},                                                                                   \
  {                                                                                                        \
    "BURST", ParamType::Unsigned, ParamKind::Keyword, false, burst_default, burst_doc, 1, 1000000000ull     \
  }

// The Bandwidth forms: RATE in Click's bandwidth units, read in bytes a second.
#define NB_BANDWIDTH_PARAMS(burst_default, burst_doc)                                                        \
  {"RATE", ParamType::Bandwidth, ParamKind::Positional, true, "",                                           \
   "The most bytes a second it lets through, in Click's units: 1Mbps, 131072B/s, 10kBps (a plain number is " \
   "bytes a second).",                                                                                      \
   1, 1000000000000ull},                                                                                    \
  {                                                                                                         \
    "BURST", ParamType::Unsigned, ParamKind::Keyword, false, burst_default, burst_doc, 1, 1000000000ull      \
  }

}  // namespace nb::elements

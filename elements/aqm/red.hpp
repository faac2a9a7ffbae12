// RED: drops packets early, with a probability that grows with the average length of the queues
// it feeds (Click's RED: Random Early Detection, Floyd and Jacobson 1993).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct RED {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;  // each worker its own queues

  static constexpr auto kDrops = drop_reasons({
      {"early", "marked by RED (the average queue length over MIN_THRESH) and output 1 not connected"},
  });

  // Lengths are averaged in fixed point, 10 bits of fraction; probabilities are 16-bit fractions
  // (0x10000 is 1), as in Click.
  static constexpr unsigned kScale = 10;
  static constexpr std::uint32_t kOne = 0x10000;

  struct Config {
    std::uint32_t min_thresh, max_thresh, kill_thresh;
    std::uint32_t max_p;  // 16-bit fraction
    std::uint32_t stability;
    bool gentle;
  };
  struct State {
    std::int64_t avg;         // the average queue length, scaled by 2^kScale
    std::int32_t since_mark;  // packets since the last mark (-1: under MIN_THRESH)
    std::uint32_t random;     // a 16-bit draw, renewed after each mark
    std::uint64_t rng;        // xorshift64 state (0: not seeded yet)
    std::uint64_t idle_tick;  // the 20 ms tick when the queue was last seen empty (0: not empty)
    std::uint64_t marked;     // packets marked (dropped, or sent out of output 1)
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.reads_packet = false;
    sheet.keeps_headroom = true;
  }

  static std::uint32_t draw(State& s) {
    if (s.rng == 0) s.rng = 0x9e3779b97f4a7c15ull;  // a fixed seed: every run, and engine, alike
    s.rng ^= s.rng << 13;
    s.rng ^= s.rng >> 7;
    s.rng ^= s.rng << 17;
    return static_cast<std::uint32_t>(s.rng >> 32) & 0xffff;
  }

  // The average's step towards `length`, `times` times over (an idle queue decays the average
  // once per 20 ms tick it stayed empty, as Click's does per jiffy group).
  static void average(const Config& c, State& s, std::uint64_t length, std::uint64_t times) {
    const std::int64_t target = static_cast<std::int64_t>(length << kScale);
    if (c.stability == 0) {
      s.avg = target;
      return;
    }
    for (std::uint64_t k = 0; k < times && k < 64u * c.stability; ++k) s.avg += (target - s.avg) >> c.stability;
  }

  // Whether the packet now arriving (pushed, or pulled through) is marked.
  static bool mark(const Config& c, State& s, std::uint64_t length, std::uint64_t now_cycles, std::uint64_t hz) {
    if (c.stability == 0 || length != 0) {
      average(c, s, length, 1);
      s.idle_tick = 0;
    } else {
      const std::uint64_t tick = hz >= 50 ? now_cycles / (hz / 50) + 1 : 1;
      average(c, s, 0, s.idle_tick && tick > s.idle_tick ? tick - s.idle_tick : 1);
      s.idle_tick = tick;
    }
    const std::int64_t avg = (s.avg + (std::int64_t{1} << (kScale - 1))) >> kScale;
    if (avg <= static_cast<std::int64_t>(c.min_thresh)) {
      s.since_mark = -1;
      return false;
    }
    if (avg > static_cast<std::int64_t>(c.kill_thresh)) {
      s.since_mark = -1;
      return true;
    }
    // The probability (16-bit fraction), linear from 0 at MIN_THRESH to MAX_P at MAX_THRESH, and
    // (gentle) from MAX_P there to 1 at twice MAX_THRESH; on the scaled average, as in Click.
    std::int64_t p;
    if (avg <= static_cast<std::int64_t>(c.max_thresh)) {
      if (c.max_thresh <= c.min_thresh)
        p = kOne;
      else
        p = (static_cast<std::int64_t>(c.max_p) * (s.avg - (std::int64_t{c.min_thresh} << kScale))) /
            ((std::int64_t{c.max_thresh} - c.min_thresh) << kScale);
    } else {
      p = c.max_p + (static_cast<std::int64_t>(kOne - c.max_p) * (s.avg - (std::int64_t{c.max_thresh} << kScale))) /
                        (std::int64_t{c.max_thresh} << kScale);
    }
    ++s.since_mark;
    // Marks spread evenly: the chance grows with the packets since the last mark (p / (1 - n p)).
    if (s.since_mark > 0 && p > 0 && s.since_mark > static_cast<std::int64_t>(s.random) / p) {
      s.since_mark = 0;
      s.random = draw(s);
      return true;
    }
    if (s.since_mark == 0) s.random = draw(s);
    return false;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    if (!mark(config, state, ctx.watched_length(), ctx.now_cycles(), ctx.cycles_per_second())) {
      ctx.send(0, std::move(p));
      return;
    }
    ++state.marked;
    if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["early"]);
  }

  // Pulled: the queues are before it; a marked packet is dropped (or a copy pushed out of output
  // 1, as a pull side cannot give its own packet away elsewhere) and the next one pulled.
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    const HostServices* host = ctx.host();
    std::uint32_t n = 0;
    while (n < max) {
      rte_mbuf* m = nullptr;
      if (ctx.pull(0, &m, 1) != 1) break;
      const std::uint64_t length = host && host->watched_length ? host->watched_length(host->runtime) : 0;
      if (!mark(config, state, length, ctx.now_cycles(), ctx.cycles_per_second())) {
        out[n++] = m;
        continue;
      }
      ++state.marked;
      if (ctx.noutputs() > 1) ctx.push_copy(1, m);
      ctx.drop(m, kDrops["early"]);
    }
    return n;
  }
};

}  // namespace nb::elements

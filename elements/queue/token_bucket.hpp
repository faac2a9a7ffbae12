// The rate behind RatedUnqueue, Shaper and their Bandwidth forms: a token bucket on the worker's
// TSC clock, in whole units (packets or bytes) scaled by the clock's rate, so that no fraction
// of a token is ever lost between two calls.
#pragma once

#include <nb/element.hpp>

#include <cstdint>

namespace nb::elements::token_bucket {

struct Config {
  std::uint64_t rate;   // units per second
  std::uint64_t depth;  // the most units it saves up while nothing is asked of it
};

struct State {
  std::uint64_t last;   // TSC of the last refill (0: never)
  std::int64_t credit;  // units x cycles_per_second; negative: a byte debt (Bandwidth forms)
};

// Brings the credit up to now; returns whole units available (0 when in debt).
inline std::uint64_t refill(const Config& c, State& s, const PullContext& ctx) {
  const std::uint64_t now = ctx.now_cycles(), hz = ctx.cycles_per_second();
  const std::int64_t cap = static_cast<std::int64_t>(c.depth * hz);
  if (s.last == 0) {
    s.last = now;
    s.credit = static_cast<std::int64_t>(hz);  // one unit to start with
  }
  std::uint64_t elapsed = now - s.last;
  s.last = now;
  if (elapsed > hz) elapsed = hz;  // a second's worth fills any bucket, and keeps the product in range
  s.credit += static_cast<std::int64_t>(elapsed * c.rate);
  if (s.credit > cap) s.credit = cap;
  return s.credit > 0 ? static_cast<std::uint64_t>(s.credit) / hz : 0;
}

inline void spend(State& s, const PullContext& ctx, std::uint64_t units) {
  s.credit -= static_cast<std::int64_t>(units * ctx.cycles_per_second());
}

// Shared parameters: RATE (units per second) and BURST (the bucket's depth).
inline bool configure(const Args& args, Config& c, std::string& error) {
  c.rate = args.get_unsigned("RATE");
  c.depth = args.get_unsigned("BURST");
  if (c.depth == 0) {
    error = "BURST must be at least 1";
    return false;
  }
  return true;
}

}  // namespace nb::elements::token_bucket

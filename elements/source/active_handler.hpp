// The read/write `active` handler of a source that can be paused while the graph runs: its State
// has `written` (0: not written, ACTIVE decides; 1: false; 2: true) and its class a static
// active(Config, State). With several workers, one answer when they agree, else one line each.
#pragma once

#include <nb/element.hpp>

#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

template <class E>
struct ActiveHandler {
  using Config = typename E::Config;
  using State = typename E::State;

  static void read(const Config& c, const State& s, std::string& out) { out = E::active(c, s) ? "true" : "false"; }
  static void read_workers(const Config& c, std::span<const State* const> states, std::string& out) {
    bool same = true;
    for (const State* s : states) same &= E::active(c, *s) == E::active(c, *states[0]);
    if (same) {
      if (!states.empty()) read(c, *states[0], out);
      return;
    }
    for (std::size_t w = 0; w < states.size(); ++w)
      out += "worker " + std::to_string(w) + ": " + (E::active(c, *states[w]) ? "true" : "false") + "\n";
  }
  static bool write(const Config&, State& s, std::string_view value, std::string& error) {
    bool on = false;
    if (!parse_handler_bool(value, on)) {
      error = "expected true or false, not '" + std::string(value) + "'";
      return false;
    }
    s.written = on ? 2 : 1;
    return true;
  }
  // `doc` says what it switches, e.g. "read/write: whether it sends pings (true/false)".
  static constexpr HandlerSpec spec(std::string_view doc) {
    return handler<E, &read, &write, &read_workers>("active", doc);
  }
};

}  // namespace nb::elements

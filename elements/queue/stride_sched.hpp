// StrideSched: pulls from its inputs by stride scheduling, each its share of tickets (Click's
// StrideSched).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct StrideSched {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr std::uint32_t kMaxInputs = 64;
  // A pass advances by kStride1 / tickets each time its input is tried: more tickets, shorter
  // strides, more turns. Click's constants, so that shares and ties come out as in Click.
  static constexpr std::uint32_t kStride1 = 1u << 16;
  static constexpr std::uint32_t kMaxTickets = 1u << 15;

  struct Config {
    std::uint32_t n;  // inputs (one TICKETS each)
    std::uint32_t tickets[kMaxInputs];
  };
  struct State {
    bool started;
    std::uint32_t tickets[kMaxInputs];  // the tickets handler may change them
    std::uint32_t pass[kMaxInputs];
    // Inputs with tickets, by pass (earliest first; on a tie, the one put back last goes first).
    std::uint8_t order[kMaxInputs];
    std::uint32_t norder;
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  // A hot reload starts from the new TICKETS (the new State starts afresh).
  static void transfer(const Config&, const State&, const Config&, State&) {}
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.reads_packet = false;
  }

  static std::uint32_t stride(std::uint32_t tickets) { return tickets ? kStride1 / tickets : 0; }
  // Wrapping comparison of passes, as passes only grow.
  static bool later(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; }

  // Puts input c into the order after every input whose pass is earlier than its own.
  static void insert(State& s, std::uint8_t c) {
    std::uint32_t k = 0;
    while (k < s.norder && later(s.pass[c], s.pass[s.order[k]])) ++k;
    for (std::uint32_t j = s.norder; j > k; --j) s.order[j] = s.order[j - 1];
    s.order[k] = c;
    ++s.norder;
  }

  static void start(const Config& c, State& s) {
    s.started = true;
    s.norder = 0;
    for (std::uint32_t i = 0; i < c.n; ++i) {
      s.tickets[i] = c.tickets[i];
      s.pass[i] = stride(c.tickets[i]);
    }
    // Backwards, so that input 0 goes first on a tie.
    for (std::uint32_t i = c.n; i-- > 0;)
      if (s.tickets[i]) insert(s, static_cast<std::uint8_t>(i));
  }

  // Sets input i's tickets (the handler): an input that gets its first tickets joins at the pass
  // of the earliest input plus its stride, as in Click.
  static void set_tickets(State& s, std::uint32_t i, std::uint32_t tickets) {
    const std::uint32_t old = s.tickets[i];
    s.tickets[i] = tickets;
    if (tickets == 0 && old != 0) {
      std::uint32_t k = 0;
      while (k < s.norder && s.order[k] != i) ++k;
      for (; k + 1 < s.norder; ++k) s.order[k] = s.order[k + 1];
      if (s.norder) --s.norder;
    } else if (tickets != 0 && old == 0) {
      s.pass[i] = s.norder ? s.pass[s.order[0]] + stride(tickets) : 0;
      insert(s, static_cast<std::uint8_t>(i));
    }
  }

  // One packet, Click's way: the inputs in pass order until one gives a packet, each tried one
  // stepping its pass by its stride; the inputs tried go back into the order by their new pass.
  static std::uint32_t pull_one(State& s, PullContext& ctx, rte_mbuf** out) {
    std::uint32_t tried = 0, got = 0;
    while (tried < s.norder && got == 0) {
      const std::uint8_t c = s.order[tried++];
      got = ctx.pull(c, out, 1);
      s.pass[c] += stride(s.tickets[c]);
    }
    std::uint8_t stridden[kMaxInputs];
    for (std::uint32_t k = 0; k < tried; ++k) stridden[k] = s.order[k];
    for (std::uint32_t k = tried; k < s.norder; ++k) s.order[k - tried] = s.order[k];
    s.norder -= tried;
    for (std::uint32_t k = 0; k < tried; ++k) insert(s, stridden[k]);
    return got;
  }

  // Up to `max` packets, one scheduling decision each; stops at a round that gives nothing.
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    if (!state.started) start(config, state);
    std::uint32_t n = 0;
    while (n < max && pull_one(state, ctx, out + n) == 1) ++n;
    return n;
  }
};

}  // namespace nb::elements

// Tee: duplicates packets.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Tee {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // One push may emit at most kMaxEmits packets.
  static constexpr std::uint32_t kMaxOutputs = kMaxEmits;
  static constexpr std::uint32_t kMaxEmitsPerPush = kMaxEmits;

  struct Config {
    std::uint32_t noutputs;
  };
  struct State {
    std::uint64_t copies;         // copies sent (one per packet per output but the last)
    std::uint64_t copy_failures;  // copies not made: no free buffer; that output missed the packet
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::uint32_t n = args.noutputs();
    if (n == 0) {
      error = "Tee needs at least one output";
      return false;
    }
    if (n > kMaxOutputs) {
      error = "Tee has " + std::to_string(n) + " outputs; at most " + std::to_string(kMaxOutputs) + " are supported";
      return false;
    }
    if (args.given("N") && args.get_unsigned("N") != n) {
      error = "N is " + std::to_string(args.get_unsigned("N")) + " but Tee has " + std::to_string(n) + " outputs";
      return false;
    }
    config.noutputs = n;
    return true;
  }

  // Copies go to outputs 0..N-2 in order, then the packet itself to output N-1, so the original
  // is the last one out, as in Click.
  // Copies carry the bytes, length and annotations, but not the headroom (a new mbuf's).
  static void facts(const Config&, FactSheet& sheet) {
    sheet.effect = PacketEffect::None;
    sheet.anno_reads = anno_field::kNone;  // copies carry the annotations as they are
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    for (std::uint32_t port = 0; port + 1 < config.noutputs; ++port) {
      const std::uint32_t failures = ctx.copy_failures();
      ctx.send_copy(port, p);
      if (ctx.copy_failures() == failures)
        ++state.copies;
      else
        ++state.copy_failures;
    }
    ctx.send(config.noutputs - 1, std::move(p));
  }
};

}  // namespace nb::elements

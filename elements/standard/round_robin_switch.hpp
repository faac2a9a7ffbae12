// RoundRobinSwitch: sends packets to its outputs in turn.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct RoundRobinSwitch {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    std::uint32_t noutputs;
  };
  struct State {
    std::uint32_t next;  // the output of the next packet
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    if (args.noutputs() == 0) {
      error = "RoundRobinSwitch needs at least one output";
      return false;
    }
    config.noutputs = args.noutputs();
    return true;
  }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    // A State from before a hot reload that removed outputs may point past the last one.
    const std::uint32_t port = state.next < config.noutputs ? state.next : 0;
    state.next = port + 1 == config.noutputs ? 0 : port + 1;
    ctx.send(port, std::move(p));
  }
};

}  // namespace nb::elements

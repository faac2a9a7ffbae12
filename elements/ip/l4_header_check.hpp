// What CheckUDPHeader, CheckTCPHeader and CheckICMPHeader share (Click's three transport-header
// checks): good packets to output 0, bad ones to output 1 or dropped for their reason, a `bad`
// counter and VERBOSE. Each element adds its kDrops table (the "not PROTO" reason first, then
// "bad length" and "bad checksum"), kVerboseText and the check itself:
//   static std::uint32_t check(const Packet& p);  // the reason, or kDrops.size() when good
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

template <typename E>
struct L4HeaderCheck {
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    bool verbose;
  };
  struct State {
    std::uint64_t bad;  // bad packets, dropped or sent to output 1
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.verbose = args.get_bool("VERBOSE");
    return true;
  }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t reason = E::check(p);
    if (reason == E::kDrops.size()) {
      ctx.send(0, std::move(p));
      return;
    }
    ++state.bad;
    if (config.verbose) ctx.log(&state, E::kVerboseText[reason]);
    if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), reason);
  }
};

}  // namespace nb::elements

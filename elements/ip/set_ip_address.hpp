// SetIPAddress: sets the destination IP annotation to a fixed address.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct SetIPAddress {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    std::uint32_t addr;  // host order
  };
  // Starts zeroed: until the addr handler is written, IPADDR decides.
  struct State {
    std::uint32_t written;
    bool overridden;
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.addr = args.get_ipv4("IPADDR");
    return true;
  }

  static std::uint32_t addr(const Config& config, const State& state) {
    return state.overridden ? state.written : config.addr;
  }

  // A hot reload starts from the new IPADDR.
  static void transfer(const Config&, const State&, const Config&, State&) {}

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.anno_sets = anno_field::kDstIP;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    p.anno().dst_ip = addr(config, state);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

// HostEtherFilter: passes what an Ethernet interface of one address would receive.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct HostEtherFilter {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"own", "sent from ETHER itself, with DROP_OWN, and output 1 not connected"},
      {"other host", "unicast to another address, with DROP_OTHER, and output 1 not connected"},
      {"short", "no Ethernet header at OFFSET, and output 1 not connected"},
  });

  struct Config {
    EtherAddress addr;
    std::uint32_t offset;
    bool drop_own;
    bool drop_other;
  };
  // Starts zeroed: until the ether handler is written, ETHER decides.
  struct State {
    EtherAddress written;
    bool overridden;
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.addr = args.get_ether("ETHER");
    config.offset = static_cast<std::uint32_t>(args.get_unsigned("OFFSET"));
    config.drop_own = args.get_bool("DROP_OWN");
    config.drop_other = args.get_bool("DROP_OTHER");
    return true;
  }

  static const EtherAddress& addr(const Config& config, const State& state) {
    return state.overridden ? state.written : config.addr;
  }

  // A hot reload starts from the new ETHER.
  static void transfer(const Config&, const State&, const Config&, State&) {}

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint32_t reason = kDrops["short"];
    bool pass = false;
    {
      const EtherView eth = p.ether(config.offset);
      if (eth) {
        const EtherAddress& me = addr(config, state);
        const EtherAddress dst = eth.dst();
        if (config.drop_own && eth.src() == me)
          reason = kDrops["own"];
        else if (dst == me || (dst[0] & 1) != 0)  // ours, broadcast or multicast
          pass = true;
        else if (config.drop_other)
          reason = kDrops["other host"];
        else
          pass = true;
      }
    }
    if (pass)
      ctx.send(0, std::move(p));
    else if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), reason);
  }
};

}  // namespace nb::elements

// DecIPTTL: decrements IP time-to-live.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct DecIPTTL {
  static const ElementSpec spec;
  // Per worker: `active` is written to every worker's State and read once (read_workers).
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "too short for an IPv4 header at the network offset"},
      {"expired", "TTL 0 or 1 with output 1 not connected"},
  });

  struct Config {
    bool multicast;
    bool active;  // ACTIVE: the `active` handler's value when nbrun starts
  };
  struct State {
    std::uint64_t expired;  // packets whose TTL had run out, dropped or sent to output 1
    bool active = true;     // the `active` handler: when false, packets pass through unchanged
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.multicast = args.get_bool("MULTICAST");
    config.active = args.get_bool("ACTIVE");
    return true;
  }

  // ACTIVE starts the handler's value (State is value-initialised before the Config is known).
  static bool setup(const Config& config, State& state, std::string&) {
    state.active = config.active;
    return true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (!state.active) {
      ctx.send(0, std::move(p));
      return;
    }
    const std::uint32_t offset = p.network_offset();
    const IPv4View ip = p.ipv4(offset);
    if (!ip) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    if (!config.multicast && (ip.dst() >> 28) == 0xe) {  // destination in 224.0.0.0/4
      ctx.send(0, std::move(p));
      return;
    }
    const std::uint8_t ttl = ip.ttl();
    if (ttl <= 1) {
      ++state.expired;
      if (ctx.connected(1))
        ctx.send(1, std::move(p));
      else
        ctx.drop(std::move(p), kDrops["expired"]);
      return;
    }
    ip.set_ttl(static_cast<std::uint8_t>(ttl - 1));
    ip.set_checksum(updated_checksum(ip.checksum()));
    ctx.send(0, std::move(p));
  }

  // The TTL/protocol word goes down by 0x0100 (RFC 1624 eqn. 3 via checksum::adjust16).
  // Only TTL and checksum change, by RFC 1624 (a correct checksum stays correct), at the network
  // annotation; expired, multicast and inactive packets leave unchanged.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::UpdateIPv4;
    sheet.keeps_headroom = true;
  }

  static std::uint16_t updated_checksum(std::uint16_t check) { return checksum::adjust16(check, 0x0100, 0); }
};

}  // namespace nb::elements

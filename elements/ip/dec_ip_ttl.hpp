// DecIPTTL: decrements IP time-to-live.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct DecIPTTL {
  static const ElementSpec spec;

  enum DropReason : std::uint32_t {
    kMalformed = 0,  // too short for an IPv4 header at the network offset
    kExpired,        // TTL 0 or 1 and output 1 not connected
    kNumDropReasons,
  };

  struct Config {
    bool multicast;
  };
  struct State {
    std::uint64_t expired;  // packets whose TTL had run out, dropped or sent to output 1
    bool active = true;     // the `active` handler: when false, packets pass through unchanged
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config = Config{};
    config.multicast = args.get_bool("MULTICAST");
    return true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (!state.active) {
      ctx.send(0, std::move(p));
      return;
    }
    // Click requires a preceding CheckIPHeader; without its annotation the header is at 0.
    const std::uint16_t anno_offset = p.anno().network_offset;
    const std::uint32_t offset = anno_offset == 0xffff ? 0 : anno_offset;
    std::uint8_t h[20];
    if (!p.read(offset, h, sizeof h)) {
      ctx.drop(std::move(p), kMalformed);
      return;
    }
    if (!config.multicast && (h[16] & 0xf0) == 0xe0) {  // destination in 224.0.0.0/4
      ctx.send(0, std::move(p));
      return;
    }
    const std::uint8_t ttl = h[8];
    if (ttl <= 1) {
      ++state.expired;
      if (ctx.connected(1))
        ctx.send(1, std::move(p));
      else
        ctx.drop(std::move(p), kExpired);
      return;
    }
    const std::uint8_t new_ttl = static_cast<std::uint8_t>(ttl - 1);
    p.write(offset + 8, &new_ttl, 1);
    p.write_be16(offset + 10, updated_checksum(static_cast<std::uint16_t>(h[10] << 8 | h[11])));
    ctx.send(0, std::move(p));
  }

  // RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for the TTL/protocol word m going down by 0x0100:
  // ~m + m' = 0xfeff in one's complement arithmetic. Equals a full recomputation, also when the
  // old checksum is 0xffff or the new one 0x0000 (the cases eqn. 2 gets wrong).
  static std::uint16_t updated_checksum(std::uint16_t checksum) {
    std::uint32_t sum = (~std::uint32_t{checksum} & 0xffff) + 0xfeff;
    sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
  }
};

}  // namespace nb::elements

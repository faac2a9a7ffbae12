// EtherMirror: swaps Ethernet source and destination.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct EtherMirror {
  static const ElementSpec spec;

  static constexpr std::uint32_t kEtherHeaderLength = 14;

  enum DropReason : std::uint32_t { kTooShort = 0, kNumDropReasons };

  struct Config {};
  struct State {};

  static bool configure(const Args&, Config& config, std::string&) {
    config = Config{};
    return true;
  }

  static void push(const Config&, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint8_t addrs[12];  // destination, then source
    if (!p.has(0, kEtherHeaderLength) || !p.read(0, addrs, sizeof addrs)) {
      ctx.drop(std::move(p), kTooShort);
      return;
    }
    p.write(0, addrs + 6, 6);
    p.write(6, addrs, 6);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

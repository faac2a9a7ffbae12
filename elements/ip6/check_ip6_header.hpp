// CheckIP6Header: checks IPv6 headers.
#pragma once

#include "ip6_text.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <cstring>
#include <string>

namespace nb::elements {

struct CheckIP6Header {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr std::size_t kMaxBadAddrs = 16;  // ff..ff included
  static constexpr std::uint64_t kMaxOffset = PacketAnno::kNoNetworkOffset - 1;

  static constexpr auto kDrops = drop_reasons({
      {"too short", "fewer than 40 bytes at OFFSET"},
      {"bad version", "version is not 6"},
      {"bad payload length", "the payload length runs past the packet's end"},
      {"bad source", "source address ffff:...:ffff or on the BADADDRS list"},
  });

  struct Config {
    std::uint32_t offset;
    std::uint32_t nbad;
    ip6_text::IP6Address bad[kMaxBadAddrs];
  };
  struct State {
    std::uint64_t bad;  // bad packets, dropped or sent to output 1 (Click's drops handler)
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::uint64_t offset = args.get_unsigned("OFFSET");
    if (offset > kMaxOffset) {
      error = "OFFSET " + std::to_string(offset) + " is too large: at most " + std::to_string(kMaxOffset);
      return false;
    }
    config.offset = static_cast<std::uint32_t>(offset);
    // Click always refuses the all-ones address as a source, whatever BADADDRS says.
    config.bad[0].fill(0xff);
    config.nbad = 1;
    const std::string list = args.get_string("BADADDRS");
    for (std::string_view w : ip6_text::words(list)) {
      ip6_text::IP6Address a{};
      if (!ip6_text::parse_address(w, a)) {  // the validator has said so already
        error = "BADADDRS: '" + std::string(w) + "' is not an IPv6 address";
        return false;
      }
      bool seen = false;
      for (std::uint32_t i = 0; i < config.nbad; ++i) seen = seen || config.bad[i] == a;
      if (seen) continue;
      if (config.nbad == kMaxBadAddrs) {
        error = "BADADDRS lists more than " + std::to_string(kMaxBadAddrs - 1) + " addresses";
        return false;
      }
      config.bad[config.nbad++] = a;
    }
    return true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint32_t payload = 0;
    const std::uint32_t reason = check(config, p, payload);
    if (reason == kDrops.size()) {
      p.truncate(config.offset + 40 + payload);  // Ethernet padding after the datagram
      p.set_network_offset(static_cast<std::uint16_t>(config.offset));
      ctx.send(0, std::move(p));
      return;
    }
    ++state.bad;
    if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), reason);
  }

  // Conservative: the fact language knows no IPv6 header, so it promises nothing about the
  // bytes (trimming changes the length) and sets the network offset on output 0 only.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::Unknown;
    sheet.keeps_headroom = true;
  }

  // The reason p is bad, or kDrops.size() when it is valid (then `payload` is its payload length).
  static std::uint32_t check(const Config& config, const Packet& p NB_PARAM_OWNED, std::uint32_t& payload) {
    const ByteView ip = p.bytes_at(config.offset, 40);
    if (!ip) return kDrops["too short"];
    if ((ip.byte(0) >> 4) != 6) return kDrops["bad version"];
    payload = std::uint32_t{ip.byte(4)} << 8 | ip.byte(5);
    if (payload > p.length() - config.offset - 40) return kDrops["bad payload length"];
    const auto src = ip.bytes(8, 16);
    for (std::uint32_t i = 0; i < config.nbad && i < kMaxBadAddrs; ++i)
      if (std::memcmp(src.data(), config.bad[i].data(), 16) == 0) return kDrops["bad source"];
    return kDrops.size();
  }
};

}  // namespace nb::elements

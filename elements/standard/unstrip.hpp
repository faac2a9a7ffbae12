// Unstrip: puts stripped bytes back on the front of packets.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Unstrip {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // No mbuf has more than 65535 bytes of headroom.
  static constexpr std::uint64_t kMaxLength = 0xffff;

  static constexpr auto kDrops = drop_reasons({
      {"no headroom", "less headroom than the bytes to put back"},
  });

  struct Config {
    std::uint32_t length;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::uint64_t length = args.get_unsigned("LENGTH");
    if (length > kMaxLength) {
      error = "LENGTH " + std::to_string(length) + " is larger than any packet's headroom (at most 65535 bytes)";
      return false;
    }
    config.length = static_cast<std::uint32_t>(length);
    return true;
  }

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;  // the network offset only moves with the data start
    sheet.effect = PacketEffect::MoveStart;
    sheet.move = -static_cast<std::int32_t>(config.length);
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (!p.push(config.length)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

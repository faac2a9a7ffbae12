// Strip: strips bytes from the front of packets.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Strip {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // Packets are at most 65535 bytes long (an mbuf segment's data_len), so is LENGTH.
  static constexpr std::uint64_t kMaxLength = 0xffff;

  static constexpr auto kDrops = drop_reasons({
      {"too short", "shorter than the bytes to strip"},
  });

  struct Config {
    std::uint32_t length;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::uint64_t length = args.get_unsigned("LENGTH");
    if (length > kMaxLength) {
      error = "LENGTH " + std::to_string(length) + " is larger than any packet (at most 65535 bytes)";
      return false;
    }
    config.length = static_cast<std::uint32_t>(length);
    return true;
  }

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;  // the network offset only moves with the data start
    sheet.effect = PacketEffect::MoveStart;
    sheet.move = static_cast<std::int32_t>(config.length);
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (!p.pull(config.length)) {
      ctx.drop(std::move(p), kDrops["too short"]);
      return;
    }
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

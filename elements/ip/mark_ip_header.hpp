// MarkIPHeader: marks where the IP header starts, without checking it.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct MarkIPHeader {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // PacketAnno::network_offset is 16 bits and kNoNetworkOffset means "unknown".
  static constexpr std::uint64_t kMaxOffset = PacketAnno::kNoNetworkOffset - 1;

  struct Config {
    std::uint16_t offset;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::uint64_t offset = args.get_unsigned("OFFSET");
    if (offset > kMaxOffset) {
      error = "OFFSET " + std::to_string(offset) + " is too large: at most " + std::to_string(kMaxOffset);
      return false;
    }
    config.offset = static_cast<std::uint16_t>(offset);
    return true;
  }

  // Bytes and length stay as they are, but the annotation changes, which PacketEffect::None
  // would deny: Unknown, with the annotation's new value established on output 0 (so an
  // element after it that reads the network offset needs no annotation reset).
  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.anno_sets = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::Unknown;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
    sheet.establish_port = 0;
    sheet.establish({Fact::Kind::NetworkOffset, config.offset});
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    p.set_network_offset(config.offset);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

// GetIPAddress: sets the destination IP annotation from four bytes of the packet.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct GetIPAddress {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"short", "the four bytes at OFFSET (or the IP header's address) are not inside the packet"},
  });

  // kFromOffset: OFFSET from the data start; kSrc/kDst: that address of the marked IP header.
  enum class From : std::uint8_t { kOffset, kSrc, kDst };
  struct Config {
    std::uint32_t offset;
    From from;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error) {
    const bool has_offset = args.given("OFFSET");
    const bool has_ip = args.given("IP");
    if (has_offset == has_ip) {
      error = "set one of OFFSET and IP (IP src or IP dst)";
      return false;
    }
    if (has_offset) {
      config.from = From::kOffset;
      config.offset = static_cast<std::uint32_t>(args.get_unsigned("OFFSET"));
      return true;
    }
    const std::string word = args.get_string("IP");
    if (word == "src")
      config.from = From::kSrc;
    else if (word == "dst")
      config.from = From::kDst;
    else {
      error = "IP is '" + word + "': use src or dst";
      return false;
    }
    return true;
  }

  // Bytes, length and network offset stay; every packet sent has its next hop set.
  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = config.from == From::kOffset ? anno_field::kNone : anno_field::kNetworkOffset;
    sheet.anno_sets = anno_field::kDstIP;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint32_t at = config.offset;
    if (config.from != From::kOffset) at = p.network_offset() + (config.from == From::kSrc ? 12u : 16u);
    std::uint32_t addr = 0;
    if (!p.read_be32(at, addr)) {
      ctx.drop(std::move(p), kDrops["short"]);
      return;
    }
    p.anno().dst_ip = addr;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

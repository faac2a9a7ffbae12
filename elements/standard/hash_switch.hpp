// HashSwitch: chooses each packet's output by a hash of some of its bytes.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct HashSwitch {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    std::uint32_t offset;
    std::uint32_t length;
    std::uint32_t noutputs;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error) {
    if (args.noutputs() == 0) {
      error = "HashSwitch needs at least one output";
      return false;
    }
    config.offset = static_cast<std::uint32_t>(args.get_unsigned("OFFSET"));
    config.length = static_cast<std::uint32_t>(args.get_unsigned("LENGTH"));
    config.noutputs = args.noutputs();
    return true;
  }

  // The output depends on the bytes, nothing is changed.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  // Click's hash: the plain sum of the bytes; with 2, 4 or 8 outputs folded as sum ^ (sum >> 4)
  // and masked, otherwise taken modulo the number of outputs. A packet too short for the bytes
  // goes to output 0. Kept exactly so that a Click configuration splits traffic the same way.
  static std::uint32_t output_of(const Config& config, std::uint32_t sum) {
    const std::uint32_t n = config.noutputs;
    if (n == 2 || n == 4 || n == 8) return (sum ^ (sum >> 4)) & (n - 1);
    return sum % n;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint32_t port = 0;
    {
      const ByteView v = p.bytes_at(config.offset, config.length);
      if (v) {
        std::uint32_t sum = 0;
        for (const std::uint8_t b : v.bytes(0, config.length)) sum += b;
        port = output_of(config, sum);
      }
    }
    ctx.send(port, std::move(p));
  }
};

}  // namespace nb::elements

// IPClassifier: classifies IP packets by contents (Click's syntax), through a decision structure.
#pragma once

#include "ip_filter.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nb::elements {

struct IPClassifier {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"bad IP header", "no valid IPv4 header at the network annotation"},
      {"no match", "matched no pattern"},
  });

  struct Config {
    ipf::Tables tables;
    std::uint32_t npatterns;
  };
  struct State {
    std::uint64_t unmatched;  // matched no pattern: dropped
    std::uint64_t bad;        // no valid IP header: dropped
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    config.npatterns = 0;
    return IPFilterCommon::compile(args, "PATTERN", false, config.tables, nullptr, config.npatterns, error);
  }

  // Reads the packet, changes none of it.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t rule = IPFilterCommon::classify(config.tables, p);
    if (rule < config.npatterns) {
      ctx.send(rule, std::move(p));
    } else if (rule == IPFilterCommon::kBadHeader) {
      ++state.bad;
      ctx.drop(std::move(p), kDrops["bad IP header"]);
    } else {
      ++state.unmatched;
      ctx.drop(std::move(p), kDrops["no match"]);
    }
  }

  static bool validate_pattern(std::string_view text, ParamError& error) {
    return IPFilterCommon::validate(text, error, false);
  }
};

}  // namespace nb::elements

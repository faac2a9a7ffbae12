// ProtocolTranslator64, ProtocolTranslator46 and ProtocolTranslator: Click's IPv6/IPv4 header
// translators (SIIT) for its GNAT (general network address translator), with AddressTranslator.
#pragma once

#include "siit.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

namespace siit {
// One drop-reason table for the three translators, in Result's order (Ok aside).
inline constexpr auto kTranslatorDrops = drop_reasons({
    {"malformed",
     "no complete IP header at the network offset, a length past the end of the packet, or a "
     "TCP/UDP/ICMP header cut short"},
    {"not IPv4-embedded",
     "IPv6 to IPv4: the source or destination is neither ::ffff:a.b.c.d nor ::a.b.c.d (or is "
     "0.0.0.0 inside)"},
    {"unsupported protocol", "not TCP, UDP or ICMP/ICMPv6 (IPv6 extension headers included)"},
    {"unsupported ICMP", "an ICMP or ICMPv6 type (or code) that has no counterpart in the other protocol"},
    {"fragment", "IPv4 to IPv6: an IPv4 fragment (MF set or a fragment offset)"},
    {"too long", "IPv6 to IPv4: a payload longer than an IPv4 packet can carry (65515 bytes)"},
    {"no headroom", "IPv4 to IPv6: no room in front of the packet for the 20 more bytes of IPv6's header"},
});
inline constexpr std::uint32_t drop_of(Result r) {
  return static_cast<std::uint32_t>(r) - 1;
}
static_assert(drop_of(Result::NoHeadroom) + 1 == kTranslatorDrops.size());

// What the facts pass may know: the translators read the network offset and set it to 0, and
// change everything else.
inline void translator_facts(FactSheet& sheet) {
  sheet.anno_reads = anno_field::kNetworkOffset;
  sheet.anno_sets = anno_field::kNetworkOffset;
}
}  // namespace siit

struct ProtocolTranslator64 {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  static constexpr auto kDrops = siit::kTranslatorDrops;

  struct Config {};
  struct State {
    std::uint64_t translated;
  };

  static void facts(const Config&, FactSheet& sheet) { siit::translator_facts(sheet); }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const siit::Result r = siit::translate64(p);
    if (r != siit::Result::Ok) {
      ctx.drop(std::move(p), siit::drop_of(r));
      return;
    }
    ++state.translated;
    ctx.send(0, std::move(p));
  }
};

struct ProtocolTranslator46 {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  static constexpr auto kDrops = siit::kTranslatorDrops;

  struct Config {
    bool mapped = true;
  };
  struct State {
    std::uint64_t translated;
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static void facts(const Config&, FactSheet& sheet) { siit::translator_facts(sheet); }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const siit::Result r = siit::translate46(p, config.mapped);
    if (r != siit::Result::Ok) {
      ctx.drop(std::move(p), siit::drop_of(r));
      return;
    }
    ++state.translated;
    ctx.send(0, std::move(p));
  }
};

// Click's translator before it was split in two (February 2001), which conf/gnat01.click and
// gnat02.click still use: input 0 IPv6 -> output 0 IPv4, input 1 IPv4 -> output 1 IPv6.
struct ProtocolTranslator {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  static constexpr auto kDrops = siit::kTranslatorDrops;

  struct Config {
    bool mapped = true;
  };
  struct State {
    std::uint64_t translated64;
    std::uint64_t translated46;
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static void facts(const Config&, FactSheet& sheet) { siit::translator_facts(sheet); }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {
    const siit::Result r = in_port == 0 ? siit::translate64(p) : siit::translate46(p, config.mapped);
    if (r != siit::Result::Ok) {
      ctx.drop(std::move(p), siit::drop_of(r));
      return;
    }
    ++(in_port == 0 ? state.translated64 : state.translated46);
    ctx.send(in_port == 0 ? 0 : 1, std::move(p));
  }
};

}  // namespace nb::elements

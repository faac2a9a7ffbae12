// CheckIPHeader: checks IP headers.
#pragma once

#include "ip_text.hpp"

#include <nb/element.hpp>
#include <nb/text.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nb::elements {

struct CheckIPHeader {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // Limits of the baked configuration.
  static constexpr std::size_t kMaxBadSources = 16;
  // PacketAnno::network_offset is 16 bits and kNoNetworkOffset means "unknown".
  static constexpr std::uint64_t kMaxOffset = PacketAnno::kNoNetworkOffset - 1;

  // Why a packet is bad: the drop reason when output 1 is not connected.
  static constexpr auto kDrops = drop_reasons({
      {"too short", "fewer than 20 bytes at OFFSET (Click's \"tiny packet\")"},
      {"bad version", "version is not 4"},
      {"bad header length", "header length below 20, or the header runs past the packet's end"},
      {"bad total length", "total length below the header length, or beyond the packet's end"},
      {"bad checksum", "the header checksum is wrong (checked with CHECKSUM true)"},
      {"bad source", "source address on the BADSRC list"},
  });

  struct Config {
    std::uint32_t offset;
    std::uint32_t nbadsrc;
    std::uint32_t badsrc[kMaxBadSources];  // host byte order
    std::uint32_t ngooddst;
    std::uint32_t gooddst[kMaxBadSources];  // destinations exempt from the BADSRC check (GOODDST, INTERFACES)
    bool checksum;
    bool verbose;  // tell the operator about every bad packet (HostServices::log)
  };
  // What VERBOSE prints for each reason, as Click's CheckIPHeader does ("ELEMENT: IP header check
  // failed: REASON"; the runtime puts the element's name in front).
  static constexpr const char* kVerboseText[kDrops.size()] = {
      "IP header check failed: too short",         "IP header check failed: bad version",
      "IP header check failed: bad header length", "IP header check failed: bad total length",
      "IP header check failed: bad checksum",      "IP header check failed: bad source",
  };
  struct State {
    std::uint64_t bad;  // bad packets, whether dropped or sent to output 1 (Click's drops handler)
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::uint64_t offset = args.get_unsigned("OFFSET");
    if (offset > kMaxOffset) {
      error = "OFFSET " + std::to_string(offset) + " is too large: at most " + std::to_string(kMaxOffset);
      return false;
    }
    config.offset = static_cast<std::uint32_t>(offset);
    config.checksum = args.get_bool("CHECKSUM");
    config.verbose = args.get_bool("VERBOSE");
    const std::string badsrc = args.get_string("BADSRC");
    std::string_view rest = badsrc;
    while (true) {
      const std::size_t start = rest.find_first_not_of(" \t\r\n");
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      const std::size_t end = std::min(rest.find_first_of(" \t\r\n"), rest.size());
      const std::string_view word = rest.substr(0, end);
      rest.remove_prefix(end);
      std::uint32_t addr = 0;
      if (!nb::text::parse_ipv4(word, addr)) {
        error = "BADSRC: '" + std::string(word) + "' is not an IPv4 address like 10.0.0.255";
        return false;
      }
      if (config.nbadsrc == kMaxBadSources) {
        error = "BADSRC lists more than " + std::to_string(kMaxBadSources) + " addresses";
        return false;
      }
      config.badsrc[config.nbadsrc++] = addr;
    }
    return read_lists(args, config, error);
  }

  // GOODDST, and INTERFACES as Click reads it: each ADDR/LEN's directed broadcast address is a bad
  // source and ADDR a good destination; 0.0.0.0 and 255.255.255.255 are bad sources too.
  static bool read_lists(const Args& args, Config& config, std::string& error) {
    auto add = [&](std::uint32_t* list, std::uint32_t& n, std::uint32_t a, const char* what) {
      for (std::uint32_t i = 0; i < n; ++i)
        if (list[i] == a) return true;
      if (n == kMaxBadSources) {
        error = std::string(what) + " hold more than " + std::to_string(kMaxBadSources) + " addresses";
        return false;
      }
      list[n++] = a;
      return true;
    };
    const std::string good = args.get_string("GOODDST");
    for (std::string_view w : ip_text::words(good)) {
      std::uint32_t a = 0;
      if (!ip_text::parse_ipv4(w, a)) {
        error = "GOODDST: '" + std::string(w) + "' is not an IPv4 address";
        return false;
      }
      if (!add(config.gooddst, config.ngooddst, a, "GOODDST and INTERFACES")) return false;
    }
    const std::string ifs = args.get_string("INTERFACES");
    const std::vector<std::string_view> words = ip_text::words(ifs);
    for (std::string_view w : words) {
      std::uint32_t a = 0;
      unsigned len = 0;
      if (!ip_text::parse_prefix(w, a, len)) {
        error = "INTERFACES: '" + std::string(w) + "' is not an address with its prefix like 10.0.0.1/24";
        return false;
      }
      if (!add(config.badsrc, config.nbadsrc, a | ~ip_text::prefix_mask(len), "BADSRC and INTERFACES") ||
          !add(config.gooddst, config.ngooddst, a, "GOODDST and INTERFACES"))
        return false;
    }
    if (!words.empty() && (!add(config.badsrc, config.nbadsrc, 0, "BADSRC and INTERFACES") ||
                           !add(config.badsrc, config.nbadsrc, 0xffffffffu, "BADSRC and INTERFACES")))
      return false;
    return true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint32_t total = 0;
    const std::uint32_t reason = check(config, p, total);
    if (reason == kDrops.size()) {
      p.truncate(config.offset + total);  // Ethernet padding after the datagram
      p.set_network_offset(static_cast<std::uint16_t>(config.offset));
      ctx.send(0, std::move(p));
      return;
    }
    ++state.bad;
    if (config.verbose) ctx.log(&state, kVerboseText[reason]);
    if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), reason);
  }

  // Output 0 carries a valid header at OFFSET (with a correct checksum when CHECKSUM is true, and
  // a source off the BADSRC list), a packet trimmed to its datagram and the annotation set;
  // truncation leaves the headroom alone. When all that holds already, push sends the packet to
  // output 0 unchanged (trimming and setting the annotation change nothing) and counts nothing.
  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;  // it sets the network offset: a NetworkOffset fact on output 0
    sheet.effect = PacketEffect::Unknown;
    sheet.keeps_headroom = true;
    sheet.establish_port = 0;
    sheet.skippable = true;
    auto both = [&](Fact f) {
      sheet.establish(f);
      sheet.require(f);
    };
    both({Fact::Kind::IPv4Header, config.offset});
    both({Fact::Kind::IPv4Trimmed, config.offset});
    both({Fact::Kind::NetworkOffset, config.offset});
    if (config.checksum) both({Fact::Kind::IPv4Checksum, config.offset});
    // With GOODDST a bad source passes when the destination is good: no source is ruled out.
    for (std::uint32_t i = 0; config.ngooddst == 0 && i < config.nbadsrc && i < kMaxBadSources; ++i)
      both({Fact::Kind::IPv4SrcNot, config.offset, config.badsrc[i]});
  }

  // The reason p is bad, or kDrops.size() when it is valid (then `total` is its IP total
  // length). Reads only through bounds-checked accessors.
  static std::uint32_t check(const Config& config, const Packet& p NB_PARAM_OWNED, std::uint32_t& total) {
    const IPv4View ip = p.ipv4(config.offset);
    if (!ip) return kDrops["too short"];
    if (ip.version() != 4) return kDrops["bad version"];
    if (!ip.header_fits()) return kDrops["bad header length"];
    total = ip.total_length();
    if (total < ip.header_length() || total > ip.available()) return kDrops["bad total length"];
    if (config.checksum && !ip.checksum_ok()) return kDrops["bad checksum"];
    const IPv4Address src = ip.src();
    for (std::uint32_t i = 0; i < config.nbadsrc && i < kMaxBadSources; ++i)
      if (config.badsrc[i] == src) {
        const IPv4Address dst = ip.dst();
        for (std::uint32_t k = 0; k < config.ngooddst && k < kMaxBadSources; ++k)
          if (config.gooddst[k] == dst) return kDrops.size();
        return kDrops["bad source"];
      }
    return kDrops.size();
  }

};

}  // namespace nb::elements

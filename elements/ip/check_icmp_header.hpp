// CheckICMPHeader: checks ICMP headers of ICMP/IP packets.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct CheckICMPHeader {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"not ICMP", "no whole IPv4 header at the network offset, protocol not 1, or a fragment after the first"},
      {"bad length", "the IP datagram's payload shorter than 8 bytes or not all in the packet"},
      {"bad checksum", "the ICMP checksum is wrong"},
  });
  static constexpr const char* kVerboseText[kDrops.size()] = {
      "ICMP header check failed: not ICMP",
      "ICMP header check failed: bad length",
      "ICMP header check failed: bad checksum",
  };

  struct Config {
    bool verbose;
  };
  struct State {
    std::uint64_t bad;  // bad packets, dropped or sent to output 1
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.verbose = args.get_bool("VERBOSE");
    return true;
  }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t reason = check(p);
    if (reason == kDrops.size()) {
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

  // The reason p is bad, or kDrops.size() when it is valid.
  static std::uint32_t check(const Packet& p NB_PARAM_OWNED) {
    const std::uint32_t offset = p.network_offset();
    const IPv4View ip = p.ipv4(offset);
    if (!ip || !ip.header_fits() || ip.protocol() != ip_proto::kICMP || ip.fragment_offset() != 0)
      return kDrops["not ICMP"];
    const std::uint32_t hlen = ip.header_length();
    // The ICMP checksum covers the whole message (RFC 792), which must be all in the packet.
    const std::uint32_t len = ip.total_length() > hlen ? ip.total_length() - hlen : 0;
    const ICMPView icmp = p.icmp(offset + hlen);
    if (!icmp || len < ICMPView::kSize || len > icmp.available()) return kDrops["bad length"];
    if (checksum::fold(checksum::add(0, icmp.bytes(0, len))) != 0xffff) return kDrops["bad checksum"];
    return kDrops.size();
  }
};

}  // namespace nb::elements

// CheckTCPHeader: checks TCP headers of TCP/IP packets.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct CheckTCPHeader {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"not TCP", "no whole IPv4 header at the network offset, protocol not 6, or a fragment after the first"},
      {"bad length", "TCP header length below 20, or the TCP header beyond the IP datagram or the packet"},
      {"bad checksum", "the TCP checksum is wrong"},
  });
  static constexpr const char* kVerboseText[kDrops.size()] = {
      "TCP header check failed: not TCP",
      "TCP header check failed: bad length",
      "TCP header check failed: bad checksum",
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
    if (!ip || !ip.header_fits() || ip.protocol() != ip_proto::kTCP || ip.fragment_offset() != 0)
      return kDrops["not TCP"];
    const std::uint32_t hlen = ip.header_length();
    // The TCP segment is the IP datagram's payload, which must be all in the packet to be summed.
    const std::uint32_t seg = ip.total_length() > hlen ? ip.total_length() - hlen : 0;
    const TCPView tcp = p.tcp(offset + hlen);
    if (!tcp || seg < TCPView::kSize || seg > tcp.available()) return kDrops["bad length"];
    if (tcp.header_length() < TCPView::kSize || tcp.header_length() > seg) return kDrops["bad length"];
    const std::uint32_t sum = checksum::add(ip.pseudo_header_sum(static_cast<std::uint16_t>(seg)), tcp.bytes(0, seg));
    if (checksum::fold(sum) != 0xffff) return kDrops["bad checksum"];
    return kDrops.size();
  }
};

}  // namespace nb::elements

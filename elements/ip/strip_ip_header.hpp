// StripIPHeader: strips everything up to the end of the IP header.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct StripIPHeader {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "no whole IPv4 header (options included) at the network offset"},
  });

  struct Config {};
  struct State {};

  // How far the data start moves depends on each packet's header length: no MoveStart.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::Unknown;
  }

  static void push(const Config&, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t offset = p.network_offset();
    std::uint32_t end = 0;
    {
      const IPv4View ip = p.ipv4(offset);
      if (ip && ip.header_fits()) end = offset + ip.header_length();
    }
    if (end == 0) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    p.pull(end);  // inside the packet: header_fits() said so
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

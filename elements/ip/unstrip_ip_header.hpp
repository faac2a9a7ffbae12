// UnstripIPHeader: puts back the IP header that StripIPHeader took away.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct UnstripIPHeader {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {};
  struct State {};

  // How far the data start moves back depends on each packet's annotation: no MoveStart. The
  // network annotation is read: a packet whose header was pulled away moves, another does not.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::Unknown;
  }

  static void push(const Config&, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    // The bytes were pulled from this buffer, so its headroom holds them: push cannot fail, and
    // a packet whose header is at or after the data start stays as it is, as in Click.
    const std::uint32_t behind = p.network_behind();
    if (behind != 0) p.push(behind);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

// AddressInfo: Click's names for addresses. The compiler replaces each name with its address
// where arguments are bound (compiler/src/address_info.cpp); the element itself does nothing.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct AddressInfo {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {};
  struct State {};

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }

  // No ports: nothing ever reaches it. A kernel only so that a configuration with AddressInfo runs.
  static void push(const Config&, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

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

  // No ports and nothing to run: the compiler reads its names.
  static constexpr bool kInfoOnly = true;
};

}  // namespace nb::elements

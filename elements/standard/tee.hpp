// Tee: duplicates packets.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct Tee {
  static const ElementSpec spec;
};

}  // namespace nb::elements

// Discard: drops all packets.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct Discard {
  static const ElementSpec spec;
};

}  // namespace nb::elements

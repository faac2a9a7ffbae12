// Unstrip: puts stripped bytes back on the front of packets.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct Unstrip {
  static const ElementSpec spec;
};

}  // namespace nb::elements

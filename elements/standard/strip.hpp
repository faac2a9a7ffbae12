// Strip: strips bytes from the front of packets.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct Strip {
  static const ElementSpec spec;
};

}  // namespace nb::elements

// Counter: counts packets and bytes.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct Counter {
  static const ElementSpec spec;
};

}  // namespace nb::elements

// Paint: sets packets' paint annotation.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct Paint {
  static const ElementSpec spec;
};

}  // namespace nb::elements

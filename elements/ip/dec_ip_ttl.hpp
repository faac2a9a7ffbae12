// DecIPTTL: decrements IP time-to-live.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct DecIPTTL {
  static const ElementSpec spec;
};

}  // namespace nb::elements

// CheckIPHeader: checks IP headers.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct CheckIPHeader {
  static const ElementSpec spec;
};

}  // namespace nb::elements

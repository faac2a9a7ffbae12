// Classifier: classifies packets by contents.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct Classifier {
  static const ElementSpec spec;
};

}  // namespace nb::elements

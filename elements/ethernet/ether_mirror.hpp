// EtherMirror: swaps Ethernet source and destination.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct EtherMirror {
  static const ElementSpec spec;
};

}  // namespace nb::elements

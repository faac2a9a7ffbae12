// ToDevice: sends packets to a DPDK port.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct ToDevice {
  static const ElementSpec spec;
};

}  // namespace nb::elements

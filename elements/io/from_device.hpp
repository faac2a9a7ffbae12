// FromDevice: receives packets from a DPDK port.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct FromDevice {
  static const ElementSpec spec;
};

}  // namespace nb::elements

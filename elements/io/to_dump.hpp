// ToDump: writes packets to a pcap file.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct ToDump {
  static const ElementSpec spec;
};

}  // namespace nb::elements

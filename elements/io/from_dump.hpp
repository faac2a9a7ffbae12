// FromDump: reads packets from a pcap file.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct FromDump {
  static const ElementSpec spec;
};

}  // namespace nb::elements

// BandwidthRatedUnqueue: bytes pulled no faster than RATE per second (Click's BandwidthRatedUnqueue).
#pragma once

#include "rate_limit.hpp"

namespace nb::elements {

struct BandwidthRatedUnqueue : RateLimit<true> {
  static const ElementSpec spec;
};

}  // namespace nb::elements

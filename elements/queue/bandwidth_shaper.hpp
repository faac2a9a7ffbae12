// BandwidthShaper: bytes pulled no faster than RATE per second (Click's BandwidthShaper).
#pragma once

#include "rate_limit.hpp"

namespace nb::elements {

struct BandwidthShaper : RateLimit<true> {
  static const ElementSpec spec;
};

}  // namespace nb::elements

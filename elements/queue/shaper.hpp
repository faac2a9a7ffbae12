// Shaper: packets pulled no faster than RATE per second (Click's Shaper).
#pragma once

#include "rate_limit.hpp"

namespace nb::elements {

struct Shaper : RateLimit<false> {
  static const ElementSpec spec;
};

}  // namespace nb::elements

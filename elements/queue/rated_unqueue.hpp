// RatedUnqueue: packets pulled no faster than RATE per second (Click's RatedUnqueue).
#pragma once

#include "rate_limit.hpp"

namespace nb::elements {

struct RatedUnqueue : RateLimit<false> {
  static const ElementSpec spec;
};

}  // namespace nb::elements

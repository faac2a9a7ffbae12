// ScheduleInfo: Click's scheduling shares of tasks. nb's workers run every task once per pass
// of their loop, so the shares are checked and reported as not applied (ElementSpec::warning).
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct ScheduleInfo {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  static constexpr bool kInfoOnly = true;
  struct Config {};
  struct State {};
};

}  // namespace nb::elements

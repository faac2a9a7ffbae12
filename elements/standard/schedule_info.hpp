// ScheduleInfo: Click's scheduling shares of tasks. The element only holds the arguments: the
// compiler gives each task its share (PlanTask::share) and the workers' pull runner applies it.
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

// StaticThreadSched: binds tasks to worker cores (Click's StaticThreadSched). The compiler reads
// its entries (compiler/src/watch.cpp, bind_tasks); the element has no kernel.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct StaticThreadSched {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  static constexpr bool kInfoOnly = true;
  struct Config {};
  struct State {};
};

}  // namespace nb::elements

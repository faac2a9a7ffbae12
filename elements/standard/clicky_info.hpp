// ClickyInfo: styles for Click's GUI (Clicky). Accepted and kept in the configuration; it has
// no effect on forwarding.
#pragma once

#include <nb/element.hpp>

namespace nb::elements {

struct ClickyInfo {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  static constexpr bool kInfoOnly = true;
  struct Config {};
  struct State {};
};

}  // namespace nb::elements

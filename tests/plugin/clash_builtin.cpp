// A plugin whose class name is a built-in's (Counter): refused at the require, nothing changes.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace plugin_test {

using namespace nb;

struct Counter {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  static const ElementSpec spec;
  struct Config {};
  struct State {};
  static bool configure(const Args&, Config&, std::string&) { return true; }
  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) { ctx.send(0, std::move(p)); }
};

NB_ELEMENT_KERNEL(Counter, {}, {});

constinit const ElementSpec Counter::spec{
    .class_name = "Counter",
    .ports = "1/1",
    .brief = "a test plugin element named like a built-in",
    .description = "Passes packets on.",
    .example = "",
    .ops = &kOps,
};
NB_REGISTER_ELEMENT(Counter::spec);

}  // namespace plugin_test

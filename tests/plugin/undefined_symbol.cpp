// A plugin that needs a function nothing defines: dlopen (RTLD_NOW) must refuse it at the
// require, with the symbol's name, and nothing else may change.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

extern "C" std::uint32_t nb_test_function_that_does_not_exist(std::uint32_t);

namespace plugin_test {

using namespace nb;

struct NeedsMissingSymbol {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  static const ElementSpec spec;
  struct Config {};
  struct State {};
  static bool configure(const Args&, Config&, std::string&) { return true; }
  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ctx.send(nb_test_function_that_does_not_exist(0), std::move(p));
  }
};

NB_ELEMENT_KERNEL(NeedsMissingSymbol, {}, {});

constinit const ElementSpec NeedsMissingSymbol::spec{
    .class_name = "NeedsMissingSymbol",
    .ports = "1/1",
    .brief = "a test plugin element that cannot be loaded",
    .description = "Calls a function that no library defines.",
    .example = "",
    .ops = &kOps,
};
NB_REGISTER_ELEMENT(NeedsMissingSymbol::spec);

}  // namespace plugin_test

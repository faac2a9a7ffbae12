// A plugin whose ops table carries a state scope this nb does not know (a plugin built with the
// SDK cannot say one without a cast; a damaged or hand-made table can): nb refuses it at the
// require instead of guessing how the element's State scales over worker cores.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace plugin_test {

using namespace nb;

struct UnknownStateScope {
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  static const ElementSpec spec;
  struct Config {};
  struct State {};
  static bool configure(const Args&, Config&, std::string&) { return true; }
  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) { ctx.send(0, std::move(p)); }
};

NB_ELEMENT_KERNEL(UnknownStateScope, {}, {});
constexpr ElementOps kBadOps = [] {
  ElementOps ops = kOps;
  ops.state_scope = static_cast<StateScope>(7);
  return ops;
}();

constinit const ElementSpec UnknownStateScope::spec{
    .class_name = "UnknownStateScope",
    .ports = "1/1",
    .brief = "a test plugin element with a state scope nb does not know",
    .description = "Its ops table says state scope 7.",
    .example = "",
    .ops = &kBadOps,
};
NB_REGISTER_ELEMENT(UnknownStateScope::spec);

}  // namespace plugin_test

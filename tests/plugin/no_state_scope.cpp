// expect: an element must say how its State scales over worker cores: add `static constexpr nb::StateScope kStateScope
// A plugin element that does not say how its State scales over worker cores must not compile
// (element.hpp's kernel_ops): with several workers the runtime cannot guess whether the State is
// per worker, per flow or shared. Built with -DNB_TEST_DECLARE_SCOPE, it declares one and compiles
// cleanly, which shows that the missing declaration is the only fault.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace example {

using namespace nb;

struct NoStateScope {
#ifdef NB_TEST_DECLARE_SCOPE
  static constexpr StateScope kStateScope = StateScope::PerWorker;
#endif
  struct Config {};
  struct State {
    std::uint64_t count;
  };
  static bool configure(const Args&, Config&, std::string&) {
    return true;
  }
  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ++state.count;
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(NoStateScope, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace example

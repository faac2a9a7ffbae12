// expect: parameter 'p' not in expected state when the function returns: expected 'consumed', observed 'unknown'
// A false positive (correct code rejected), kept so that docs/ownership.md stays true: the
// analysis does not treat a call to a noreturn function as the end of a path, so a path that
// aborts still "returns" owning the packet. Kernels should drop instead of aborting anyway.
#include <nb/element.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

namespace nb::elements {

struct NoreturnPath {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {  // <-- error
    if (p.length() > 65535) std::abort();  // cannot happen: mbuf segments are shorter
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(NoreturnPath, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

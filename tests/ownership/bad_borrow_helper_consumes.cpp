// expect: parameter 'q' not in expected state when the function returns: expected 'unconsumed', observed 'unknown'
// A helper that promises to give the packet back (NB_PARAM_OWNED NB_RETURNS_OWNED on Packet&)
// but drops it: the caller would send a dropped packet.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct BorrowHelperConsumes {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void strip_ethernet(Context& ctx, Packet& q NB_PARAM_OWNED NB_RETURNS_OWNED) {  // <-- error
    if (!q.pull(14)) ctx.drop(std::move(q), 0);
  }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    strip_ethernet(ctx, p);
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(BorrowHelperConsumes, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: 'release' is a private member of 'nb::Packet'
// Reaching the raw mbuf to keep it past the send: release() is private (only Context uses it).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct ReleaseRawMbuf {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    rte_mbuf* last;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    state.last = p.release();  // <-- error
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(ReleaseRawMbuf, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

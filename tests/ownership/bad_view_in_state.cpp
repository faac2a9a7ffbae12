// expect: an element's State must be plain data \(trivially copyable\)
// A header view kept in State to rewrite the packet later: by then the packet belongs to another
// element or is back in the mempool. Views cannot be copied or moved, so a State holding one is
// not trivially copyable and check_element_layout rejects it.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct ViewInState {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    IPv4View last{nullptr};  // no default constructor either
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    if (state.last) state.last.set_ttl(0);  // the packet sent last time
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(ViewInState, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

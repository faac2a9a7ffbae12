// expect: overload resolution selected deleted operator '&'
// Rejected since Packet is immovable and has no address-of / public constructor: a pointer to the handle is plain data, so State may keep it; it dangles once push returns and is used on the next call.
// closed by: deleting Packet's unary operator& (std::addressof still works: deliberate circumvention is out of scope).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct PointerToPacketInState {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t count;
    Packet* previous;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    if (state.previous) state.previous->truncate(0);  // the previous call's parameter: dangling
    state.previous = &p;
    ++state.count;
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(PointerToPacketInState, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: invalid invocation of method 'anno' on object 'p' while it is in the 'consumed' state
// Use after send inside a class template: checked in every instantiation (here SendTo<0>).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

template <std::uint32_t Port>
struct SendTo {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t count;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ++state.count;
    ctx.send(Port, std::move(p));
    p.anno().paint = static_cast<std::uint8_t>(Port);  // <-- error
  }
};

using SendTo0 = SendTo<0>;
NB_ELEMENT_KERNEL(SendTo0, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

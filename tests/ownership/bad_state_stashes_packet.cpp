// expect: an element's State must be plain data \(trivially copyable\): it cannot keep a Packet
// A handle stashed by an element to modify later: the packet is sent now and rewritten when the
// next one arrives (by then it belongs to another element, or is back in the mempool).
// std::optional<Packet> is not trivially copyable, so check_element_layout rejects the State.
#include <nb/element.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace nb::elements {

struct StateStashesPacket {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::optional<Packet> previous;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    if (state.previous) state.previous->anno().paint = 1;  // rewrite the packet sent last time
    ctx.send_copy(0, p);
    state.previous.emplace(std::move(p));
  }
};

NB_ELEMENT_KERNEL(StateStashesPacket, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

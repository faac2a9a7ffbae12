// expect: an element's State must be plain data \(trivially copyable\): it cannot keep a Packet
// An array of packets in State: the analysis does not follow array elements; check_element_layout
// rejects the State (Packet is not trivially copyable, so neither is an array of them).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct StateArrayOfPackets {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    Packet ring[4];
    std::uint32_t next;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ctx.send(0, std::move(state.ring[state.next]));
    ctx.send(1, std::move(state.ring[state.next]));  // twice: invisible to the analysis
    ctx.drop(std::move(p), 0);
    state.next = (state.next + 1) % 4;
  }
};

NB_ELEMENT_KERNEL(StateArrayOfPackets, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

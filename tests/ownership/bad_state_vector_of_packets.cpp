// expect: an element's State must be plain data \(trivially copyable\): it cannot keep a Packet
// A queue of packets in State (std::vector<Packet>): the analysis does not follow containers;
// check_element_layout rejects the State. (Queues belong to the runtime, not to kernels.)
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nb::elements {

struct StateVectorOfPackets {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::vector<Packet> queue;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    state.queue.push_back(std::move(p));
    if (state.queue.size() == 4) {
      for (Packet& q : state.queue) ctx.send(0, std::move(q));
      state.queue.clear();
    }
  }
};

NB_ELEMENT_KERNEL(StateVectorOfPackets, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

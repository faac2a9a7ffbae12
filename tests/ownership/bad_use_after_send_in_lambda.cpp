// expect: invalid invocation of method 'length' on object 'q' while it is in the 'consumed' state
// Use after send inside a lambda that takes the packet (Packet&& with NB_OWNED).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct UseAfterSendInLambda {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {
    std::uint32_t port;
  };
  struct State {
    std::uint64_t bytes;
  };

  static bool configure(const Args&, Config& config, std::string&) {
    config = Config{};
    return true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    auto forward = [&](Packet&& q NB_OWNED) {
      ctx.send(config.port, std::move(q));
      state.bytes += q.length();  // <-- error
    };
    forward(std::move(p));
  }
};

NB_ELEMENT_KERNEL(UseAfterSendInLambda, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

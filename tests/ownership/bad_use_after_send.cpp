// expect: invalid invocation of method 'length' on object 'p' while it is in the 'consumed' state
// Use after send: once sent, the packet belongs to the next element; reading it is a race.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct UseAfterSend {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {
    std::uint32_t port;
  };
  struct State {
    std::uint64_t count;
  };

  static bool configure(const Args&, Config& config, std::string&) {
    config = Config{};
    return true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {
    (void)in_port;
    ctx.send(config.port, std::move(p));
    state.count += p.length();  // <-- error
  }
};

NB_ELEMENT_KERNEL(UseAfterSend, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: state of variable 'p' must match at the entry and exit of loop
// Send inside a loop: the second iteration sends a packet that is already gone.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct SendInLoop {
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
    (void)state;
    for (std::uint32_t port = 0; port < config.port; ++port) {  // <-- error
      ctx.send(port, std::move(p));
    }
  }
};

NB_ELEMENT_KERNEL(SendInLoop, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

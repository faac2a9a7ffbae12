// expect: parameter 'p' not in expected state when the function returns: expected 'consumed', observed 'unconsumed'
// Leak of the parameter: a counter that counts and forgets to pass the packet on.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct LeakOfParameter {
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

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {  // <-- error
    (void)config;
    (void)ctx;
    (void)in_port;
    state.count += p.length();
  }
};

NB_ELEMENT_KERNEL(LeakOfParameter, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

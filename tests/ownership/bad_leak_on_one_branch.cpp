// expect: parameter 'p' not in expected state when the function returns: expected 'consumed', observed 'unknown'
// Leak on one branch: short packets are neither sent nor dropped; the mbuf is never freed.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct LeakOnOneBranch {
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
    (void)in_port;
    if (p.length() >= 14) {
      ctx.send(config.port, std::move(p));
    } else {
      ++state.count;  // forgot ctx.drop
    }
  }
};

NB_ELEMENT_KERNEL(LeakOnOneBranch, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

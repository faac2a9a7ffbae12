// expect: invalid invocation of method 'anno' on object 'p' while it is in the 'unknown' state
// Use after a conditional send: on one path the packet is already gone.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct UseAfterConditionalSend {
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
    (void)state;
    if (in_port == 1) ctx.send(config.port, std::move(p));
    p.anno().paint = 7;  // <-- error
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(UseAfterConditionalSend, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

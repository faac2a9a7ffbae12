// expect: argument not in expected state; expected 'unconsumed', observed 'consumed'
// Send after drop: the engine frees a dropped packet; sending it afterwards is a use after free.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct SendAfterDrop {
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
    if (p.length() < 14) ++state.count;
    ctx.drop(std::move(p), 0);
    ctx.send(config.port, std::move(p));  // <-- error
  }
};

NB_ELEMENT_KERNEL(SendAfterDrop, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: argument not in expected state; expected 'unconsumed', observed 'consumed'
// Double send: the same mbuf would reach two elements (and be freed twice).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct DoubleSend {
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
    ++state.count;
    ctx.send(0, std::move(p));
    ctx.send(config.port, std::move(p));  // <-- error
  }
};

NB_ELEMENT_KERNEL(DoubleSend, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

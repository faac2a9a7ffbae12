// expect: argument not in expected state; expected 'unconsumed', observed 'consumed'
// A Tee written backwards: the original is sent first, then copied.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct SendCopyAfterSend {
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
    ctx.send(1, std::move(p));
    ctx.send_copy(config.port, p);  // <-- error
  }
};

NB_ELEMENT_KERNEL(SendCopyAfterSend, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

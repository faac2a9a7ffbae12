// expect: parameter 'p' not in expected state when the function returns: expected 'consumed', observed 'unknown'
// A switch with a missing case: protocols other than TCP and UDP fall out of the switch, owned.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct SwitchMissingCase {
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
    (void)in_port;
    std::uint8_t proto = 0;
    p.read_u8(9, proto);
    switch (proto) {
      case 6:
        ctx.send(0, std::move(p));
        break;
      case 17:
        ctx.send(1, std::move(p));
        break;
      default:
        ++state.count;  // forgot ctx.drop
        break;
    }
  }
};

NB_ELEMENT_KERNEL(SwitchMissingCase, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

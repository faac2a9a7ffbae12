// expect: parameter 'p' not in expected state when the function returns: expected 'consumed', observed 'unconsumed'
// Early return without sending: the validation path returns with the packet still owned.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct EarlyReturnWithoutSending {
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
    std::uint8_t version = 0;
    if (!p.read_u8(0, version) || version >> 4 != 4) {
      ++state.count;
      return;  // <-- error
    }
    ctx.send(config.port, std::move(p));
  }
};

NB_ELEMENT_KERNEL(EarlyReturnWithoutSending, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

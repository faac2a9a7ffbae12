// expect: state of variable 'p' must match at the entry and exit of loop
// A Tee without copies: a while loop hands the same packet to every output.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct LoopSendsSamePacket {
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
    std::uint32_t port = 0;
    while (ctx.connected(port)) {  // <-- error
      ++state.count;
      ctx.send(port++, std::move(p));
    }
    (void)config;
  }
};

NB_ELEMENT_KERNEL(LoopSendsSamePacket, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

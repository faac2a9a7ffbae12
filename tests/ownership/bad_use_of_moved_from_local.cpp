// expect: call to deleted constructor of 'Packet'
// Use of a moved-from handle: after `Packet q = std::move(p)`, p owns nothing.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct UseOfMovedFromLocal {
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
    Packet q = std::move(p);  // <-- error
    state.count += p.length();
    ctx.send(config.port, std::move(q));
  }
};

NB_ELEMENT_KERNEL(UseOfMovedFromLocal, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

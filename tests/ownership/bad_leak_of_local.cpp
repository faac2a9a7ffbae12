// expect: call to deleted constructor of 'Packet'
// Leak of a local: the packet moved into q goes out of scope unsent on one path.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct LeakOfLocal {
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
    if (q.length() > 0) ctx.send(config.port, std::move(q));
    ++state.count;
  }
};

NB_ELEMENT_KERNEL(LeakOfLocal, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: argument not in expected state; expected 'unconsumed', observed 'consumed'
// Drop twice: a double free of the mbuf.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct DropTwice {
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
    (void)config;
    (void)in_port;
    ++state.count;
    ctx.drop(std::move(p), 0);
    ctx.drop(std::move(p), 1);  // <-- error
  }
};

NB_ELEMENT_KERNEL(DropTwice, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

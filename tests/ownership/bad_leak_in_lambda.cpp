// expect: parameter 'q' not in expected state when the function returns: expected 'consumed', observed 'unknown'
// Leak inside a lambda: short packets are neither sent nor dropped by the lambda.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct LeakInLambda {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {
    std::uint32_t port;
  };
  struct State {};

  static bool configure(const Args&, Config& config, std::string&) {
    config = Config{};
    return true;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    auto forward = [&](Packet&& q NB_OWNED) {  // <-- error
      if (q.length() >= 14) ctx.send(config.port, std::move(q));
    };
    forward(std::move(p));
  }
};

NB_ELEMENT_KERNEL(LeakInLambda, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

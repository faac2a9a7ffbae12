// Correct: a helper that takes the Packet (by rvalue reference, since a Packet cannot be moved
// into a new object) with NB_OWNED and sends or drops it; NB_OWNED makes the analysis check the
// caller still owned it and that the helper gives it away on every path.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct HelperByValue {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {
    std::uint32_t port;
  };
  struct State {
    std::uint64_t forwarded;
  };

  static bool configure(const Args&, Config& config, std::string&) {
    config = Config{};
    return true;
  }

  static void forward(Context& ctx, std::uint32_t port, Packet&& q NB_OWNED) {
    if (ctx.connected(port))
      ctx.send(port, std::move(q));
    else
      ctx.drop(std::move(q), 0);
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ++state.forwarded;
    forward(ctx, config.port, std::move(p));
  }
};

NB_ELEMENT_KERNEL(HelperByValue, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: parameter 'q' not in expected state when the function returns: expected 'consumed', observed 'unknown'
// Leak inside a function template: the helper forwards only when the port is connected.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

template <typename P>
void forward_if_connected(Context& ctx, std::uint32_t port, P&& q NB_OWNED) {  // <-- error
  if (ctx.connected(port)) ctx.send(port, std::move(q));
}

struct LeakInTemplateHelper {
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
    forward_if_connected(ctx, config.port, std::move(p));
  }
};

NB_ELEMENT_KERNEL(LeakInTemplateHelper, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

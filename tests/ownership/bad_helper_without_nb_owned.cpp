// expect: Packet parameter lacks NB_OWNED
// needs: lint
// A helper taking `Packet&&` without NB_OWNED, which leaks on one path. clang accepts it: the
// caller takes a packet passed as an rvalue reference as given away, and without
// return_typestate(consumed) the helper is not checked. Caught by lint_packet_params.sh only.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct HelperWithoutNbOwned {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {
    std::uint32_t port;
  };
  struct State {};

  static bool configure(const Args&, Config& config, std::string&) {
    config = Config{};
    return true;
  }

  static void forward(Context& ctx, std::uint32_t port, Packet&& q) {  // <-- error
    if (ctx.connected(port)) ctx.send(port, std::move(q));
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    forward(ctx, config.port, std::move(p));
  }
};

NB_ELEMENT_KERNEL(HelperWithoutNbOwned, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

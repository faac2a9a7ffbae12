// expect: Packet parameter lacks NB_OWNED
// needs: lint
// The same inside a lambda: `[&](Packet&& q)` without NB_OWNED leaks short packets, and clang
// accepts it. Caught by lint_packet_params.sh only.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct LambdaWithoutNbOwned {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    auto forward = [&](Packet&& q) {  // <-- error
      if (q.length() >= 60) ctx.send(0, std::move(q));
    };
    forward(std::move(p));
  }
};

NB_ELEMENT_KERNEL(LambdaWithoutNbOwned, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: call to deleted constructor of
// Rejected since Packet is immovable and has no address-of / public constructor: a packet moved into a lambda's init-capture becomes a member of the closure, which the analysis does not follow: sent twice inside, and leaked if the lambda is never called.
// closed by: deleting Packet's move constructor (see docs/ownership.md, proposed SDK change).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct LambdaInitCapture {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t count;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    auto send_it = [q = std::move(p), &ctx]() mutable {
      ctx.send(0, std::move(q));
      ctx.send(1, std::move(q));  // double send
    };
    ++state.count;
    send_it();
  }
};

NB_ELEMENT_KERNEL(LambdaInitCapture, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

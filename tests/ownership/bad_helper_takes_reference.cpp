// expect: argument not in expected state; expected 'unconsumed', observed 'unknown'
// A helper taking `Packet&` without annotations. What the analysis does: a Packet reached
// through an unannotated reference is in the 'unknown' state, on both sides. In the helper,
// every use (here the send) is rejected; in the caller, the packet is 'unknown' after the call,
// so using, sending or dropping it again is rejected too, and so is returning. An unannotated
// Packet& is therefore never a silent hole, just unusable: a helper that takes the packet
// declares `Packet&& q NB_OWNED`; one that only modifies it declares
// `Packet& q NB_PARAM_OWNED NB_RETURNS_OWNED` (see good_helpers.cpp).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct HelperTakesReference {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {
    std::uint32_t port;
  };
  struct State {
    std::uint64_t bytes;
  };

  static bool configure(const Args&, Config& config, std::string&) {
    config = Config{};
    return true;
  }

  static void forward(Context& ctx, std::uint32_t port, Packet& q) {
    ctx.send(port, std::move(q));  // <-- error
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    forward(ctx, config.port, p);
    state.bytes += p.length();  // <-- error
  }
};

NB_ELEMENT_KERNEL(HelperTakesReference, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// Correct: the three kinds of helper the analysis follows.
//   takes the packet:   Packet&& q NB_OWNED                      (must give it away)
//   modifies it:        Packet& q NB_PARAM_OWNED NB_RETURNS_OWNED (must give it back owned)
//   reads it:           const Packet& q NB_PARAM_OWNED            (cannot give it away)
// Each is checked inside, and the caller knows the packet's state after the call.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct Helpers {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t ipv4;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static bool is_ipv4(const Packet& q NB_PARAM_OWNED) {
    std::uint16_t type = 0;
    return q.read_be16(12, type) && type == 0x0800;
  }

  static void strip_ethernet(Packet& q NB_PARAM_OWNED NB_RETURNS_OWNED) {
    if (q.pull(14)) q.anno().network_offset = 0;
  }

  static void forward(Context& ctx, Packet&& q NB_OWNED) {
    if (q.length() > 0)
      ctx.send(0, std::move(q));
    else
      ctx.drop(std::move(q), 0);
  }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    if (!is_ipv4(p)) {
      ctx.drop(std::move(p), 1);
      return;
    }
    ++state.ipv4;
    strip_ethernet(p);
    p.anno().paint = 4;  // still owned after the modifying helper
    forward(ctx, std::move(p));
  }
};

NB_ELEMENT_KERNEL(Helpers, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

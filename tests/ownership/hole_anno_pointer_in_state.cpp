// hole: a pointer into the packet's annotations kept in State. Packet::anno() returns a reference to the mbuf's private area; its address (or a field's) is a plain pointer, which check_element_layout accepts in State, so the element writes through it after the packet was sent, into a packet another element owns (or a recycled mbuf).
// closed by: nothing yet. Taking the address is deliberate; an annotation accessor that returns a non-copyable, non-addressable view (as the header views are) would close it.
// This compiles, although it is wrong: neither the compiler nor the lint catches it. The test fails
// once something does; then rename the file to bad_*.cpp with an `// expect:` line.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct AnnoPointerInState {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint8_t* last_paint;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    if (state.last_paint) *state.last_paint = 7;  // repaints the packet sent last time
    state.last_paint = &p.anno().paint;
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(AnnoPointerInState, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

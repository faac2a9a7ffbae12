// hole: the bytes of a header view kept in State as a std::span. ViewBase::bytes() hands out a span (its data() a raw pointer into the packet) so that checksums and libraries such as Hyperscan can read the bytes; a span is trivially copyable, so check_element_layout accepts it in State, and the element reads the bytes of a packet it no longer owns.
// closed by: nothing yet. Keeping the span is deliberate; a lint rule rejecting pointer and span members in State, or a callback-only byte API, would close it.
// This compiles, although it is wrong: neither the compiler nor the lint catches it. The test fails
// once something does; then rename the file to bad_*.cpp with an `// expect:` line.
#include <nb/element.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <utility>

namespace nb::elements {

struct SpanInState {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::span<const std::uint8_t> last;
    std::uint64_t sum;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    for (std::uint8_t b : state.last) state.sum += b;  // reads the packet sent last time
    {
      const ByteView v = p.bytes_from(0);
      state.last = v.bytes(0, v.size());
    }
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(SpanInState, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

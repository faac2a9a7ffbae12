// hole: a pointer into the packet's bytes (Packet::data()) is plain data, so State may keep it and write through it after the packet was sent: the write lands in a packet another element owns, or in a freed mbuf.
// closed by: nothing proposed short of removing data() in favour of the bounds-checked read/write accessors.
// This compiles, although it is wrong: neither the compiler nor the lint catches it. The test fails
// once something does; then rename the file to bad_*.cpp with an `// expect:` line.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct DataPointerInState {
  struct Config {};
  struct State {
    std::uint64_t count;
    std::uint8_t* last;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    if (state.last) state.last[0] = 0;  // writes into the packet sent last time
    state.last = p.data();
    ++state.count;
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(DataPointerInState, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// hole: a reference to the handle is not tracked: using the packet through it after sending is accepted.
// closed by: nothing proposed (the analysis does not track aliases; do not bind Packet& locals).
// This compiles, although it is wrong: neither the compiler nor the lint catches it. The test fails
// once something does; then rename the file to bad_*.cpp with an `// expect:` line.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct ReferenceAlias {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t count;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    Packet& alias = p;
    ctx.send(0, std::move(p));
    state.count += alias.length();  // use after send, through the alias
  }
};

NB_ELEMENT_KERNEL(ReferenceAlias, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: Packet parameter lacks NB_OWNED
// needs: lint
// A kernel whose Packet parameter lacks NB_OWNED, and that leaks it. clang accepts this: without
// return_typestate(consumed) on the parameter, -Wconsumed does not check that the packet is given
// away before returning, and the by-value parameter's destructor (which would be checked) runs in
// the caller. Nothing in the compiler catches it; tests/ownership/lint_packet_params.sh does.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct KernelWithoutNbOwned {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t bytes;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p) {  // <-- error
    state.bytes += p.length();
    if (p.length() >= 60) ctx.send(0, std::move(p));  // short packets leak
  }
};

NB_ELEMENT_KERNEL(KernelWithoutNbOwned, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

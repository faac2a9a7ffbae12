// expect: calling a private constructor of class 'nb::Packet'
// Rejected since Packet is immovable and has no address-of / public constructor: Packet(rte_mbuf*) is public, so element code can make a handle from any pointer (here nullptr) and send it: the engine dereferences it.
// closed by: making Packet(rte_mbuf*) private, with nb::detail::adopt for the engine and tests (see docs/ownership.md, proposed SDK change).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct ForgedPacket {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t count;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ++state.count;
    ctx.send(0, std::move(p));
    ctx.send(1, Packet(nullptr));
  }
};

NB_ELEMENT_KERNEL(ForgedPacket, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

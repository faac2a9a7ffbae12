// expect: no matching member function for call to 'emplace'|call to deleted constructor
// Rejected since Packet is immovable and has no address-of / public constructor: a packet moved into a local container (std::optional, std::vector, an array) is not tracked: here it is sent twice; it could as well be leaked with the container.
// closed by: deleting Packet's move constructor (see docs/ownership.md, proposed SDK change).
#include <nb/element.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace nb::elements {

struct LocalContainer {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t count;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    std::optional<Packet> slot;
    slot.emplace(std::move(p));
    ctx.send(0, std::move(*slot));
    ctx.send(1, std::move(*slot));  // double send
    ++state.count;
  }
};

NB_ELEMENT_KERNEL(LocalContainer, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

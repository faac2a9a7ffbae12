// expect: call to deleted constructor of 'Packet'
// Rejected since Packet is immovable and has no address-of / public constructor: a packet moved into a member of a local struct is not tracked: used after send and sent twice.
// closed by: deleting Packet's move constructor (see docs/ownership.md, proposed SDK change).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct Holder {
  Packet packet;
};

struct MemberOfLocalStruct {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t count;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    Holder h{std::move(p)};
    ctx.send(0, std::move(h.packet));
    state.count += h.packet.length();  // use after send
    ctx.send(1, std::move(h.packet));  // double send
  }
};

NB_ELEMENT_KERNEL(MemberOfLocalStruct, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

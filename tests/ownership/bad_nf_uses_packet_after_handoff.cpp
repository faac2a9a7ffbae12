// expect: invalid invocation of method 'ipv4' on object 'p' while it is in the 'consumed' state
// Isolation between network functions (tests/diff/nf_chain.nbc): the last element of one NF
// sends the packet on to the next NF, then still rewrites it. After the send the handle is
// consumed, so touching the packet through it is a compile error.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct NfUsesPacketAfterHandoff {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ctx.send(0, std::move(p));               // to the next NF
    if (auto ip = p.ipv4(0)) ip.set_ttl(1);  // <-- error
  }
};

NB_ELEMENT_KERNEL(NfUsesPacketAfterHandoff, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

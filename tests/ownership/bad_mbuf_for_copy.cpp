// expect: 'mbuf_for_copy' is a private member of 'nb::Packet'
// Reaching the raw mbuf through the copy hook, to write to the packet after sending it:
// mbuf_for_copy() is private (only Context::send_copy uses it).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct MbufForCopy {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    rte_mbuf* m = p.mbuf_for_copy();  // <-- error
    ctx.send(0, std::move(p));
    m->data_len = 0;
  }
};

NB_ELEMENT_KERNEL(MbufForCopy, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

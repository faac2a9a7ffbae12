// expect: call to deleted constructor of '(nb::)?Packet'
// Copying a handle: two handles to one mbuf would be sent twice (and freed twice). Packet's copy
// constructor is deleted; copies of the data are made with Context::send_copy.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct CopyPacket {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    Packet copy = p;  // <-- error
    ctx.send(0, std::move(p));
    ctx.send(1, std::move(copy));
  }
};

NB_ELEMENT_KERNEL(CopyPacket, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: overload resolution selected deleted operator '='
// Overwriting a handle that still owns a packet would leak that packet: Packet has no
// assignment (copy or move).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct OverwritePacket {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  // Replaces `into` by `from`: the packet `into` held is lost.
  static void replace(Packet& into NB_PARAM_OWNED NB_RETURNS_OWNED, Packet&& from NB_OWNED) {
    into = std::move(from);  // <-- error
  }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(OverwritePacket, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

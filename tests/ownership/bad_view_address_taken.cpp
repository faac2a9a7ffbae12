// expect: (call to deleted member function 'operator&'|overload resolution selected deleted operator '&')
// A pointer to a header view kept in a global outlives the push call that made the view.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

const IPv4View* g_previous = nullptr;

struct ViewAddressTaken {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    const IPv4View ip = p.ipv4(0);
    g_previous = &ip;  // <-- error
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(ViewAddressTaken, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

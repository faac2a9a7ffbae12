// expect: (call to (implicitly-)?deleted (copy )?constructor|copy constructor of .* is implicitly deleted)
// Copying a header view out of the push call (here into a static, to write through it when the
// next packet arrives). Views have no copy or move constructor.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct ViewCopiedOut {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    const IPv4View ip = p.ipv4(0);
    static IPv4View previous = ip;  // <-- error
    if (previous) previous.set_ttl(0);
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(ViewCopiedOut, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

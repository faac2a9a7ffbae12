// hole: a header view used after its packet was sent, in the same push call. The typestate analysis follows the Packet, not the views made from it, so the write after send compiles and lands in a packet another element owns.
// closed by: nothing yet. Views cannot leave the push call (no copy, move or address), which limits the hole to the function that holds both; a flow-sensitive lint rule (a view's member call after send/drop of its packet) would close it.
// This compiles, although it is wrong: neither the compiler nor the lint catches it. The test fails
// once something does; then rename the file to bad_*.cpp with an `// expect:` line.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct ViewUsedAfterSend {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    const IPv4View ip = p.ipv4(0);
    if (!ip) {
      ctx.drop(std::move(p), 0);
      return;
    }
    ctx.send(0, std::move(p));
    ip.set_ttl(0);
  }
};

NB_ELEMENT_KERNEL(ViewUsedAfterSend, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

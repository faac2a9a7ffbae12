// expect: invalid invocation of method 'read_be16' on object 'q' while it is in the 'unknown' state
// A read-only helper taking `const Packet&` without NB_PARAM_OWNED: the analysis does not know
// the packet is owned inside the helper, so even reading it is rejected. Correct:
// `const Packet& q NB_PARAM_OWNED` (as Classifier and CheckIPHeader do).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct ReadHelperWithoutAnnotation {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static bool is_ipv4(const Packet& q) {
    std::uint16_t type = 0;
    return q.read_be16(12, type) && type == 0x0800;  // <-- error
  }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    if (is_ipv4(p))
      ctx.send(0, std::move(p));
    else
      ctx.drop(std::move(p), 0);
  }
};

NB_ELEMENT_KERNEL(ReadHelperWithoutAnnotation, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: state of variable 'p' must match at the entry and exit of loop
// A false positive (correct code rejected), kept so that docs/ownership.md stays true: in a
// `while (true)` loop left only by a `return` right after the send, the analysis still merges the
// sending path into the loop's back edge. A `for` loop with a bound and a drop after it, which is
// also clearer, is accepted (good_conditional_paths.cpp).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct InfiniteLoopWithReturn {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    std::uint32_t offset = 0;
    while (true) {  // <-- error
      std::uint8_t b = 0;
      if (!p.read_u8(offset, b) || b != 0) {
        ctx.send(b == 0 ? 1 : 0, std::move(p));
        return;
      }
      ++offset;
    }
  }
};

NB_ELEMENT_KERNEL(InfiniteLoopWithReturn, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

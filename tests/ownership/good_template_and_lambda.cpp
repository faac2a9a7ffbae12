// Correct: a class template element and a lambda taking the packet with NB_OWNED.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

template <std::uint32_t MinLength>
struct MinLengthFilter {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t short_packets;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    auto reject = [&](Packet&& q NB_OWNED) {
      ++state.short_packets;
      if (ctx.connected(1))
        ctx.send(1, std::move(q));
      else
        ctx.drop(std::move(q), 0);
    };
    if (p.length() < MinLength) {
      reject(std::move(p));
      return;
    }
    ctx.send(0, std::move(p));
  }
};

using MinLength60 = MinLengthFilter<60>;
NB_ELEMENT_KERNEL(MinLength60, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

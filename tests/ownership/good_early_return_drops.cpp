// Correct: header validation with early returns, each of which drops the packet first.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct EarlyReturnDrops {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  enum DropReason : std::uint32_t { kShort = 0, kBadVersion, kBadLength };
  struct Config {};
  struct State {
    std::uint64_t bad;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    std::uint8_t vhl = 0;
    if (!p.read_u8(0, vhl)) {
      ++state.bad;
      ctx.drop(std::move(p), kShort);
      return;
    }
    if (vhl >> 4 != 4) {
      ++state.bad;
      ctx.drop(std::move(p), kBadVersion);
      return;
    }
    std::uint16_t total = 0;
    if (!p.read_be16(2, total) || total > p.length()) {
      ++state.bad;
      ctx.drop(std::move(p), kBadLength);
      return;
    }
    p.truncate(total);
    p.anno().network_offset = 0;
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(EarlyReturnDrops, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

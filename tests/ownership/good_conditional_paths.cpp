// Correct: every path gives the packet away exactly once, through if/else, a switch with a
// default, the conditional operator, and a bounded loop that returns after sending.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct ConditionalPaths {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  enum DropReason : std::uint32_t { kShort = 0, kOther, kNoMatch };
  struct Config {
    std::uint32_t nrules;
    std::uint8_t rules[8];
  };
  struct State {
    std::uint64_t tcp, udp, other;
  };

  static bool configure(const Args&, Config& config, std::string&) {
    config = Config{};
    return true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {
    if (in_port == 1) {
      // The conditional operator: both arms give the packet away.
      p.length() >= 60 ? ctx.send(2, std::move(p)) : ctx.drop(std::move(p), kShort);
      return;
    }
    if (in_port == 2) {
      // A bounded loop that returns right after sending, then a drop after the loop.
      for (std::uint32_t i = 0; i < config.nrules && i < 8; ++i) {
        std::uint8_t b = 0;
        if (p.read_u8(i, b) && b == config.rules[i]) {
          ctx.send(i, std::move(p));
          return;
        }
      }
      ctx.drop(std::move(p), kNoMatch);
      return;
    }
    std::uint8_t proto = 0;
    if (!p.read_u8(9, proto)) {
      ctx.drop(std::move(p), kShort);
      return;
    }
    switch (proto) {
      case 6:
        ++state.tcp;
        ctx.send(0, std::move(p));
        break;
      case 17:
        ++state.udp;
        ctx.send(1, std::move(p));
        break;
      default:
        ++state.other;
        if (ctx.connected(2))
          ctx.send(2, std::move(p));
        else
          ctx.drop(std::move(p), kOther);
        break;
    }
  }
};

NB_ELEMENT_KERNEL(ConditionalPaths, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// Correct: a Tee. send_copy leaves the original with the element, so it may be read, copied
// again and finally sent; only the last output gets the original.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct TeeLike {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {
    std::uint32_t noutputs;
  };
  struct State {
    std::uint64_t copies, bytes;
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config = Config{};
    config.noutputs = args.noutputs();
    return config.noutputs > 0;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    for (std::uint32_t port = 0; port + 1 < config.noutputs; ++port) {
      ctx.send_copy(port, p);
      ++state.copies;
    }
    state.bytes += p.length();  // still ours after send_copy
    ctx.send(config.noutputs - 1, std::move(p));
  }
};

NB_ELEMENT_KERNEL(TeeLike, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

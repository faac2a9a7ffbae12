// expect: invalid invocation of method 'write' on object 'p' while it is in the 'consumed' state
// Use after send_copy is fine (the original stays with the element); use after drop is not.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct UseAfterDrop {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {
    std::uint32_t port;
  };
  struct State {
    std::uint64_t count;
  };

  static bool configure(const Args&, Config& config, std::string&) {
    config = Config{};
    return true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {
    (void)in_port;
    ctx.send_copy(config.port, p);  // a copy goes out; p is still owned
    state.count += p.length();      // fine
    ctx.drop(std::move(p), 0);
    const std::uint8_t zero = 0;
    p.write(0, &zero, 1);  // <-- error
  }
};

NB_ELEMENT_KERNEL(UseAfterDrop, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// hole: a lambda that captures the packet by reference ([&]) and sends it is opaque to the caller: the packet is sent twice.
// closed by: nothing proposed (capture by reference is an alias); pass the packet as a Packet&& NB_OWNED parameter instead.
// This compiles, although it is wrong: neither the compiler nor the lint catches it. The test fails
// once something does; then rename the file to bad_*.cpp with an `// expect:` line.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct LambdaCaptureByReference {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t count;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    auto send_it = [&] { ctx.send(0, std::move(p)); };
    send_it();
    ++state.count;
    ctx.send(1, std::move(p));  // double send
  }
};

NB_ELEMENT_KERNEL(LambdaCaptureByReference, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

// expect: an element's Config must be plain data \(trivially copyable\)
// A packet in Config (e.g. a template packet to send copies of): Config is baked into the JIT's
// code as constant bytes and must be plain data; check_element_layout rejects it.
#include <nb/element.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace nb::elements {

struct ConfigHoldsPacket {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {
    std::optional<Packet> prototype;
  };
  struct State {};

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(ConfigHoldsPacket, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

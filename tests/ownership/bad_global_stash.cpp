// expect: no matching function for call to 'construct_at'|call to deleted constructor
// Rejected since Packet is immovable and has no address-of / public constructor: a packet moved into a global or static object escapes the push call: check_element_layout only sees State and Config.
// closed by: deleting Packet's move constructor (see docs/ownership.md, proposed SDK change).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nb::elements {

struct GlobalStash {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t count;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    static std::vector<Packet> stash;  // kept across calls, modified later
    if (!stash.empty()) stash.back().anno().paint = 1;
    stash.push_back(std::move(p));
    ++state.count;
    (void)ctx;
  }
};

NB_ELEMENT_KERNEL(GlobalStash, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

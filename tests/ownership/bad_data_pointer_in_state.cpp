// expect: 'data' is a private member of 'nb::Packet'
// Rejected since element code reaches packet bytes only through typed, length-checked views (nb/headers.hpp): a pointer into the packet's bytes (formerly Packet::data()) kept in State could be written through after the packet was sent, landing in a packet another element owns or in a freed mbuf.
// closed by: making Packet::data() private; views cannot be copied, moved or addressed, so State cannot keep one either (bad_view_in_state.cpp).
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct DataPointerInState {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t count;
    std::uint8_t* last;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    if (state.last) state.last[0] = 0;  // writes into the packet sent last time
    state.last = p.data();
    ++state.count;
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(DataPointerInState, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

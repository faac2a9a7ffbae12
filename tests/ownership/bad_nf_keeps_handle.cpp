// expect: an element's State must be plain data \(trivially copyable\): it cannot keep a Packet
// Isolation between network functions (tests/diff/nf_chain.nbc): the last element of one NF
// hands the packet to the next NF and tries to keep its handle, to look at the packet (or change
// it) while the next NF owns it. State cannot hold a Packet, so the element does not compile.
#include <nb/element.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace nb::elements {

struct NfKeepsHandle {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::optional<Packet> handed_over;  // the packet now owned by the next NF
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    if (state.handed_over) state.handed_over->anno().paint = 9;  // spy on the next NF's packet
    ctx.send_copy(0, p);
    state.handed_over.emplace(std::move(p));
  }
};

NB_ELEMENT_KERNEL(NfKeepsHandle, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

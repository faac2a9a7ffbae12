// expect: an element's State must be plain data \(trivially copyable\): it cannot keep a Packet
// A handle stored in a member and used after send. The analysis does not follow members, so the
// SDK makes the pattern impossible: check_element_layout (called by kernel_ops and
// NB_ELEMENT_KERNEL) requires State to be trivially copyable, which a Packet is not.
// (A Packet in a member of a local struct cannot be made at all: bad_member_of_local_struct.cpp.)
#include <nb/element.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace nb::elements {

// A one-packet delay line: sends the previous packet and keeps the current one.
struct MemberUsedAfterSend {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    Packet held;
    std::uint64_t bytes;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    ctx.send(0, std::move(state.held));
    state.bytes += state.held.length();  // used after send: invisible to the analysis
    std::destroy_at(&state.held);
    std::construct_at(&state.held, std::move(p));
  }
};

NB_ELEMENT_KERNEL(MemberUsedAfterSend, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

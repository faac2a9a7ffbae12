// Correct: typed, length-checked header views. Each view is made from an owned packet, checked
// for emptiness before use, and not used after the packet is given away.
#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace nb::elements {

struct SwapUDPPorts {
  static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;
  struct Config {};
  struct State {
    std::uint64_t swapped;
  };

  static bool configure(const Args&, Config&, std::string&) { return true; }

  static void push(const Config&, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    const EtherView eth = p.ether();
    if (!eth || eth.type() != ether_type::kIPv4) {
      ctx.send(1, std::move(p));
      return;
    }
    const IPv4View ip = p.ipv4(EtherView::kSize);
    if (!ip || !ip.header_fits() || ip.protocol() != ip_proto::kUDP || ip.is_fragment()) {
      ctx.send(1, std::move(p));
      return;
    }
    const UDPView udp = p.udp(EtherView::kSize + ip.header_length());
    if (!udp) {
      ctx.drop(std::move(p), 0);
      return;
    }
    const std::uint16_t src = udp.src_port();
    udp.set_src_port(udp.dst_port());
    udp.set_dst_port(src);  // the UDP checksum sums both ports: unchanged
    ++state.swapped;
    ctx.send(0, std::move(p));
  }
};

NB_ELEMENT_KERNEL(SwapUDPPorts, {}, {});
static_assert(kOps.role == ElementOps::Role::Kernel);

}  // namespace nb::elements

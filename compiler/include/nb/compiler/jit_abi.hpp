// What generated code and the runtime agree on: the transmit buffer layout and the host
// functions JIT code calls (they touch DPDK's per-lcore state, which JIT code must not).
#pragma once

#include <nb/element.hpp>

#include <cstdint>

namespace nb::jit_abi {

inline constexpr std::uint32_t kMaxBurst = 64;

struct TxBuffer {
  std::uint16_t port_id = 0;
  std::uint16_t queue = 0;
  std::uint32_t count = 0;
  rte_mbuf* pkts[kMaxBurst];
};

}  // namespace nb::jit_abi

extern "C" {
// Counts a drop of `element` for `reason` and frees the packet.
void nb_host_drop(void* dataplane, std::uint32_t element, rte_mbuf* m, std::uint32_t reason);
// Counts a copy that could not be made (reason kDropNoBuffers): a packet the element generated
// and dropped at once, so `rx + generated == tx + dropped` holds. Copies that were made are
// counted by HostServices::copy itself (the Context's host is the element's own).
void nb_host_count_drop(void* dataplane, std::uint32_t element, std::uint32_t reason);
// Sends what is buffered for `port`.
void nb_host_flush(void* dataplane, std::uint32_t port);
}

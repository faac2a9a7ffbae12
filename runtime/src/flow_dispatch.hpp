// Spreading packets over workers by flow: the symmetric RSS key nbrun gives multi-queue devices,
// and the same hash computed in software for devices with one receive queue (docs/multicore.md).
#pragma once

#include <nb/flow_hash.hpp>

#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>

namespace nb::runtime::detail {

// The Toeplitz hash of the packet's flow with nb::kSymmetricRssKey, as a NIC's RSS computes it:
// IPv4/IPv6 addresses plus TCP/UDP/SCTP ports (addresses only for fragments and other
// protocols), over an Ethernet header with up to two VLAN tags. 0 for anything else (ARP,
// truncated headers): such packets all go to one worker. Reads only bytes the mbuf holds.
std::uint32_t symmetric_flow_hash(const rte_mbuf* m);
// The same over a frame's bytes.
std::uint32_t symmetric_flow_hash(const std::uint8_t* frame, std::uint32_t len);

// The Toeplitz hash with nb::kSymmetricRssKey of n <= 36 bytes (what rte_softrss computes for
// them as host-order words), by table.
std::uint32_t toeplitz_hash(const std::uint8_t* bytes, std::size_t n);

}  // namespace nb::runtime::detail

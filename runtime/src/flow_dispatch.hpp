// Spreading packets over workers by flow: the symmetric RSS key nbrun gives multi-queue devices,
// and the same hash computed in software for devices with one receive queue (docs/multicore.md).
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

namespace nb::runtime::detail {

// Toeplitz with a key that repeats every 16 bits hashes (a, b, pa, pb) and (b, a, pb, pa) alike:
// both directions of a TCP or UDP flow land on the same queue (Woo and Park, "Scalable TCP
// Session Monitoring with Symmetric Receive-side Scaling").
inline constexpr std::uint8_t kSymmetricRssKey[52] = {
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a};

// The Toeplitz hash of the packet's flow with kSymmetricRssKey, as a NIC's RSS computes it:
// IPv4/IPv6 addresses plus TCP/UDP/SCTP ports (addresses only for fragments and other
// protocols), over an Ethernet header with up to two VLAN tags. 0 for anything else (ARP,
// truncated headers): such packets all go to one worker. Reads only bytes the mbuf holds.
std::uint32_t symmetric_flow_hash(const rte_mbuf* m);

}  // namespace nb::runtime::detail

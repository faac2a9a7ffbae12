// What nbrun does to start forwarding sooner than DPDK's defaults allow, where it costs nothing
// in what the router does afterwards (docs/performance.md, "Start-up").
#pragma once

#include <rte_mempool.h>

#include <cstdint>

namespace nb::runtime::detail {

// rte_eal_init, with the TSC's rate measured over kTscCalibrationNs instead of DPDK's 100 ms
// where the CPU does not report the rate (see fast_start.cpp).
int init_eal(int argc, char** argv);

// The packet-buffer pool: what rte_pktmbuf_pool_create makes, with the same objects, but packed
// and its pages faulted in with one system call where DPDK runs without hugepages in IOVA-as-VA
// mode; elsewhere rte_pktmbuf_pool_create itself. nullptr (rte_errno set) when it cannot be made.
rte_mempool* create_packet_pool(const char* name, std::uint32_t n, std::uint32_t cache, std::uint16_t data_room,
                                int socket);

}  // namespace nb::runtime::detail

#include "fast_start.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_memzone.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <ctime>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels refuse it and the pages fault in one by one
#endif

namespace {

// DPDK 22.11 (set_tsc_freq in eal_timer.c) asks the CPU for the TSC's rate and, where it does
// not say (AMD's CPUs, most virtual machines: no CPUID leaf 0x15), measures it against
// CLOCK_MONOTONIC_RAW across one nanosleep of exactly 100 ms, then rounds it to 10 MHz. That
// sleep was the largest single part of nbrun's start-up. nbrun shortens that one sleep, on the
// thread running rte_eal_init and only while it runs: 10 ms still gives a rate within a few
// thousandths of 10 MHz, and DPDK's rounding hides the difference (on the development VMs all
// of 20 starts under full load got the 100-ms figure).
constexpr long kTscCalibrationNs = 10'000'000;
constexpr long kDpdkTscCalibrationNs = 100'000'000;
thread_local bool t_in_eal_init = false;

}  // namespace

// Every other nanosleep of the process is glibc's own: CLOCK_REALTIME, relative, errno set on
// failure (glibc's nanosleep is this call). Defined in the program, it takes the place of libc's
// for the DPDK libraries too.
extern "C" int nanosleep(const struct timespec* request, struct timespec* remaining) {
  struct timespec shortened;
  if (t_in_eal_init && request && request->tv_sec == 0 && request->tv_nsec == kDpdkTscCalibrationNs) {
    shortened = {0, kTscCalibrationNs};
    request = &shortened;
  }
  const int error = clock_nanosleep(CLOCK_REALTIME, 0, request, remaining);
  if (error != 0) {
    errno = error;
    return -1;
  }
  return 0;
}

namespace nb::runtime::detail {

int init_eal(int argc, char** argv) {
  t_in_eal_init = true;
  const int rc = rte_eal_init(argc, argv);
  t_in_eal_init = false;
  return rc;
}

namespace {

void free_pool_memory(rte_mempool_memhdr*, void* zone) {
  rte_memzone_free(static_cast<const rte_memzone*>(zone));
}

}  // namespace

rte_mempool* create_packet_pool(const char* name, std::uint32_t n, std::uint32_t cache, std::uint16_t data_room,
                                int socket) {
  // With hugepages (real NICs), or where IOVAs are physical addresses, DPDK's own layout: no
  // object crosses a page, so each is contiguous for a device's DMA.
  if (rte_eal_has_hugepages() || rte_eal_iova_mode() != RTE_IOVA_VA)
    return rte_pktmbuf_pool_create(name, n, cache, 0, data_room, socket);

  // Without hugepages DPDK keeps every object within one 4-KiB page: one 2.2-KiB buffer per
  // page, every page written once as the pool is made, each a page fault (about 5 us on the VMs
  // nb is developed on; 8191 buffers took 91 ms). In IOVA-as-VA mode a virtually contiguous
  // object is contiguous for DMA too, so the objects may cross pages: packed, they need 58% of
  // the pages, and madvise(MADV_POPULATE_WRITE) maps those in one call (8191 buffers: 32 ms).
  rte_pktmbuf_pool_private priv{};
  priv.mbuf_data_room_size = data_room;
  priv.mbuf_priv_size = 0;
  rte_mempool* mp = rte_mempool_create_empty(name, n, sizeof(rte_mbuf) + data_room, cache, sizeof priv, socket,
                                             RTE_MEMPOOL_F_NO_IOVA_CONTIG);
  if (!mp) return nullptr;
  if (rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), nullptr) != 0) {
    rte_mempool_free(mp);
    rte_errno = EINVAL;
    return nullptr;
  }
  rte_pktmbuf_pool_init(mp, &priv);
  const std::size_t object = static_cast<std::size_t>(mp->header_size) + mp->elt_size + mp->trailer_size;
  const std::size_t bytes = static_cast<std::size_t>(n) * object;
  char zone_name[RTE_MEMZONE_NAMESIZE];
  std::snprintf(zone_name, sizeof zone_name, "%s_mem", name);
  const rte_memzone* zone = rte_memzone_reserve_aligned(zone_name, bytes, socket, 0, RTE_CACHE_LINE_SIZE);
  if (!zone) {
    const int why = rte_errno;
    rte_mempool_free(mp);
    rte_errno = why;
    return nullptr;
  }
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto first = reinterpret_cast<std::uintptr_t>(zone->addr) & ~(page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(zone->addr) + bytes + page - 1) & ~(page - 1);
  (void)madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE);  // a speed-up only
  const int added = rte_mempool_populate_iova(mp, static_cast<char*>(zone->addr), zone->iova, bytes, free_pool_memory,
                                              const_cast<rte_memzone*>(zone));
  if (added < 0 || static_cast<std::uint32_t>(added) != n) {
    if (added < 0) rte_memzone_free(zone);  // not attached to the pool
    rte_mempool_free(mp);
    rte_errno = added < 0 ? -added : ENOMEM;
    return nullptr;
  }
  rte_mempool_obj_iter(mp, rte_pktmbuf_init, nullptr);
  return mp;
}

}  // namespace nb::runtime::detail

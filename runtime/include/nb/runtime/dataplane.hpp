// The state one worker core runs a graph with: element State blocks, drop counters, transmit
// buffers. Engines (interpreter, JIT) only append to these; the runner owns ports and polling.
#pragma once

#include <nb/compiler/jit_abi.hpp>
#include <nb/compiler/plan.hpp>

#include <rte_mbuf.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nb::runtime {

struct PortCounters {
  std::uint64_t rx = 0;
  std::uint64_t tx = 0;
  std::uint64_t tx_dropped = 0;  // the device would not take them after bounded retries
};

// Per output port: packets waiting for rte_eth_tx_burst (generated code appends to it too).
using TxQueue = jit_abi::TxBuffer;

struct Dataplane {
  Dataplane(const compiler::Plan& plan, rte_mempool* pool, std::uint32_t burst);
  ~Dataplane();  // tears down what setup_elements() set up
  Dataplane(const Dataplane&) = delete;
  Dataplane& operator=(const Dataplane&) = delete;

  // Runs every element's optional setup hook (ElementOps::setup: DPDK tables such as rte_lpm)
  // once EAL is up. False with "element: reason" in `error` at the first that fails.
  bool setup_elements(std::string& error);

  const compiler::Plan& plan;
  rte_mempool* pool;
  std::uint32_t burst;
  std::vector<compiler::AlignedBlock> states;
  // drops[e][r]: element e dropped for reason r; the last two slots are "no buffers" (a copy
  // failed) and "unconnected output" (a kernel sent to an output that leads nowhere).
  std::vector<std::vector<std::uint64_t>> drops;
  std::vector<TxQueue> tx;
  std::vector<PortCounters> ports;
  HostServices host;
  std::vector<bool> set_up;  // setup succeeded: teardown is due

  std::uint32_t reason_slot(std::uint32_t element, std::uint32_t reason) const;
  void count_drop(std::uint32_t element, std::uint32_t reason) { ++drops[element][reason_slot(element, reason)]; }
  void free_drop(std::uint32_t element, rte_mbuf* m, std::uint32_t reason) {
    count_drop(element, reason);
    rte_pktmbuf_free(m);
  }
  void transmit(std::uint32_t port, rte_mbuf* m) {
    TxQueue& q = tx[port];
    q.pkts[q.count++] = m;
    if (q.count >= burst) flush(port);
  }
  void flush(std::uint32_t port);
  void flush_all();
};

// What every engine implements: run one received burst through the graph from `source`.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual void process(std::uint32_t source, rte_mbuf** pkts, std::uint32_t n) = 0;
};

}  // namespace nb::runtime

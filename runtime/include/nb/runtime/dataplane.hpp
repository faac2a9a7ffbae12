// The state one worker core runs a graph with: element State blocks, drop counters, transmit
// buffers. Engines (interpreter, JIT) only append to these; the runner owns ports and polling.
#pragma once

#include <nb/compiler/jit_abi.hpp>
#include <nb/compiler/plan.hpp>

#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nb::runtime {

struct PortCounters {
  std::uint64_t rx = 0;
  std::uint64_t tx = 0;
  std::uint64_t tx_dropped = 0;  // the device would not take them after bounded retries
  std::uint64_t rx_bursts = 0, tx_bursts = 0;  // non-empty rx_burst and tx_burst calls
  // Software dispatch: received packets still in a worker's ring when a signal, --duration or
  // nbctl stop ended the run (or a reload removed the port), freed unprocessed.
  std::uint64_t dispatch_dropped = 0;
  // FromDump's time window: records read from the file and freed unprocessed, before START or
  // from the record at its end on (outside the invariant: they never entered the graph).
  std::uint64_t skipped = 0;
};

struct Dataplane;

// HostServices::runtime of one element: its copies are counted where they are made (copy_packet),
// so that a graph that makes none pays nothing per packet.
struct ElementHost {
  HostServices host;
  Dataplane* dp = nullptr;
  std::uint32_t element = 0;
};

// Per output port: packets waiting for rte_eth_tx_burst (generated code appends to it too).
using TxQueue = jit_abi::TxBuffer;

// Counters the worker core alone writes and the control thread reads while it runs: written with
// relaxed atomic stores (plain moves on x86-64 and AArch64), read with relaxed atomic loads.
inline std::uint64_t load_counter(const std::uint64_t& c) { return __atomic_load_n(&c, __ATOMIC_RELAXED); }
inline void add_counter(std::uint64_t& c, std::uint64_t n) {
  __atomic_store_n(&c, __atomic_load_n(&c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

// Element State blocks, drop counters and port counters are held by shared pointers: after a hot
// reload, the new graph's dataplane holds the very blocks of the elements (matched by name and
// class) and ports it kept, so nothing counted between a copy and the switch could be lost.
struct Dataplane {
  Dataplane(const compiler::Plan& plan, rte_mempool* pool, std::uint32_t burst);
  Dataplane(const Dataplane&) = delete;
  Dataplane& operator=(const Dataplane&) = delete;
  ~Dataplane();  // says how many element messages the rate limit held back, if any

  // Runs the optional setup hook (ElementOps::setup: DPDK tables such as rte_lpm) of every
  // element whose State is fresh, i.e. not kept from the graph before a hot reload. Needs EAL.
  // False with "element (Class): reason" in `error` at the first that fails (what was set up is
  // torn down when the Dataplane goes).
  bool setup_elements(std::string& error);

  const compiler::Plan& plan;
  rte_mempool* pool;
  std::uint32_t burst;
  std::vector<std::shared_ptr<compiler::AlignedBlock>> states;  // null for sources and sinks
  // (*drops[e])[r]: element e dropped for reason r; the last two slots are "no buffers" (a copy
  // failed) and "unconnected output" (a kernel sent to an output that leads nowhere).
  std::vector<std::shared_ptr<std::vector<std::uint64_t>>> drops;
  // (*generated[e]): packets element e made (copies, Context::send_copy), counting those that
  // found no buffer (also dropped as "no buffers"): rx + generated == tx + dropped.
  std::vector<std::shared_ptr<std::uint64_t>> generated;
  std::vector<TxQueue> tx;
  std::vector<std::uint32_t> tx_burst;  // per port: ToDevice BURST, or `burst`
  // Per port: wait for room instead of dropping after bounded retries - a ToDump's writer thread
  // may fall behind a worker reading a file, which must not lose packets for it - until `stop`
  // (the run is ending) is set.
  std::vector<char> tx_waits;
  // Per port: the lock of a transmit queue several workers share (null: this worker's own queue,
  // or a device that takes several producers, such as ToDump's ring).
  std::vector<rte_spinlock_t*> tx_locks;
  const std::atomic<bool>* stop = nullptr;
  std::vector<std::shared_ptr<PortCounters>> ports;
  HostServices host;               // for code that knows no element (counts under none)
  std::vector<ElementHost> hosts;  // per element: what its Context gets (sized once, never moved)
  // HostServices::log: at most kLogPerSecond lines a second reach stderr; the rest are counted
  // and their number printed with the next line that passes, and when the Dataplane goes.
  static constexpr std::uint32_t kLogPerSecond = 10;
  struct LogLimit {
    std::int64_t second = -1;   // the steady-clock second the count is for
    std::uint32_t printed = 0;  // lines printed in it
    std::uint64_t held = 0;     // lines held back since the last one printed
  } log_limit;
  // An element's set-up State: tears it down (ElementOps::teardown, with the Config it was set
  // up with) when the last graph holding the State block lets it go. Shared with the State.
  struct SetupGuard {
    const ElementOps* ops;
    compiler::AlignedBlock config;
    std::shared_ptr<compiler::AlignedBlock> state;
    // Several workers and ElementOps::teardown_workers: every worker's block, torn down together
    // by this guard (the workers' own guards are then disarmed).
    std::vector<std::shared_ptr<compiler::AlignedBlock>> group;
    bool armed = true;
    SetupGuard(const ElementOps* o, const compiler::AlignedBlock& c, std::shared_ptr<compiler::AlignedBlock> s);
    SetupGuard(const SetupGuard&) = delete;
    SetupGuard& operator=(const SetupGuard&) = delete;
    ~SetupGuard();
  };
  std::vector<std::shared_ptr<SetupGuard>> guards;  // null: nothing set up
  std::vector<char> fresh_guards;                    // per element: setup_elements made its guard

  // The JIT's slot table of this dataplane (JitLayout::per_worker): States, hosts, tx buffers.
  // Built once the States are final (after setup and reload sharing), before the engine runs.
  std::vector<void*> slots;
  void build_slots();
  std::uint32_t worker = 0;  // which worker runs it

  void* state(std::uint32_t element) const { return states[element] ? states[element]->data() : nullptr; }
  std::uint32_t reason_slot(std::uint32_t element, std::uint32_t reason) const;
  void count_drop(std::uint32_t element, std::uint32_t reason) {
    add_counter((*drops[element])[reason_slot(element, reason)], 1);
  }
  void free_drop(std::uint32_t element, rte_mbuf* m, std::uint32_t reason) {
    count_drop(element, reason);
    rte_pktmbuf_free(m);
  }
  // A copy an element asked for and could not get (no buffer, or no room left to emit it): one
  // packet generated and dropped at once.
  void copy_failed(std::uint32_t element) {
    count_drop(element, kDropNoBuffers);
    add_counter(*generated[element], 1);
  }
  void transmit(std::uint32_t port, rte_mbuf* m) {
    TxQueue& q = tx[port];
    q.pkts[q.count++] = m;
    if (q.count >= tx_burst[port]) flush(port);
  }
  void flush(std::uint32_t port);
  void flush_all();
  std::uint64_t total_drops() const;  // every element's drops and every port's tx_dropped
  std::uint64_t total_generated() const;
};

// What every engine implements: run one received burst through the graph from `source`.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual void process(std::uint32_t source, rte_mbuf** pkts, std::uint32_t n) = 0;
  // Whether process() resets the received packets' annotations itself where the graph needs it
  // (the JIT's code does, and leaves them alone when nothing reads them); otherwise the worker
  // resets every packet's before calling it.
  virtual bool resets_annotations() const { return false; }
};

}  // namespace nb::runtime

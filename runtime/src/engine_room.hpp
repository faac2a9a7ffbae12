// What runner.cpp (EAL, ports, workers) and control.cpp (control socket, handlers, hot reload)
// share inside nb_runtime. Not installed, not used outside runtime/src.
#pragma once

#include <nb/compiler/plan.hpp>
#include <nb/compiler/registry.hpp>
#include <nb/lang/diagnostics.hpp>
#include <nb/lang/source.hpp>
#include <nb/runtime/dataplane.hpp>
#include <nb/runtime/runner.hpp>

#include "kernel_filter.hpp"
#include "pcap_writer.hpp"
#include "pull.hpp"

#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nb::runtime::detail {

inline constexpr std::uint16_t kNoPort = 0xffff;

// A DPDK port nbrun opened. Generations that use the same device (same kind and file or device
// string) share one slot, so a reload keeps it open and its counters running.
struct PortSlot {
  std::string key;
  std::string vdev_name;  // the virtual device nbrun created for it (removed when closed)
  std::uint16_t id = kNoPort;
  std::uint16_t nrx = 0, ntx = 0;
  bool started = false;
  bool finite = false;  // a pcap file read once
  // Per worker (written by that worker alone); [0] is `counters`. Reports sum them.
  std::shared_ptr<PortCounters> counters = std::make_shared<PortCounters>();
  std::vector<std::shared_ptr<PortCounters>> worker_counters{counters};
  // ---- several workers (docs/multicore.md) ----
  // Receive: with one queue per worker, worker w polls rx_queue + w. Otherwise (software
  // dispatch) worker `reader` alone polls the device and hands each packet to the worker its
  // symmetric flow hash names, through that worker's ring (rings[w]; none for the reader).
  bool dispatch = false;
  std::uint32_t reader = 0;
  // A queue per worker, but the device spreads packets by its own hash (the kernel's for
  // net_af_packet and net_tap, none for net_ring): each worker re-steers what it receives by
  // the runtime's rule (nb::worker_of_hash), so a flow's worker is the same whatever the device.
  bool steer = false;
  // Every receive queue is polled, queue q by worker q mod N (net_af_packet: the kernel spreads
  // frames over all of them whatever nbrun configures).
  bool all_queues = false;
  std::vector<rte_ring*> rings;  // per destination worker (dispatch: none for the reader)
  // The reader saw the end of a finite input: what it dispatched is in the rings.
  std::atomic<bool> rx_ended{false};
  // Transmit: with one queue per worker, worker w sends on tx_queue + w. Otherwise the workers
  // share tx_queue: ToDump's ring takes several producers as it is (multi-producer RTS ring);
  // any other device is sent to under tx_lock.
  bool tx_per_worker = false;
  bool tx_locked = false;
  rte_spinlock_t tx_lock = RTE_SPINLOCK_INITIALIZER;
  // A source's `active` handler (FromDump ACTIVE): the worker polls the port only while true.
  // Kept with the port, so a reload that keeps the source keeps it paused or running.
  std::atomic<bool> active{true};
  // ToDump: the ring behind the net_ring port, and the thread that writes it to the file.
  rte_ring* ring = nullptr;
  std::unique_ptr<PcapWriter> writer;
  std::string write_failure;  // the writer's failure, kept after settle_slot
  std::uint32_t snaplen = 0;  // ToDump's SNAPLEN, fixed while the file is open
  // A tap of the host elements (FromHost, ToHost, KernelTap, KernelTun): the kernel interface's
  // name and the settings it was made with (a reload keeps them).
  std::string host_iface;
  std::string host_settings;
  std::uint16_t rx_desc = 0, tx_desc = 0;  // descriptors asked for each queue (after DPDK's adjustment)
  // FromDevice(eth0, SNIFFER false): the tc program keeping eth0's frames from the kernel.
  KernelFilter kernel_filter;
  bool hide_from_kernel = false;  // what the graph that opened it asked (SNIFFER false)
};

struct Source {
  std::uint32_t element;
  std::uint32_t plan_port;
  std::uint16_t port_id;
  std::uint16_t queue;
  bool finite;    // a pcap file read once: ends the run when every source has ended
  std::uint16_t burst = 32;                   // FromDevice BURST, or nbrun --burst
  const std::atomic<bool>* active = nullptr;  // the port's `active` handler
  int prev = -1;  // the same port's source in the previous generation (its end carries over)
  bool stop = false;  // FromDump(..., STOP true): its end stops the router, whatever else runs
  bool timing = false;  // FromDump(..., TIMING true): a record leaves when the trace's clock says
  compiler::TraceWindow window{};  // FromDump(..., START ..., END ...): the part of the trace read
  // Software dispatch: read from this ring (the port's reader fills it) instead of the device.
  rte_ring* ring = nullptr;
  PortSlot* slot = nullptr;
  // This worker reads the device and hands packets to the others (PortSlot::dispatch).
  bool dispatches = false;
};

// An element whose State a class-specific hook moves (ElementOps::transfer): run by the worker
// at the switch.
struct Transfer {
  void (*fn)(const void*, const void*, const void*, void*);
  const void* old_config;
  const void* old_state;
  const void* new_config;
  void* new_state;
};

// One compiled graph with everything it runs on. The worker reads it through a published
// pointer; the control thread frees it only after every worker moved on (rte_rcu_qsbr).
struct Generation {
  std::uint64_t id = 1;      // internal: every switch (reload, or the JIT taking over) makes a new one
  std::uint64_t number = 1;  // what users see: 1 + successful reloads
  // The engine build_dataplane makes: "jit" or "interp"; empty: the run's (--engine, where
  // "tiered" means the JIT).
  std::string engine;
  std::string file;
  std::unique_ptr<lang::SourceManager> source_files;  // reloads: the plan's spans point into it
  std::unique_ptr<compiler::Plan> owned_plan;
  compiler::Plan* plan = nullptr;
  std::vector<std::shared_ptr<PortSlot>> ports;  // per plan port
  // Per worker: its dataplane (State blocks, counters, tx buffers), its engine (JIT engines
  // share one compiled graph), what it polls, and the State moves it runs at its switch.
  std::vector<std::unique_ptr<Dataplane>> dps;
  std::vector<std::unique_ptr<Engine>> engines;  // destroyed first: frees the JIT code
  std::vector<std::unique_ptr<PullRunner>> pullers;  // per worker, when the plan has tasks
  std::vector<std::vector<Source>> sources;
  std::vector<std::vector<Transfer>> transfers;
  std::map<std::string, std::uint32_t, std::less<>> by_name;
  std::uint32_t nworkers() const { return static_cast<std::uint32_t>(dps.size()); }

  ~Generation() {
    pullers.clear();
    engines.clear();
    dps.clear();
  }
};

// A handler call that must run on the worker core between two bursts. Whoever takes it out of
// the mailbox (worker, or the control thread withdrawing it) owns it.
struct WorkerCall {
  std::function<void()> fn;
  std::atomic<bool> done{false};
};

// Totals the workers publish for the progress line.
struct Live {
  std::atomic<std::uint64_t> rx{0}, tx{0}, dropped{0};
  std::atomic<bool> finished{false};  // every worker stopped
};

struct Worker {
  std::uint32_t index = 0;
  unsigned lcore = 0;
  std::uint32_t nworkers = 1;
  std::atomic<bool> finished{false};
  // Published every 256 passes (and at the end) for nbctl stats and the progress line.
  std::atomic<std::uint64_t> processed{0};  // packets it ran through the graph
  std::atomic<std::uint64_t> live_cycles{0};
  std::atomic<Generation*> published{nullptr};
  std::atomic<WorkerCall*> mailbox{nullptr};
  rte_rcu_qsbr* qsv = nullptr;
  unsigned rcu_id = 0;
  // Reload measurements: the control thread sets measure_epoch odd while a reload is under way;
  // the worker then records the longest gap between the ends of two consecutive loop passes.
  std::atomic<std::uint64_t> measure_epoch{0};
  std::atomic<std::uint64_t> max_gap_tsc{0};
  std::atomic<std::uint64_t> switched_gen{0};    // the generation it last switched to
  std::atomic<std::uint64_t> switch_tsc{0};      // when
  std::atomic<std::uint64_t> first_done_gen{0};  // the generation whose first loop pass completed
  // From the end of the last pass on the old generation to the end of the first on the new one.
  std::atomic<std::uint64_t> switch_gap_tsc{0};

  std::uint64_t packet_limit = 0;
  std::atomic<std::uint64_t>* budget = nullptr;    // --packets not yet asked of a device
  std::atomic<std::uint64_t>* received = nullptr;  // --packets received, over every worker
  std::atomic<std::uint32_t>* exited = nullptr;  // workers out of their loop
  std::uint32_t burst = 32;
  Live* live = nullptr;
  std::string stop_reason;
  std::uint64_t cycles = 0;       // TSC cycles the worker loop ran
  std::uint64_t first_packet_tsc = 0;  // when its first burst was processed and sent (start-up time)
  void (*tick)(void*) = nullptr;  // progress when the worker runs on the main lcore
  void* tick_arg = nullptr;
};

// Counters of elements and ports that reloads removed, so that totals still add up.
struct Retired {
  std::uint64_t rx = 0, tx = 0, port_dropped = 0, element_drops = 0, generated = 0, missed = 0;
  std::vector<std::string> errors;  // ToDump write failures of removed ports
};

// A port's counters over every worker.
inline PortCounters port_totals(const PortSlot& s) {
  PortCounters t;
  for (const auto& c : s.worker_counters) {
    t.rx += load_counter(c->rx);
    t.tx += load_counter(c->tx);
    t.tx_dropped += load_counter(c->tx_dropped);
    t.dispatch_dropped += load_counter(c->dispatch_dropped);
    t.skipped += load_counter(c->skipped);
    t.rx_bursts += load_counter(c->rx_bursts);
    t.tx_bursts += load_counter(c->tx_bursts);
  }
  return t;
}

// PortReport::missed of a device: what it had and never gave nb.
inline std::uint64_t missed_of(const rte_eth_stats& st) {
  return st.imissed + st.ierrors + st.rx_nombuf;
}

// The state of one nbrun: owned by run(); while the control thread runs, only it changes
// `current`.
struct Runtime {
  const RunOptions& options;
  rte_mempool* pool = nullptr;
  const compiler::Registry* registry = nullptr;
  std::unique_ptr<Generation> current;
  std::vector<Worker*> workers;
  std::uint32_t nworkers = 1;  // fixed for the run: every generation is built for them
  std::uint32_t next_reader = 0;  // software dispatch: the next port's reader, round robin
  rte_rcu_qsbr* qsv = nullptr;
  std::uint64_t next_vdev = 0;
  std::uint64_t next_generation = 2;
  Retired retired;
  std::uint64_t reloads = 0, failed_reloads = 0;
  // --engine tiered: the first graph runs on the interpreter until the control thread has its
  // JIT code (ControlServer::tier_up).
  bool tier_up_pending = false;
  double jit_ready_ms = -1;  // when that happened, in ms from the config file being read
  std::chrono::steady_clock::time_point start;

  explicit Runtime(const RunOptions& o) : options(o) {}
};

// runner.cpp: ports and generations.
std::string port_key(const compiler::PlanPort& p);
// Gives every port of gen.plan a slot: the one of `previous` with the same key (checked to have
// the queues it needs), or a newly opened and started one. On failure reports to `diags`, closes
// what it opened and returns false.
bool attach_ports(Runtime& rt, Generation& gen, const Generation* previous, lang::DiagnosticEngine& diags);
void close_slot(PortSlot& slot);
// ToDump ports: writes what the port's ring holds, stops its writer, and moves the packets it
// could not write from the port's tx to its dropped count. Only once no worker uses the slot.
void settle_slot(PortSlot& slot);
// Builds gen.dp (sharing State, drop and port counters with `previous` where elements and ports
// match), gen.engine, gen.sources and gen.by_name. On failure sets `error`.
bool build_dataplane(Runtime& rt, Generation& gen, const Generation* previous, std::string& error);
// The statistics of the running generation plus what reloads retired.
// final: the worker has stopped, so custom read handlers may run here (ElementReport::handlers).
void fill_report(const Runtime& rt, const Generation& gen, double seconds, RunReport& r, bool final = false);
// A Custom read handler's text over every worker's State of `element`: HandlerSpec::read_workers,
// or `read` per worker, summed when each text is one number, else under "worker W:" headings.
// Only while no worker runs, or every worker is parked.
// The State blocks of `element` over the workers, each once (one block serving several workers counts once).
std::vector<void*> distinct_states(const Generation& gen, std::uint32_t element);
std::string read_custom(const HandlerSpec& h, const void* config, const Generation& gen, std::uint32_t element);

// Stop events (docs/control.md, DriverManager): while the running graph has a DRIVER script, an
// element that asks the run to stop does not end it; the worker posts a stop event instead and
// the control thread steps the script (`step router`), which ends the run when it ends.
// The control thread sets it from the graph, before the workers start and at each reload.
bool driver_managed();
// Counts one stop event and wakes the control thread (a worker or the control thread).
void post_stop_event();

}  // namespace nb::runtime::detail

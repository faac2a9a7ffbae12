// What runner.cpp (EAL, ports, workers) and control.cpp (control socket, handlers, hot reload)
// share inside nb_runtime. Not installed, not used outside runtime/src.
#pragma once

#include <nb/compiler/plan.hpp>
#include <nb/compiler/registry.hpp>
#include <nb/lang/diagnostics.hpp>
#include <nb/lang/source.hpp>
#include <nb/runtime/dataplane.hpp>
#include <nb/runtime/runner.hpp>

#include "pcap_writer.hpp"

#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

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
  std::shared_ptr<PortCounters> counters = std::make_shared<PortCounters>();
  // A source's `active` handler (FromDump ACTIVE): the worker polls the port only while true.
  // Kept with the port, so a reload that keeps the source keeps it paused or running.
  std::atomic<bool> active{true};
  // ToDump: the ring behind the net_ring port, and the thread that writes it to the file.
  rte_ring* ring = nullptr;
  std::unique_ptr<PcapWriter> writer;
  std::string write_failure;  // the writer's failure, kept after settle_slot
  std::uint32_t snaplen = 0;  // ToDump's SNAPLEN, fixed while the file is open
  std::uint16_t rx_desc = 0, tx_desc = 0;  // descriptors asked for each queue (after DPDK's adjustment)
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
  std::uint64_t id = 1;
  std::string file;
  std::unique_ptr<lang::SourceManager> source_files;  // reloads: the plan's spans point into it
  std::unique_ptr<compiler::Plan> owned_plan;
  compiler::Plan* plan = nullptr;
  std::vector<std::shared_ptr<PortSlot>> ports;  // per plan port
  std::unique_ptr<Dataplane> dp;
  std::unique_ptr<Engine> engine;  // destroyed first: frees the JIT code (its ResourceTracker)
  std::vector<Source> sources;
  std::vector<Transfer> transfers;
  std::map<std::string, std::uint32_t, std::less<>> by_name;

  ~Generation() {
    engine.reset();
    dp.reset();
  }
};

// A handler call that must run on the worker core between two bursts. Whoever takes it out of
// the mailbox (worker, or the control thread withdrawing it) owns it.
struct WorkerCall {
  std::function<void()> fn;
  std::atomic<bool> done{false};
};

// Totals the worker publishes for the progress line.
struct Live {
  std::atomic<std::uint64_t> rx{0}, tx{0}, dropped{0};
  std::atomic<bool> finished{false};
};

struct Worker {
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
  rte_rcu_qsbr* qsv = nullptr;
  std::uint64_t next_vdev = 0;
  std::uint64_t next_generation = 2;
  Retired retired;
  std::uint64_t reloads = 0, failed_reloads = 0;
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

}  // namespace nb::runtime::detail

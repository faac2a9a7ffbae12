// nbrun's engine room: EAL start-up, ports, the worker loop, and the final statistics.
#pragma once

#include <nb/compiler/driver.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/compiler/registry.hpp>
#include <nb/lang/diagnostics.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nb::runtime {

// The most worker cores one nbrun runs (--workers).
inline constexpr std::uint32_t kMaxWorkers = 64;

struct RunOptions {
  // "jit": the graph's JIT code from the first packet (start-up waits for LLVM); "interp": the
  // reference interpreter; "tiered": the interpreter from the first packet, then the JIT code
  // once it is ready, switched to as a hot reload switches (docs/performance.md "Fast start").
  std::string engine = "jit";
  // Worker cores, each running the whole graph (docs/multicore.md); 0: every EAL worker lcore
  // (--workers auto).
  std::uint32_t workers = 1;
  bool jit_cache = true;  // the on-disk cache of compiled code (--no-jit-cache)
  // When the config file was read (nbrun: just after reading it): start-up times are reported
  // from there. Unset: not reported.
  std::chrono::steady_clock::time_point read_at{};
  double duration = 0;        // seconds; 0 = until sources end or a signal
  std::uint64_t packets = 0;  // stop after this many received packets; 0 = no limit
  std::uint32_t burst = 32;
  std::uint32_t rx_desc = 1024;
  std::uint32_t tx_desc = 1024;
  std::uint32_t mempool = 0;  // mbufs; 0 = sized from the graph
  std::uint32_t tx_retries = 16;
  bool progress = true;       // live line on stderr (only when it is a terminal)
  std::vector<std::string> eal_args;  // after "--"; empty = the embedded default
  // Hot reload and control (docs/control.md).
  std::string config_path;            // the file `reload` without a FILE, SIGHUP and --watch read
  bool control = true;                // serve the control socket
  std::string control_path;           // empty: $XDG_RUNTIME_DIR/nb or /run/nb, nbrun-PID.sock
  bool watch = false;                 // reload config_path when it changes
  // Plugins given by --plugin: loaded again into every reloaded graph (its require()s add more).
  std::vector<std::shared_ptr<const compiler::Plugin>> plugins;
  const compiler::Registry* registry = nullptr;  // element classes for reloads; null: built-ins
  // NAME=VALUE definitions from nbrun's command line: every reloaded graph gets them too.
  compiler::Definitions definitions;
};

struct PortReport {
  std::string name, device;
  std::uint64_t rx = 0, tx = 0, dropped = 0;
  // Non-empty bursts received and sent (rx / rx_bursts: the mean burst), the descriptors the
  // device's queues got (0 where the port has no such queue), and promiscuous mode.
  std::uint64_t rx_bursts = 0, tx_bursts = 0;
  std::uint32_t rx_desc = 0, tx_desc = 0;
  bool promisc = false;
  std::string error;  // a ToDump whose file could not be written: why (the run then fails)
  // Packets the device had but never gave nb (imissed + ierrors + rx_nombuf): not in rx, so not
  // in the invariant; DPDK's own counters of the port (rte_eth_stats), to check nb's against.
  std::uint64_t missed = 0;
  bool has_driver = false;
  std::uint64_t ipackets = 0, opackets = 0, imissed = 0, ierrors = 0, oerrors = 0, rx_nombuf = 0;
  // Several workers: the queues the workers use (one each, or 1: shared or dispatched), whether
  // one worker reads the port and spreads its packets (software dispatch), and the received
  // packets that dispatch freed unprocessed because the run was interrupted (in `dropped`).
  std::uint32_t rx_queues = 0, tx_queues = 0;
  bool dispatch = false;
  bool steer = false;  // a queue per worker, re-steered by flow (the device spreads its own way)
  std::uint64_t dispatch_dropped = 0;
  // FromDump with a time window (START, END, ...): records read and left out (PortCounters::
  // skipped); outside the invariant, like missed. driver ipackets == rx + skipped.
  bool window = false;
  std::uint64_t skipped = 0;
};

// What one worker core did. `rx`: packets it took from devices; `processed`: packets it ran
// through the graph (its own and those software dispatch handed it): the workers' `processed`
// add up to the run's rx.
struct WorkerReport {
  std::uint32_t index = 0;
  unsigned lcore = 0;
  std::uint64_t rx = 0, processed = 0, tx = 0, dropped = 0;
  std::uint64_t cycles = 0;  // TSC cycles its loop has run
};

struct ElementReport {
  std::string name, cls;
  std::vector<std::pair<std::string, std::uint64_t>> counters;  // State counters, in order
  std::vector<std::pair<std::string, std::uint64_t>> drop_reasons;
  std::uint64_t drops = 0;
  std::uint64_t generated = 0;  // packets it made (copies), counting those that found no buffer
  double rate = 0;              // packets per second over the run, for elements with a "count"
  // Custom read handlers' text at the end of the run (SignatureMatcher's per-signature matches).
  std::vector<std::pair<std::string, std::string>> handlers;
};

// rx + generated == tx + dropped, exactly, once the worker has stopped (docs/control.md).
struct RunReport {
  double seconds = 0;
  std::uint64_t rx = 0, tx = 0, dropped = 0;
  std::uint64_t generated = 0;  // packets elements made (Tee's copies): every element's, retired too
  std::uint64_t missed = 0;     // every port's PortReport::missed (outside the invariant)
  std::vector<PortReport> ports;
  std::vector<ElementReport> elements;
  std::string stop_reason;
  std::uint64_t worker_cycles = 0;  // TSC cycles of the worker loops, summed (for cycles per packet)
  std::vector<WorkerReport> workers;
  std::uint64_t tsc_hz = 0;
  // The JIT code of the first graph: where it came from ("hit", "miss" or "off": the on-disk
  // cache) and how long it took; empty under the interpreter.
  std::string jit_cache;
  double jit_ms = 0;
  // From RunOptions::read_at to the first graph's engine being ready (JIT code compiled or
  // loaded; the interpreter set up) and to the first burst forwarded; -1 when not measured (no
  // read_at, or no packet).
  double engine_ready_ms = -1, first_packet_ms = -1;
  // When the JIT code ran the graph: with --engine jit, engine_ready_ms; with tiered, when the
  // switch from the interpreter was done (-1: not before the run ended, or not measured).
  double jit_ready_ms = -1;
  // Where the time to engine_ready_ms went, in ms (each -1 when not measured): checking the
  // config until the runtime starts, DPDK's EAL, the packet-buffer pool, the ports, the engine.
  double front_end_ms = -1, eal_ms = -1, pool_ms = -1, ports_ms = -1, engine_ms = -1;
  std::string engine;  // the engine running the graph now (or at the end): "jit" or "interp"
  std::uint64_t generation = 1;     // graphs run so far (1 + successful reloads)
  std::uint64_t failed_reloads = 0;
  std::uint64_t succeeded_reloads = 0;
  // Counted by elements and ports that a reload removed (included in the totals above).
  std::uint64_t retired_rx = 0, retired_tx = 0, retired_dropped = 0, retired_generated = 0, retired_missed = 0;
  // Failures that make the run fail although it ran (a ToDump that could not write its file):
  // nbrun prints them and exits 1.
  std::vector<std::string> errors;
};

// Asked from signal handlers and the control thread.
void request_stop();

// Starts DPDK, opens the plan's ports, runs until done. Problems with ports or DPDK are
// reported to `diags` at the config location; returns false then (nothing was run).
bool run(compiler::Plan& plan, const RunOptions& options, lang::DiagnosticEngine& diags, RunReport& report);

std::string report_json(const RunReport& report);
std::string report_text(const RunReport& report);

}  // namespace nb::runtime

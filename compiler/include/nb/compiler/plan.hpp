// The lowered form of a checked graph, shared by every engine: each element's configured
// Config block, the size of its State, and where each of its outputs leads (another element's
// input, or an output port's transmit buffer). Ports say which DPDK device backs them.
#pragma once

#include <nb/compiler/graph.hpp>
#include <nb/element.hpp>
#include <nb/lang/diagnostics.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nb::compiler {

// Raw, suitably aligned bytes (an element's Config or State).
class AlignedBlock {
 public:
  AlignedBlock() = default;
  AlignedBlock(std::size_t size, std::size_t align);
  void* data() const { return data_.get(); }
  std::size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(void* p) const;
  };
  std::unique_ptr<void, Free> data_;
  std::size_t size_ = 0;
};

struct Target {
  enum class Kind : std::uint8_t { None, Element, Port };
  Kind kind = Kind::None;
  std::uint32_t index = 0;  // element index, or port index
  std::uint32_t in_port = 0;
  std::int32_t sink = -1;  // Port: the sink element the packets go through (a tap may have several)
  bool operator==(const Target&) const = default;
};

// The tap interface a ToHost without DEVNAME hands packets to when no FromHost or KernelTap makes one.
inline constexpr std::string_view kDefaultHostIface = "nbhost";

// FromDump's time window (Click's START, START_AFTER, END, END_AFTER, INTERVAL), in microseconds
// of the records' own clock. Records before the start are skipped (until the first that is not);
// the first record at or past the end ends the file.
struct TraceWindow {
  enum class From : std::uint8_t {
    None,         // no bound
    Epoch,        // START, END: a time since the epoch
    FirstRecord,  // START_AFTER, END_AFTER: after the trace's first record
    Start,        // INTERVAL: after the start (START, START_AFTER's point, or the first record)
  };
  From start_from = From::None;  // None, Epoch or FirstRecord
  std::uint64_t start_us = 0;
  From end_from = From::None;  // None, Epoch, FirstRecord or Start
  std::uint64_t end_us = 0;
  bool any() const { return start_from != From::None || end_from != From::None; }
  bool operator==(const TraceWindow&) const = default;
};

struct PlanPort {
  enum class Kind : std::uint8_t { PcapIn, PcapOut, Device };
  Kind kind = Kind::Device;
  std::string name;        // the element name(s) using it, for messages and stats
  std::string file;        // PcapIn / PcapOut
  std::string file_key;    // the file itself (absolute, symlinks resolved): how a reload matches it
  std::string device;      // Device: index, PCI address or vdev spec
  bool loop = false;       // PcapIn with LOOP true
  bool stop = false;       // PcapIn with STOP true (and no LOOP): its end stops the router
  bool active = true;      // PcapIn: ACTIVE (a paused source until its `active` handler is set)
  std::uint32_t snaplen = 0;  // PcapOut: SNAPLEN, bytes of each packet written (0: all)
  std::uint32_t linktype = 1;  // PcapOut: ENCAP, the file's link type (1 Ethernet, 101 raw IP)
  bool timing = false;         // PcapIn: TIMING true, records leave at the pace the file states
  TraceWindow window;          // PcapIn: the part of the trace to read (START, END, ...)
  bool rx = false, tx = false;
  std::int32_t source_element = -1;  // FromDump / FromDevice feeding the graph
  std::int32_t sink_element = -1;    // ToDump / ToDevice
  std::uint32_t rx_queue = 0, tx_queue = 0;  // FromDevice's and ToDevice's QUEUE
  std::uint32_t rx_burst = 0, tx_burst = 0;  // FromDevice's and ToDevice's BURST; 0: nbrun --burst
  std::uint32_t rx_desc = 0, tx_desc = 0;    // 0: runtime default
  // FromDevice's SNIFFER false: the kernel's stack is kept from what a Linux interface receives
  // (runtime/src/kernel_filter.hpp); nothing to do for a device the kernel does not see.
  bool hide_from_kernel = false;
  bool promisc = false;
  // A kernel interface that DPDK's net_tap makes (FromHost, ToHost, KernelTap, KernelTun):
  // `device` is its name; empty for a KernelTap/KernelTun without DEVNAME (nbrun picks tapN/tunN).
  bool host = false;
  bool tun = false;         // KernelTun: IP packets, no link header (DPDK's net_tun)
  bool host_addr = false;   // an address was given: host_ip/host_len
  std::uint32_t host_ip = 0;  // host byte order, as written (host bits kept)
  std::uint32_t host_len = 0;
  bool host_ether_given = false;
  std::array<std::uint8_t, 6> host_ether{};  // the interface's Ethernet address (ETHER)
  std::uint32_t host_mtu = 0;                 // 0: the driver's default (1500)
  lang::Span span;       // the element declaration
  lang::Span arg_span;   // its file or device argument
};

struct PlanElement {
  std::string name;
  const ElementSpec* spec = nullptr;
  const ElementOps* ops = nullptr;
  std::uint32_t ninputs = 0, noutputs = 0;
  AlignedBlock config;
  std::vector<Target> outputs;  // one per output port
  std::int32_t port = -1;       // sources and sinks: their port
  lang::Span span;
  // Per input port, for pull inputs: the element and output it pulls from (kind None: a push
  // input). Output ports that are pulled from have their `outputs` entry too, for the graph's
  // shape; what a task pulls enters the push side at its top's output 0 (PlanTask).
  std::vector<Target> pull_inputs;
  std::string input_modes, output_modes;  // per port: 'h' push, 'l' pull
  std::vector<std::string> args;  // the configuration as written (after substitution): `config`
  // Elements that watch queues (ElementSpec::queues_param, RED): the elements whose packets it
  // counts (HostServices::watched_length), found by the compiler (compiler/src/watch.cpp).
  std::vector<std::uint32_t> watched;
  // Elements that name peers (ElementSpec::peers, ICMPRewriter): the named elements, in the order
  // of the peer parameters and their words (HostServices::peer_state's index).
  std::vector<std::uint32_t> peers;
  // One State for every worker (a Queue that a task bound to one worker pulls from: a pipeline
  // stage's input, StaticThreadSched): set up once, as SharedReadMostly elements are.
  bool shared_state = false;
};

// A chain that pulls (docs/queues.md): the worker's loop runs it. It asks `top` for a burst
// (ElementOps::pull: a Queue dequeues, a scheduler asks its inputs) and pushes what comes from
// top's output 0 on through the graph, JIT-compiled like a source's path, up to and through the
// puller: an element whose pull input ends the chain (Unqueue, a pulling ToDevice or Discard).
// `top` is the puller itself when it pulls for itself (Unqueue: its rate decides how many).
struct PlanTask {
  std::uint32_t puller = 0;
  std::uint32_t top = 0;
  // StaticThreadSched: the one worker that runs it (modulo nbrun's workers); -1: every worker.
  std::int32_t worker = -1;
  // It takes packets out of a queue every worker pushes into (PlanElement::shared_state): its
  // worker keeps running it after its own inputs ended, until every worker is done.
  bool drains_shared = false;
  // ScheduleInfo: how often a worker runs it, relative to a task of share 1 (Click's tickets
  // over its default, within Click's limits 1/1024 and 32): a share of 2 runs twice per pass of
  // the worker's loop, one of 0.5 every other pass.
  double share = 1.0;
};

struct Plugin;

struct Plan {
  // Plugins whose code the elements run (natively, and their bitcode in the JIT); kept loaded
  // while the plan or anything compiled from it lives (runtime: until every worker moved on).
  std::vector<std::shared_ptr<const Plugin>> plugins;
  std::vector<PlanElement> elements;
  std::vector<PlanPort> ports;
  std::vector<std::uint32_t> sources;  // element indices of FromDump/FromDevice, in port order
  std::vector<PlanTask> tasks;
  // The require() statements' arguments (library ones left out: their classes are expanded), so
  // that the plan can be written out again as a flat configuration.
  std::vector<std::string> requirements;
};

// Configures every element (its `configure` reads the checked arguments) and resolves ports.
// Reports problems (an element without a kernel, a configure error, two writers for one file)
// at the element's location.
std::optional<Plan> lower(const Graph& graph, lang::DiagnosticEngine& diags);

// The file a FILENAME argument names, as an absolute path with the symlinks of its existing part
// resolved: the same for every spelling of one file. Opens nothing.
std::string file_key(const std::string& name);

// The plan as a flat configuration (as `nbc flatten` prints the graph), with the arguments of
// element `replace` (if any) replaced by `args`: how a write to an element's `config` handler
// becomes a reload.
std::string to_flat_config(const Plan& plan, int replace = -1, const std::string& args = {});

}  // namespace nb::compiler

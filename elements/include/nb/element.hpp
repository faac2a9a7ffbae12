// The element SDK: the one header that built-in elements and plugins share.
//
// An element declares itself with an ElementSpec: its Click class name, its port counts in
// Click's syntax, a typed parameter schema and its documentation. The compiler reads these
// specs to check a configuration; `nbc doc` prints them. Nothing here may depend on the
// compiler, the runtime or LLVM: plugins are built against this header alone.
#pragma once

#include <nb/packet.hpp>

#include <rte_cycles.h>
#include <rte_ring.h>

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace nb {

// The types a configuration argument can have. The compiler parses each argument's raw text by
// its type and points at the offending character when it does not fit.
enum class ParamType : std::uint8_t {
  Integer,       // signed decimal or 0x hex: -3, 42, 0x2a
  Unsigned,      // unsigned decimal or 0x hex
  Bool,          // true/false, yes/no, 1/0 (Click's BoolArg)
  String,        // raw text; a "quoted" string is unquoted
  IPv4Address,   // 10.0.0.1
  IPv4Prefix,    // 10.0.0.0/8 or 10.0.0.0/255.0.0.0: get_ipv4 gives the network, get_unsigned its length
  EtherAddress,  // 00:11:22:33:44:55
  BytePattern,   // Click Classifier clauses: offset/value%mask, '?' wildcard nibbles, '!' negation, '-'
  Filename,      // a path; never opened by `nbc check`
  Device,        // a DPDK port: index, PCI address or vdev spec (net_null0, net_tap0,iface=nb0)
  IPv4AddressList,  // space-separated IPv4 addresses (CheckIPHeader's BADSRC); read as a string
  // Click's time (SecondsArg): 30 (seconds), 1.5s, 100ms, 250us, 5min, 2h, 1d; read with
  // Args::get_unsigned in microseconds (min_value/max_value are microseconds too).
  Duration,
  // Click's bandwidth (BandwidthArg): bits a second (bps, b/s, baud) or bytes a second (Bps, B/s),
  // with an optional prefix k or K (1000), M (10^6), G (10^9): 131072B/s, 1Mbps, 10kBps, 0.5Gbps;
  // a plain number is bytes a second. Read with Args::get_unsigned in bytes per second
  // (min_value/max_value are bytes per second too).
  Bandwidth,
};

enum class FileAccess : std::uint8_t { Read, Write };

enum class ParamKind : std::uint8_t {
  Positional,  // given by position, or by its KEYWORD like Click's Args
  Keyword,     // only as `KEYWORD value`
  Rest,        // every remaining positional argument (e.g. Classifier's patterns)
};

// Where an argument's own language went wrong (ParamSpec::validate, validate_all): offset and
// length in the argument's text, so that `nbc check` points at the offending token.
struct ParamError {
  std::size_t offset = 0;
  std::size_t length = 1;
  std::string message;
  std::string hint;  // optional: shown as a note under the error (validate_all only)
};

struct ParamSpec {
  std::string_view name;  // Click's keyword, upper case: FILENAME, OFFSET, LOOP
  ParamType type;
  ParamKind kind;
  bool required;
  std::string_view default_value;  // textual, parsed like user input; empty when none
  std::string_view doc;
  // Inclusive bounds for Integer and Unsigned values, checked by the compiler.
  std::int64_t min_value = INT64_MIN;
  std::uint64_t max_value = UINT64_MAX;
  // Optional, for String arguments that carry a small language of their own (IPFilter's rules):
  // checks the text when the configuration is checked, before any configure(), and returns false
  // with the first problem's position. configure() must still accept exactly what this accepts.
  bool (*validate)(std::string_view text, ParamError& error) = nullptr;
  // For Filename arguments: whether the element reads the file or writes it. The compiler refuses
  // a graph that writes a file it also reads, or writes one file twice, comparing the files
  // themselves (the same inode, or the same resolved path), not the spellings.
  FileAccess file_access = FileAccess::Read;
  // Like validate, for a language where one argument can hold several independent mistakes
  // (Classifier's byte patterns): appends one ParamError per mistake, each with an optional
  // hint, and returns false when it appended any. Reported as errors of the parameter's type
  // ("invalid byte pattern for PATTERN of Classifier: ..."). The compiler treats the text as a
  // string and knows nothing of the language; configure() parses it again.
  bool (*validate_all)(std::string_view text, std::vector<ParamError>& errors) = nullptr;
};

// How many outputs an instance has when the port spec allows a range.
enum class OutputCount : std::uint8_t {
  FromConnections,  // highest connected output + 1 (at least the spec's minimum)
  OnePerRestArg,    // one output per Rest argument (Classifier: one per pattern)
  FromParam,        // the value of the parameter named in output_count_param (Tee's N)
};

// ---- Kernels ------------------------------------------------------------------------------
//
// An element with behaviour defines, beside its spec:
//   struct Config { ... };   // plain data, filled once from the arguments (the JIT bakes it in)
//   struct State  { ... };   // counters and tables; uint64_t counters listed in `counters`
//   static bool configure(const Args&, Config&, std::string& error);  // optional: Config{} else
//   static constexpr auto kDrops = nb::drop_reasons({{"NAME", "doc"}, ...});  // if it drops
//   static void push(const Config&, State&, Context&, std::uint32_t in_port, Packet p NB_OWNED);
//   static constexpr StateScope kStateScope = StateScope::PerWorker;  // see StateScope below
// Optionally, for State that needs the runtime's memory (DPDK tables such as rte_lpm):
//   static bool setup(const Config&, State&, std::string& error);  // after EAL start-up
//   static void teardown(const Config&, State&);                     // at exit, if setup succeeded
// The runtime calls setup once per instance after init, before the first packet; `nbc check`
// never does (no EAL), so configure() must not need DPDK. State keeps only plain pointers to
// what setup made; teardown frees it.
// and points its spec's `ops` at nb::kernel_ops<Element>(). push must give `p` away on every
// path: ctx.send(port, std::move(p)) or ctx.drop(std::move(p), reason).

// ---- Drop reasons ---------------------------------------------------------------------------
//
// Why an element drops a packet: one table per element, each reason's name (what `drop_reasons`
// and the stats print) beside its doc (what `nbc doc` prints), declared in the element's struct:
//   static constexpr auto kDrops = nb::drop_reasons({
//       {"malformed", "too short for an IPv4 header at the network offset"},
//       {"expired", "TTL 0 or 1 and output 1 not connected"},
//   });
// Kernels name a reason by its name, looked up while compiling (a name not in the table does
// not compile), so a drop costs what a constant index costs:
//   ctx.drop(std::move(p), kDrops["expired"]);
struct DropReason {
  std::string_view name;
  std::string_view doc;
};

template <std::size_t N>
struct DropReasons {
  DropReason reasons[N];
  static constexpr std::size_t size() { return N; }
  consteval std::uint32_t operator[](std::string_view name) const {
    for (std::size_t i = 0; i < N; ++i)
      if (reasons[i].name == name) return static_cast<std::uint32_t>(i);
    throw "no drop reason of this name in the element's kDrops";  // a compile-time error
  }
};

template <std::size_t N>
consteval DropReasons<N> drop_reasons(const DropReason (&reasons)[N]) {
  DropReasons<N> t{};
  for (std::size_t i = 0; i < N; ++i) {
    if (reasons[i].name.empty() || reasons[i].doc.empty()) throw "every drop reason needs a name and a doc";
    for (std::size_t j = 0; j < i; ++j)
      if (reasons[j].name == reasons[i].name) throw "two drop reasons of one name";
    t.reasons[i] = reasons[i];
  }
  return t;
}

// Typed access to an element's checked arguments; absent optional ones give their defaults.
class Args {
 public:
  virtual ~Args() = default;
  virtual bool given(std::string_view name) const = 0;  // written by the user (not defaulted)
  virtual std::uint64_t get_unsigned(std::string_view name) const = 0;
  virtual std::int64_t get_integer(std::string_view name) const = 0;
  virtual bool get_bool(std::string_view name) const = 0;
  virtual std::string get_string(std::string_view name) const = 0;
  virtual std::uint32_t get_ipv4(std::string_view name) const = 0;  // host byte order
  virtual std::array<std::uint8_t, 6> get_ether(std::string_view name) const = 0;
  // Rest parameters: how many were given, and each one.
  virtual std::size_t count(std::string_view name) const = 0;
  // The text of a Rest parameter's index-th String argument (IPFilter's rules).
  virtual std::string get_string_at(std::string_view name, std::size_t index) const {
    return index == 0 ? get_string(name) : std::string();
  }
  // Outputs the instance has after the graph checks (optional outputs left out are absent).
  virtual std::uint32_t noutputs() const = 0;
  // Inputs the instance has after the graph checks (a scheduler's: one per connected input).
  virtual std::uint32_t ninputs() const = 0;
};

// Services of the runtime that element code calls out to (never inlined: they touch DPDK's
// per-lcore state, which JIT code must not).
struct HostServices {
  // A deep copy of m from the runtime's mempool, or nullptr when it is empty.
  rte_mbuf* (*copy)(void* runtime, rte_mbuf* m) = nullptr;
  void* runtime = nullptr;
  // A message for the operator (nbrun writes it to stderr as "ELEMENT: text", rate-limited so
  // that a flood of packets cannot drown stderr). `state` is the calling element's State block,
  // which tells the runtime which element speaks; `text` must outlive the call (a constant).
  // Kernels must not use stdio themselves: they run inside JIT code. Null: messages are dropped.
  void (*log)(void* runtime, const void* state, const char* text) = nullptr;
  // Per-packet text (Print, IPPrint): `len` bytes of `text`, written as they are to stderr,
  // unthrottled, each call in one piece so that lines of several workers do not mix. The element
  // formats whole lines ending in '\n' (a line longer than its buffer comes in several calls).
  // Unlike `log`, `text` need only live during the call. Null: the text is dropped.
  void (*print)(void* runtime, const void* state, const char* text, std::uint32_t len) = nullptr;
  // The worker core running the element, of how many (docs/multicore.md): an element that makes
  // flows picks them so that nb::worker_of_hash (nb/flow_hash.hpp) of their replies is `worker`.
  std::uint32_t worker = 0;
  std::uint32_t nworkers = 1;
  // The worker's clock, for elements that measure rates (Meter, RatedSplitter): TSC cycles, and
  // how many make a second. Null now_cycles: rte_rdtsc, inline (the runtime leaves it so, and
  // the JIT inlines the read); tests point it at a clock they advance themselves. 0
  // cycles_per_second: no clock (the rate elements then see no time pass).
  std::uint64_t (*now_cycles)() = nullptr;
  std::uint64_t cycles_per_second = 0;
  // The packet's timestamp (Click's timestamp annotation), microseconds since the epoch: DPDK's
  // rx timestamp dynamic field, which FromDump fills from its records and ToDump writes. Its place
  // in the mbuf and its flag in ol_flags are settled at start-up; -1: packets carry none. Read and
  // set with nb::packet_timestamp and nb::set_packet_timestamp (or Context::timestamp).
  std::int32_t timestamp_offset = -1;
  std::uint64_t timestamp_flag = 0;
  // The wall clock on the worker's: microseconds since the epoch when the TSC read 0 (nb::wall_us),
  // so that a test holding the TSC clock holds the wall clock too.
  std::uint64_t epoch_us = 0;
  // Elements that watch queues (ElementSpec::queues_param, RED): the packets that the queues the
  // compiler found for it hold now, summed, on this worker. Null: it watches none.
  std::uint64_t (*watched_length)(void* runtime) = nullptr;
  // Elements that name peers (ElementSpec::peers, ICMPRewriter): the State of the index-th element
  // the peer parameters name, on this worker (each worker has its own States), counting the
  // parameters' words in the order of ElementSpec::peers. Null, or null for an index past them:
  // no peer. Resolved at each call, so that a hot reload that keeps or replaces a peer is seen.
  void* (*peer_state)(void* runtime, std::uint32_t index) = nullptr;
  // The Config of the same peer (FTPPortMapper makes a mapping by its data rewriter's pattern).
  // Null, or null for an index past them: no peer.
  const void* (*peer_config)(void* runtime, std::uint32_t index) = nullptr;
};

// The wall clock (microseconds since the epoch) at TSC `cycles`.
inline std::uint64_t wall_us(const HostServices& h, std::uint64_t cycles) {
  const std::uint64_t hz = h.cycles_per_second;
  if (hz == 0) return h.epoch_us;
  return h.epoch_us + cycles / hz * 1000000 + cycles % hz * 1000000 / hz;
}

// The packet's timestamp (HostServices::timestamp_offset): false when it has none.
inline bool packet_timestamp(const HostServices& h, const rte_mbuf* m, std::uint64_t& us) {
  if (h.timestamp_offset < 0 || !(m->ol_flags & h.timestamp_flag)) return false;
  std::memcpy(&us, reinterpret_cast<const unsigned char*>(m) + h.timestamp_offset, sizeof us);
  return true;
}

inline void set_packet_timestamp(const HostServices& h, rte_mbuf* m, std::uint64_t us) {
  if (h.timestamp_offset < 0) return;
  std::memcpy(reinterpret_cast<unsigned char*>(m) + h.timestamp_offset, &us, sizeof us);
  m->ol_flags |= h.timestamp_flag;
}

inline constexpr std::uint32_t kMaxEmits = 64;
inline constexpr std::uint32_t kDropNoBuffers = 0xfffffffeu;  // a copy failed: mempool empty

// What one push call did with its packet. Filled by the kernel, read by the engine.
class Context {
 public:
  // max_emits: how many packets one push may send (ElementOps::max_emits); more are dropped as
  // "no buffers", identically in every engine.
  Context(std::uint32_t noutputs, const HostServices* host, std::uint32_t max_emits = kMaxEmits)
      : noutputs_(noutputs), max_emits_(max_emits < kMaxEmits ? max_emits : kMaxEmits), host_(host) {}

  // Rvalue references, so that the analysis checks the caller still owned what it gives away.
  void send(std::uint32_t port, Packet&& p NB_OWNED) {
    rte_mbuf* m = p.release();
    if (nemits_ < max_emits_) emits_[nemits_++] = {port, m};
    else record_drop(m, kDropNoBuffers);
  }
  void drop(Packet&& p NB_OWNED, std::uint32_t reason) { record_drop(p.release(), reason); }
  // Gives p to a ring the element's State holds (Queue): from now on the ring owns it, until a
  // pull takes it out. When the ring is full, p is dropped for `full_reason` (a queue drops at
  // its tail and never waits). Safe with several producers (rte_ring's multi-producer enqueue).
  void store(rte_ring* ring, Packet&& p NB_OWNED, std::uint32_t full_reason) {
    rte_mbuf* m = p.release();
    if (rte_ring_mp_enqueue(ring, m) != 0) record_drop(m, full_reason);
  }
  // Sends a copy of p (the original stays with the caller); counts a drop if no buffer is free.
  void send_copy(std::uint32_t port, const Packet& p NB_PARAM_OWNED) {
    // No room to emit it: make no copy (a copy parked beyond kMaxDrops would never be freed).
    rte_mbuf* c =
        nemits_ < max_emits_ && host_ && host_->copy ? host_->copy(host_->runtime, p.mbuf_for_copy()) : nullptr;
    if (!c) {
      ++copy_failures_;
      return;
    }
    emits_[nemits_++] = {port, c};
  }
  // Tells the operator something (HostServices::log); `state` is the element's own State.
  void log(const void* state, const char* text) const {
    if (host_ && host_->log) host_->log(host_->runtime, state, text);
  }
  // Writes text for the operator as it is (HostServices::print): whole lines, each ending in '\n'.
  void print(const void* state, const char* text, std::uint32_t len) const {
    if (host_ && host_->print) host_->print(host_->runtime, state, text, len);
  }
  bool connected(std::uint32_t port) const { return port < noutputs_; }
  // The worker core this push runs on, and how many there are (HostServices::worker).
  std::uint32_t worker() const { return host_ ? host_->worker : 0; }
  std::uint32_t nworkers() const { return host_ ? host_->nworkers : 1; }
  std::uint32_t noutputs() const { return noutputs_; }
  // The worker's clock (HostServices::now_cycles): only elements that ask pay for it.
  std::uint64_t now_cycles() const { return host_ && host_->now_cycles ? host_->now_cycles() : rte_rdtsc(); }
  std::uint64_t cycles_per_second() const { return host_ ? host_->cycles_per_second : 0; }
  // The wall clock, microseconds since the epoch (nb::wall_us on the worker's clock).
  std::uint64_t now_us() const { return host_ ? wall_us(*host_, now_cycles()) : 0; }
  // The packet's timestamp (HostServices::timestamp_offset): false when it has none.
  bool timestamp(const Packet& p NB_PARAM_OWNED, std::uint64_t& us) const {
    return host_ && packet_timestamp(*host_, p.m_, us);
  }
  void set_timestamp(const Packet& p NB_PARAM_OWNED, std::uint64_t us) const {
    if (host_) set_packet_timestamp(*host_, p.m_, us);
  }
  // What the queues this element watches hold now (HostServices::watched_length).
  std::uint64_t watched_length() const {
    return host_ && host_->watched_length ? host_->watched_length(host_->runtime) : 0;
  }
  // The State of the index-th peer this element's peer parameters name (HostServices::peer_state,
  // ElementSpec::peers), on this worker; null when there is none (a unit test without a runtime).
  // The element casts it to the State of the family the compiler checked it belongs to.
  void* peer_state(std::uint32_t index) const {
    return host_ && host_->peer_state ? host_->peer_state(host_->runtime, index) : nullptr;
  }
  // The Config of that peer (HostServices::peer_config); null when there is none.
  const void* peer_config(std::uint32_t index) const {
    return host_ && host_->peer_config ? host_->peer_config(host_->runtime, index) : nullptr;
  }

  // For engines.
  struct Emit {
    std::uint32_t port;
    rte_mbuf* mbuf;
  };
  struct Drop {
    rte_mbuf* mbuf;
    std::uint32_t reason;
  };
  std::uint32_t emit_count() const { return nemits_; }
  const Emit& emit(std::uint32_t i) const { return emits_[i]; }
  std::uint32_t drop_count() const { return ndrops_; }
  const Drop& dropped(std::uint32_t i) const { return drops_[i]; }
  std::uint32_t copy_failures() const { return copy_failures_; }

 private:
  void record_drop(rte_mbuf* m, std::uint32_t reason) {
    if (ndrops_ < kMaxDrops) drops_[ndrops_++] = {m, reason};
  }
  static constexpr std::uint32_t kMaxDrops = 4;
  std::uint32_t noutputs_;
  std::uint32_t max_emits_;
  const HostServices* host_;
  std::uint32_t nemits_ = 0;
  std::uint32_t ndrops_ = 0;
  std::uint32_t copy_failures_ = 0;
  Emit emits_[kMaxEmits];
  Drop drops_[kMaxDrops];
};

// ---- Pull processing -----------------------------------------------------------------------
//
// Click's pull ports: a Queue stores what its push input receives; whatever pulls from its output
// (Unqueue, a scheduler, a ToDevice with a pull input) asks for packets when it has room. nb runs
// each chain that ends in a puller as a *task* of the worker's loop (docs/queues.md). Elements on
// the pull side define, beside push or instead of it:
//   static std::uint32_t pull(const Config&, State&, PullContext&, rte_mbuf** out, std::uint32_t max);
// which puts up to `max` packets into `out` and returns how many; the caller owns them then. It
// gets them from its pull inputs with ctx.pull(...), or from a ring its State holds (Queue). An
// element that holds packets between calls also defines
//   static std::uint32_t held(const Config&, const State&);  // packets it holds now
// so that the runtime knows when a finished input's packets have all left.
// Pull code runs natively on the worker core (not in JIT code): it may call DPDK's functions.
class PullContext {
 public:
  virtual ~PullContext() = default;
  // Up to `max` packets from pull input `port` (whatever is connected there gives them up).
  virtual std::uint32_t pull(std::uint32_t port, rte_mbuf** out, std::uint32_t max) = 0;
  // Sends a copy of m out of push output `port` (PullTee); counts a drop when no buffer is free.
  virtual void push_copy(std::uint32_t port, rte_mbuf* m) = 0;
  virtual std::uint32_t ninputs() const = 0;
  virtual std::uint32_t noutputs() const = 0;
  // The worker's clock, for rates: TSC cycles, and how many make a second.
  virtual std::uint64_t now_cycles() const = 0;
  virtual std::uint64_t cycles_per_second() const = 0;
  // A new packet from the runtime's mempool for a source to fill (InfiniteSource): no data yet,
  // fresh annotations, counted as generated by the element. nullptr when the pool is empty.
  virtual rte_mbuf* new_packet() = 0;
  // Ends the run, as the end of a FromDump(STOP true) does (a source's LIMIT reached, STOP true).
  virtual void stop_router() = 0;
  // Drops m, which the caller owned, for the element's drop reason `reason` (an index into its
  // kDrops): what a pull side that throws packets away does (TimedSink, RED pulling).
  virtual void drop(rte_mbuf* m, std::uint32_t reason) = 0;
  // The element's HostServices (the wall clock's epoch, the timestamp field, watched queues):
  // null when there are none.
  virtual const HostServices* host() const { return nullptr; }
  // True while the runtime empties the elements that hold packets because the run stopped early
  // (their packets are dropped as `flushed`): an element that holds a packet back until its time
  // (DelayShaper, LinkUnqueue) gives it up at once.
  virtual bool flushing() const { return false; }
  // The wall clock, microseconds since the epoch (0 without host services).
  std::uint64_t now_us() const {
    const HostServices* h = host();
    if (!h) return 0;
    HostServices clock = *h;
    clock.cycles_per_second = cycles_per_second();
    return wall_us(clock, now_cycles());
  }
};

// ---- Control elements ------------------------------------------------------------------------
//
// An element that acts on the running router rather than on packets (Script) has no ports and
// a control function instead of push or pull:
//   static bool control(const Config&, State&, ControlContext&, ControlCall&);
// nbrun runs it on its control thread, never on a worker core, the thread that serves `nbctl`:
// what it reads and writes goes through the same handlers, with the same safety (a Custom
// handler runs on each worker between two bursts). It runs when its wake-up time comes
// (ControlCall::handler empty), and when one of its own Control handlers (HandlerSpec) or a
// handler name it does not declare is read or written (ControlCall::handler that name). Only the
// element of worker 0's State block is used. `nbc check` never runs it.
class ControlContext {
 public:
  virtual ~ControlContext() = default;
  // Reads or writes a handler of the running graph as `nbctl` does, ELEMENT as written in the
  // configuration (a name inside a compound is looked up beside the caller first). The text
  // read has no trailing newline; false with `error` when the element, the handler or the value
  // is wrong.
  virtual bool read(std::string_view element, std::string_view handler, std::string& out, std::string& error) = 0;
  virtual bool write(std::string_view element, std::string_view handler, std::string_view value,
                     std::string& error) = 0;
  // Text for the operator, as it is: standard output (`print`) or standard error (`read`).
  virtual void print(std::string_view text, bool to_stderr) = 0;
  // Ends the run, as a FromDump(STOP true) at its end does.
  virtual void stop_router() = 0;
  // A monotonic clock in nanoseconds, and when to run the element's timer next (kNoWake: not
  // until a handler call asks again). The latest call wins.
  virtual std::uint64_t now_ns() const = 0;
  virtual void wake_at(std::uint64_t ns) = 0;
};
inline constexpr std::uint64_t kNoWake = UINT64_MAX;

// One call of an element's control function.
struct ControlCall {
  std::string_view handler;  // empty: its wake-up time came
  std::string_view value;    // written value, or a read's parameters
  bool write = false;
  std::string out;    // what a read returns (no trailing newline needed)
  std::string error;  // when the control function returns false
  // Set by the element when `handler` is none of its own (the runtime then says so).
  bool unknown = false;
};

// Before plugin ABI 4, counters had a table of their own; now they are handlers (NB_COUNTER).
struct CounterField {
  std::string_view name;
  std::size_t offset;
};

// How an element's State scales over worker cores (docs/multicore.md). Every kernel element
// declares one: `static constexpr nb::StateScope kStateScope = nb::StateScope::PerWorker;`.
enum class StateScope : std::uint8_t {
  // Each worker has its own State block (init and setup run once per worker). Counters in it are
  // summed by the runtime's handlers; a Custom read handler merges them (HandlerSpec::read_workers).
  PerWorker,
  // As PerWorker, and the State holds per-flow entries (NAT mappings, flow tables). Correct with
  // several workers because the runtime pins every flow (both directions) to one worker.
  PerFlow,
  // One table shared by every worker, read-mostly: setup runs once, on worker 0's block, and
  // the other workers' blocks start as a byte copy of it (so they share what its pointers reach,
  // e.g. an rte_lpm) while the plain counters in each copy stay per worker. teardown runs once.
  // The shared part is only read by push, or written with atomic operations that readers on
  // other cores tolerate (ARPQuerier's cache: a seqlock per slot); otherwise it changes only by
  // building a new State (hot reload), which the runtime frees after every worker moved on (RCU).
  SharedReadMostly,
};

// ---- Facts ------------------------------------------------------------------------------
//
// What an element guarantees about the packets it sends, and what it does to guarantees made
// before it, so that the compiler can prove work redundant across the graph (docs/facts.md):
// a second CheckIPHeader whose checks an earlier one already made, a Strip/Unstrip pair that
// cancels. Only the JIT uses them; the interpreter runs every element (it is the reference). An
// element declares them beside its kernel, from its Config:
//   static void facts(const Config&, FactSheet&);
// An element that declares nothing keeps no fact: the compiler assumes it may change anything.
// Offsets count from the packet's data start as the element sees it.
struct Fact {
  enum class Kind : std::uint8_t {
    // At `offset`: an IPv4 header CheckIPHeader accepts: at least 20 bytes there, version 4,
    // header length 20 or more and inside the packet, total length at least the header length
    // and inside the packet.
    IPv4Header,
    IPv4Checksum,   // at `offset`: the IPv4 header's checksum is correct
    IPv4Trimmed,    // the packet ends exactly where the IPv4 datagram at `offset` ends
    IPv4SrcNot,     // at `offset`: the IPv4 source address is not `value` (host order)
    NetworkOffset,  // the network-header annotation is `offset` (PacketAnno::kNoNetworkOffset: unset)
    Headroom,       // at least `offset` bytes of headroom before the data start
  };
  Kind kind = Kind::IPv4Header;
  std::uint32_t offset = 0;
  std::uint32_t value = 0;
  friend constexpr bool operator==(const Fact&, const Fact&) = default;
};

// What an element does to a packet on its way to any of its outputs, as far as facts go (a
// packet it sends unchanged is covered by every choice; pick the one true of every path).
enum class PacketEffect : std::uint8_t {
  Unknown,  // may change anything: every fact is lost (the default)
  None,     // bytes, length and network annotation unchanged (Counter, Classifier, Paint)
  // Moves the data start `move` bytes forward (Strip N: N) or back (Unstrip N: -N) when the
  // packet has them (its length, its headroom), else drops it; bytes unchanged; the network
  // annotation moves with it (unset when it would fall before the data start or past 0xfffe).
  MoveStart,
  // Rewrites fields of the IPv4 header at the network annotation (offset 0 when unset), keeping
  // its lengths and addresses and a correct checksum correct; length and annotation unchanged
  // (DecIPTTL's RFC 1624 update).
  UpdateIPv4,
};

// Packet annotations (PacketAnno's fields) as bits, for FactSheet::anno_reads and anno_sets.
namespace anno_field {
inline constexpr std::uint8_t kPaint = 1;
inline constexpr std::uint8_t kUser = 2;
inline constexpr std::uint8_t kNetworkOffset = 4;
inline constexpr std::uint8_t kDstIP = 8;
// PacketAnno::dst_ip6: its bytes are user[3..14] and dst_ip's, but an element that sets it sets
// all 16 (and one that sets the others does not set it whole).
inline constexpr std::uint8_t kDstIP6 = 16;
inline constexpr std::uint8_t kNone = 0;
inline constexpr std::uint8_t kEvery = kPaint | kUser | kNetworkOffset | kDstIP | kDstIP6;
}  // namespace anno_field

struct FactSheet {
  static constexpr std::uint32_t kMaxFacts = 24;
  PacketEffect effect = PacketEffect::Unknown;
  std::int32_t move = 0;        // MoveStart
  bool keeps_headroom = false;  // not MoveStart: every packet sent has the headroom it came with
                                // (false for an element that sends copies: a copy's is the pool's)
  // false: which outputs the element chooses, what it counts and drops do not depend on the
  // packet's bytes, length, headroom or network annotation (Paint). Strip/Unstrip pairs cancel
  // across such elements only.
  bool reads_packet = true;
  // The runtime resets every received packet's annotations, unless the graph proves that no
  // element reads one it may still hold from the buffer's last use (docs/facts.md). anno_reads:
  // the annotations on which what the element does depends (which outputs, what it writes into
  // the packet, its State) - all of them unless it says otherwise. An element that only moves an
  // annotation along with the packet (Strip and the network offset) does not read it. anno_sets:
  // the annotations it sets on every packet it sends, whatever they held (Paint's colour).
  std::uint8_t anno_reads = anno_field::kEvery;
  std::uint8_t anno_sets = anno_field::kNone;
  // The inputs on which it reads them: bit k for input k (ARPQuerier reads the next hop of IP
  // packets on input 0, not of the ARP replies on input 1). Inputs past 31 always read.
  std::uint32_t anno_read_inputs = 0xffffffffu;
  // Facts that hold on output `establish_port` after the element, whatever held before.
  std::uint32_t establish_port = 0;
  std::uint32_t nestablished = 0;
  Fact established[kMaxFacts] = {};
  // Whether the element can be left out: when every `required` fact holds at its input, it sends
  // every packet to output 0 unchanged, drops none and changes no State (its counters keep
  // counting 0, which is what they would count). What a second CheckIPHeader re-checks.
  bool skippable = false;
  std::uint32_t nrequired = 0;
  Fact required[kMaxFacts] = {};

  void establish(Fact f) {
    if (nestablished < kMaxFacts) established[nestablished++] = f;
  }
  // A requirement that does not fit becomes one that never holds: never skipped unproven.
  void require(Fact f) {
    if (nrequired < kMaxFacts)
      required[nrequired++] = f;
    else
      required[kMaxFacts - 1] = {Fact::Kind::Headroom, 0xffffffffu, 0};
  }
};

struct ElementOps {
  // SourceSink: a port that is both (KernelTap): its output pushes what the port receives, and
  // what reaches its input is sent on the port.
  enum class Role : std::uint8_t { Kernel, Source, Sink, SourceSink };
  Role role = Role::Kernel;
  StateScope state_scope = StateScope::PerWorker;
  std::size_t config_size = 0, config_align = 1, state_size = 0, state_align = 1;
  bool (*configure)(const Args&, void* config, std::string& error) = nullptr;
  void (*init)(const void* config, void* state) = nullptr;
  void (*push)(const void* config, void* state, Context& ctx, std::uint32_t in_port, rte_mbuf* m) = nullptr;
  std::span<const DropReason> drop_reasons = {};  // E::kDrops; index = the reason passed to Context::drop
  // The extern "C" name of the kernel's entry in the element's bitcode (NB_KERNEL_ENTRY), which
  // the JIT calls and inlines.
  const char* kernel_symbol = nullptr;
  // Packets one push may send: 1 unless the element says otherwise (static constexpr
  // kMaxEmitsPerPush, e.g. Tee). Lets the JIT emit straight-line code instead of a loop per node.
  std::uint32_t max_emits = 1;
  // Hot reload: moves the State of an element of this class in the running graph to the element
  // of the same name and class in the new one. Null (the default): when the State sizes match,
  // the new element keeps the old one's State block as it is (no copy, nothing lost). An element
  // whose State must be rebuilt (a table resized by its Config) defines
  //   static void transfer(const Config& old_config, const State& old_state,
  //                        const Config& new_config, State& new_state);
  // which the worker core runs at the switch, after the old graph's last burst and before the
  // new graph's first, on a new_state that `init` prepared.
  void (*transfer)(const void* old_config, const void* old_state, const void* new_config, void* new_state) = nullptr;
  // Optional (null when the element has none): see "Kernels" above.
  bool (*setup)(const void* config, void* state, std::string& error) = nullptr;
  void (*teardown)(const void* config, void* state) = nullptr;
  // Optional: the element's facts for its Config (see "Facts" above). Null: it keeps none.
  void (*facts)(const void* config, FactSheet& sheet) = nullptr;
  // Optional, several workers: called once with every worker's State (`states[0..n)`) instead of
  // `teardown` on each, for an element whose end writes what all workers saw together
  // (FlowMonitor's FILE). It must release what each State's setup made.
  //   static void teardown_workers(const Config&, State* const* states, std::uint32_t n);
  void (*teardown_workers)(const void* config, void* const* states, std::uint32_t n) = nullptr;
  // Optional: the element's pull side and the packets it holds (see "Pull processing" above).
  std::uint32_t (*pull)(const void* config, void* state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) = nullptr;
  std::uint32_t (*held)(const void* config, const void* state) = nullptr;
  // Optional: a control element's control function (see "Control elements" above).
  bool (*control)(const void* config, void* state, ControlContext& ctx, ControlCall& call) = nullptr;
};

namespace detail {
// The Config starts value-initialised (its default member initialisers apply), so configure
// only sets what the arguments decide; an element with nothing to configure defines none.
template <typename E>
bool configure(const Args& args, void* config, std::string& error) {
  auto* c = new (config) typename E::Config{};
  if constexpr (requires { &E::configure; })
    return E::configure(args, *c, error);
  else
    return (void)args, (void)error, true;
}
template <typename E>
void init(const void*, void* state) {
  new (state) typename E::State{};
}
template <typename E>
void push(const void* config, void* state, Context& ctx, std::uint32_t in_port, rte_mbuf* m) {
  E::push(*static_cast<const typename E::Config*>(config), *static_cast<typename E::State*>(state), ctx, in_port,
          detail::adopt(m));
}
template <typename E>
void transfer(const void* old_config, const void* old_state, const void* new_config, void* new_state) {
  E::transfer(*static_cast<const typename E::Config*>(old_config), *static_cast<const typename E::State*>(old_state),
              *static_cast<const typename E::Config*>(new_config), *static_cast<typename E::State*>(new_state));
}
template <typename E>
bool setup(const void* config, void* state, std::string& error) {
  return E::setup(*static_cast<const typename E::Config*>(config), *static_cast<typename E::State*>(state), error);
}
template <typename E>
void teardown(const void* config, void* state) {
  E::teardown(*static_cast<const typename E::Config*>(config), *static_cast<typename E::State*>(state));
}
template <typename E>
void teardown_workers(const void* config, void* const* states, std::uint32_t n) {
  E::teardown_workers(*static_cast<const typename E::Config*>(config),
                      reinterpret_cast<typename E::State* const*>(states), n);
}
template <typename E>
void facts(const void* config, FactSheet& sheet) {
  E::facts(*static_cast<const typename E::Config*>(config), sheet);
}
template <typename E>
std::uint32_t pull(const void* config, void* state, PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
  return E::pull(*static_cast<const typename E::Config*>(config), *static_cast<typename E::State*>(state), ctx, out,
                 max);
}
template <typename E>
bool control(const void* config, void* state, ControlContext& ctx, ControlCall& call) {
  return E::control(*static_cast<const typename E::Config*>(config), *static_cast<typename E::State*>(state), ctx,
                    call);
}
template <typename E>
std::uint32_t held(const void* config, const void* state) {
  return E::held(*static_cast<const typename E::Config*>(config), *static_cast<const typename E::State*>(state));
}
}  // namespace detail

// The analysis cannot follow a Packet stored in a member or an array, so State and Config
// cannot hold one: both must be plain bytes (the JIT bakes Config in as constant bytes anyway).
template <typename E>
constexpr void check_element_layout() {
  static_assert(std::is_trivially_copyable_v<typename E::Config> && std::is_copy_constructible_v<typename E::Config>,
                "an element's Config must be plain data (trivially copyable): no Packet, pointer-owning or "
                "std::string members");
  // is_copy_constructible too: clang counts a deleted copy constructor as trivial, and header
  // views (nb/headers.hpp) are kept out of State by deleting theirs.
  static_assert(std::is_trivially_copyable_v<typename E::State> && std::is_copy_constructible_v<typename E::State>,
                "an element's State must be plain data (trivially copyable): it cannot keep a Packet to use "
                "later; give packets away with Context::send or Context::drop");
  static_assert(std::is_trivially_destructible_v<typename E::State>);
}

template <typename E>
constexpr ElementOps kernel_ops(const char* kernel_symbol = nullptr) {
  check_element_layout<E>();
  // Several workers run one graph, each with its own State block unless the element says
  // otherwise: how it scales cannot be guessed from its code, so every element says it.
  static_assert(
      requires { E::kStateScope; },
      "an element must say how its State scales over worker cores: add `static constexpr "
      "nb::StateScope kStateScope = nb::StateScope::PerWorker;` (or PerFlow, SharedReadMostly; see "
      "docs/multicore.md)");
  ElementOps ops;
  ops.role = ElementOps::Role::Kernel;
  ops.config_size = sizeof(typename E::Config);
  ops.config_align = alignof(typename E::Config);
  ops.state_size = sizeof(typename E::State);
  ops.state_align = alignof(typename E::State);
  static_assert(
      requires { &E::push; } || requires { &E::pull; } || requires { &E::control; } || requires { E::kInfoOnly; },
      "an element needs a push (its input is pushed to) or a pull (something pulls from its output), or both; "
      "an element without ports a control function or NB_ELEMENT_INFO");
  ops.configure = &detail::configure<E>;
  ops.init = &detail::init<E>;
  if constexpr (requires { &E::push; }) ops.push = &detail::push<E>;
  if constexpr (requires { E::kDrops.reasons; }) ops.drop_reasons = E::kDrops.reasons;
  ops.kernel_symbol = kernel_symbol;
  if constexpr (requires { E::kStateScope; }) ops.state_scope = E::kStateScope;  // else the assert above
  if constexpr (requires { E::kMaxEmitsPerPush; }) ops.max_emits = E::kMaxEmitsPerPush;
  if constexpr (requires { &E::transfer; }) ops.transfer = &detail::transfer<E>;
  if constexpr (requires { &E::setup; }) ops.setup = &detail::setup<E>;
  if constexpr (requires { &E::teardown; }) ops.teardown = &detail::teardown<E>;
  if constexpr (requires { &E::teardown_workers; }) ops.teardown_workers = &detail::teardown_workers<E>;
  if constexpr (requires { &E::facts; }) ops.facts = &detail::facts<E>;
  if constexpr (requires { &E::pull; }) ops.pull = &detail::pull<E>;
  if constexpr (requires { &E::held; }) ops.held = &detail::held<E>;
  if constexpr (requires { &E::control; }) ops.control = &detail::control<E>;
  return ops;
}

namespace detail {
// NB_ELEMENT_KERNEL(Class, {}, {}), the form before counters became handlers and drop reasons
// kDrops, still compiles; tables in it would be silently lost, so they do not.
consteval bool no_legacy_tables(std::span<const CounterField> counters = {},
                                std::span<const std::string_view> drop_reasons = {}) {
  if (!counters.empty()) throw "counters are handlers now: NB_COUNTER(Element, member, doc) in spec.handlers";
  if (!drop_reasons.empty()) throw "drop reasons are the element's kDrops now: nb::drop_reasons({...})";
  return true;
}
}  // namespace detail

// Defines the C entry the JIT links against, and the element's ops table `kOps`:
//   NB_ELEMENT_KERNEL(DecIPTTL);
// in the element's .cpp (which is compiled natively and to bitcode).
#define NB_ELEMENT_KERNEL(Class, ...)                                                                        \
  static_assert(::nb::detail::no_legacy_tables(__VA_ARGS__));                                               \
  extern "C" void nb_kernel_##Class(const void* config, void* state, ::nb::Context* ctx, std::uint32_t port, \
                                    rte_mbuf* m) {                                                         \
    ::nb::detail::push<Class>(config, state, *ctx, port, m);                                              \
  }                                                                                                       \
  constexpr ::nb::ElementOps kOps = ::nb::kernel_ops<Class>("nb_kernel_" #Class)

// An element with a pull side and no push (Unqueue, a scheduler): nothing for the JIT to call.
//   NB_ELEMENT_PULL(RoundRobinSched);
#define NB_ELEMENT_PULL(Class) constexpr ::nb::ElementOps kOps = ::nb::kernel_ops<Class>(nullptr)

// An element with no ports and nothing to run: its arguments tell the compiler or the runtime
// something (AddressInfo's names, ScheduleInfo, ClickyInfo). It has a Config (configure checks
// the arguments) and a State like any element; the class says `static constexpr bool kInfoOnly
// = true;`.
//   NB_ELEMENT_INFO(AddressInfo);
// A control element (Script, see "Control elements"): NB_ELEMENT_CONTROL(Script);
#define NB_ELEMENT_INFO(Class) constexpr ::nb::ElementOps kOps = ::nb::kernel_ops<Class>(nullptr)
#define NB_ELEMENT_CONTROL(Class) constexpr ::nb::ElementOps kOps = ::nb::kernel_ops<Class>(nullptr)

// Ports are opened by the runtime; these elements have no kernel of their own.
inline constexpr ElementOps kSourceOps{ElementOps::Role::Source};
inline constexpr ElementOps kSinkOps{ElementOps::Role::Sink};
inline constexpr ElementOps kSourceSinkOps{ElementOps::Role::SourceSink};

// ---- Handlers --------------------------------------------------------------------------
//
// What `nbctl read ELEMENT.HANDLER` and `nbctl write ELEMENT.HANDLER VALUE` reach while the graph
// runs (docs/control.md). The runtime serves them from its control thread:
// Declare them with the typed helpers below (NB_COUNTER, NB_BOOL, nb::handler<E, ...>), each
// with its doc; the runtime adds `class`, and `drops` and `drop_reasons` for every kernel.
//   - Field, Counter, Rate, Drops, DropReasons and PortCount are read there with relaxed atomic loads of
//     64-bit words that the worker core alone writes, so the data path never waits for them;
//   - Custom read and write functions run on the worker core itself, between two bursts, so
//     they may read and change State freely (nothing else touches it then). Keep them short:
//     the data path waits for them.
struct HandlerSpec {
  enum class Kind : std::uint8_t {
    Field,        // read: the std::uint64_t at `offset` in State, in decimal
    Rate,         // read: per-second rate of the std::uint64_t at `offset`, over the last second
    Drops,        // read: how many packets the element dropped (all reasons; kept by the runtime)
    DropReasons,  // read: one line per drop reason, "REASON COUNT"
    PortCount,    // read: packets received (sources) or transmitted (sinks) by the element's port
    Custom,       // read and/or write through the functions below
    // read: as Field; also one of the element's counters in the run's statistics (JSON
    // `counters`, summed over workers). A Custom handler of the same name takes the name's
    // handler (FlowMonitor's `flows` lists flows; its counter counts them).
    Counter,
    // read and/or write (`control_access`): served by the element's control function on the
    // control thread (ElementOps::control, Script's `run`, `step`, `goto`).
    Control,
  };
  std::string_view name;  // lower case, like Click's: count, reset, active
  Kind kind = Kind::Field;
  std::string_view doc;
  std::size_t offset = 0;
  // Custom: fill `out` with the handler's text (no trailing newline needed).
  void (*read)(const void* config, const void* state, std::string& out) = nullptr;
  // Custom: apply `value`; false (and `error`) when the value is bad, changing nothing. With
  // several workers it is applied to every worker's State, each on its own core.
  bool (*write)(const void* config, void* state, std::string_view value, std::string& error) = nullptr;
  // Custom, several workers: the handler's text over every worker's State (`states[0..n)`), e.g.
  // FlowMonitor's top flows over all workers. Runs while every worker is parked between two
  // bursts. Null: `read` runs per worker and the runtime sums the texts when each is one number,
  // else joins them under "worker W:" headings.
  void (*read_workers)(const void* config, const void* const* states, std::uint32_t n, std::string& out) = nullptr;
  // Control: kControlRead | kControlWrite.
  std::uint8_t control_access = 0;
};
inline constexpr std::uint8_t kControlRead = 1, kControlWrite = 2;

// Parses a handler's boolean argument as Click's BoolArg does: true/false, yes/no, 1/0, on/off.
inline bool parse_handler_bool(std::string_view v, bool& out) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v == "true" || v == "yes" || v == "1" || v == "on") return out = true, true;
  if (v == "false" || v == "no" || v == "0" || v == "off") return out = false, true;
  return false;
}

// ---- Typed handler helpers --------------------------------------------------------------
//
//   NB_COUNTER(E, member, doc)        a std::uint64_t counter in E::State, handler `member`
//   NB_COUNTER_NAMED(E, "name", member, doc)  the same, under another name
//   NB_VALUE(E, "name", member, doc)  a std::uint64_t read as a handler, not a counter (a gauge)
//   NB_RATE(E, "name", member, doc)   per-second rate of a std::uint64_t counter
//   NB_BOOL(E, member, doc)           a bool in E::State, read and written (true/false, on/off...)
//   NB_INTEGER(E, member, doc)        an integer in E::State, read and written
//   nb::handler<E, read, write, read_workers>("name", doc)   anything else, typed:
//     void read(const E::Config&, const E::State&, std::string& out);
//     bool write(const E::Config&, E::State&, std::string_view value, std::string& error);
//     void read_workers(const E::Config&, std::span<const E::State* const> states, std::string& out);
//   (nullptr for the ones it lacks). With several workers a written setting reaches every
//   worker; NB_BOOL/NB_INTEGER print it once when the workers agree, else per worker.
namespace detail {
template <typename T>
constexpr HandlerSpec uint64_handler(HandlerSpec::Kind kind, std::string_view name, std::size_t offset,
                                     std::string_view doc) {
  static_assert(std::is_same_v<T, std::uint64_t>, "counters, values and rates are std::uint64_t members of State");
  return {name, kind, doc, offset};
}

template <typename T, std::size_t Offset>
struct Setting {
  static_assert(std::is_same_v<T, bool> || std::is_integral_v<T>, "NB_BOOL/NB_INTEGER: a bool or integer member");
  static const T& at(const void* state) { return *reinterpret_cast<const T*>(static_cast<const char*>(state) + Offset); }
  static std::string text(T v) {
    if constexpr (std::is_same_v<T, bool>)
      return v ? "true" : "false";
    else
      return std::to_string(v);
  }
  static void read(const void*, const void* state, std::string& out) { out = text(at(state)); }
  static void read_workers(const void*, const void* const* states, std::uint32_t n, std::string& out) {
    bool same = true;
    for (std::uint32_t w = 1; w < n; ++w) same &= at(states[w]) == at(states[0]);
    if (same) {
      if (n > 0) out = text(at(states[0]));
      return;
    }
    // A read between two workers' writes (each applies it on its own core) says which has which.
    for (std::uint32_t w = 0; w < n; ++w) out += "worker " + std::to_string(w) + ": " + text(at(states[w])) + "\n";
  }
  static bool write(const void*, void* state, std::string_view value, std::string& error) {
    T v{};
    if constexpr (std::is_same_v<T, bool>) {
      if (!parse_handler_bool(value, v)) {
        error = "expected true or false, not '" + std::string(value) + "'";
        return false;
      }
    } else {
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (value.empty() || ec != std::errc{} || end != value.data() + value.size()) {
        error = "expected an integer, not '" + std::string(value) + "'";
        return false;
      }
    }
    *reinterpret_cast<T*>(static_cast<char*>(state) + Offset) = v;
    return true;
  }
  static constexpr HandlerSpec spec(std::string_view name, std::string_view doc) {
    return {name, HandlerSpec::Kind::Custom, doc, 0, &read, &write, &read_workers};
  }
};

template <typename E, auto F>
void read_thunk(const void* config, const void* state, std::string& out) {
  F(*static_cast<const typename E::Config*>(config), *static_cast<const typename E::State*>(state), out);
}
template <typename E, auto F>
bool write_thunk(const void* config, void* state, std::string_view value, std::string& error) {
  return F(*static_cast<const typename E::Config*>(config), *static_cast<typename E::State*>(state), value, error);
}
template <typename E, auto F>
void read_workers_thunk(const void* config, const void* const* states, std::uint32_t n, std::string& out) {
  F(*static_cast<const typename E::Config*>(config),
    std::span<const typename E::State* const>(reinterpret_cast<const typename E::State* const*>(states), n), out);
}
}  // namespace detail

template <typename E, auto Read, auto Write = nullptr, auto ReadWorkers = nullptr>
constexpr HandlerSpec handler(std::string_view name, std::string_view doc) {
  HandlerSpec h{name, HandlerSpec::Kind::Custom, doc};
  if constexpr (!std::is_null_pointer_v<decltype(Read)>) h.read = &detail::read_thunk<E, Read>;
  if constexpr (!std::is_null_pointer_v<decltype(Write)>) h.write = &detail::write_thunk<E, Write>;
  if constexpr (!std::is_null_pointer_v<decltype(ReadWorkers)>)
    h.read_workers = &detail::read_workers_thunk<E, ReadWorkers>;
  return h;
}

#define NB_COUNTER(E, member, doc)                                                                           \
  ::nb::detail::uint64_handler<decltype(E::State::member)>(::nb::HandlerSpec::Kind::Counter, #member,        \
                                                           offsetof(E::State, member), doc)
// A counter whose handler name is not its member's (IPRewriter's flows).
#define NB_COUNTER_NAMED(E, name, member, doc)                                                                \
  ::nb::detail::uint64_handler<decltype(E::State::member)>(::nb::HandlerSpec::Kind::Counter, name,          \
                                                           offsetof(E::State, member), doc)
#define NB_VALUE(E, name, member, doc) \
  ::nb::detail::uint64_handler<decltype(E::State::member)>(::nb::HandlerSpec::Kind::Field, name, offsetof(E::State, member), doc)
#define NB_RATE(E, name, member, doc) \
  ::nb::detail::uint64_handler<decltype(E::State::member)>(::nb::HandlerSpec::Kind::Rate, name, offsetof(E::State, member), doc)
#define NB_BOOL(E, member, doc) \
  ::nb::detail::Setting<decltype(E::State::member), offsetof(E::State, member)>::spec(#member, doc)
#define NB_INTEGER(E, member, doc) NB_BOOL(E, member, doc)


// How the runtime opens the port of a source or sink element (ops kSourceOps or kSinkOps, no
// kernel of its own). The element names its file or device in the parameter `port_param` (type
// Filename for files, Device for devices) and may declare these optional parameters, which the
// compiler reads by name when the schema has them (the registry refuses other types):
//   PcapRead (FromDump): LOOP, STOP, ACTIVE (Bool)
//   PcapWrite (ToDump): SNAPLEN (Unsigned)
//   DeviceRx (FromDevice): QUEUE, BURST, NDESC (Unsigned), PROMISC (Bool)
//   DeviceTx (ToDevice): QUEUE, BURST, NDESC (Unsigned)
//   HostRx, HostTap, HostTun: PREFIX or ADDR (IPv4Prefix, the host bits kept), ETHER
//     (EtherAddress), MTU, BURST (Unsigned); HostTx: none
// The Host kinds are a kernel network interface DPDK's net_tap makes (Click's FromHost, ToHost,
// KernelTap, KernelTun), named by the Device parameter (an interface name); elements naming the
// same interface share it.
enum class PortOpen : std::uint8_t {
  None,       // a kernel element
  PcapRead,   // reads a pcap file (DPDK's net_pcap): a port of its own; a Filename read
  PcapWrite,  // writes a pcap file (nbrun's writer): a port of its own; a Filename written
  DeviceRx,   // receives from a DPDK port, which a DeviceTx element of the same device shares
  DeviceTx,   // transmits on a DPDK port
  HostRx,     // receives what the kernel sends to a tap interface (kSourceOps)
  HostTx,     // hands frames to the kernel through a tap interface (kSinkOps); several may share one
  HostTap,    // both, one element (kSourceSinkOps): Ethernet frames
  HostTun,    // both, one element (kSourceSinkOps): IP packets without a link header (a tun)
};

// A parameter whose words name other elements whose State this element reads and changes on its
// own worker (Click's ICMPRewriter(MAPS) and FTPPortMapper reach rewriters' mapping tables):
// `param` is a String parameter of the element's schema, each space-separated word an element name
// (looked up as Click's router()->find: the element's compound first, then the enclosing ones);
// `family` is the ElementSpec::family the named elements must declare, which promises the layout
// of their State; `what` says in an error what the parameter wants ("an IP rewriter: ...");
// `classes`, when not empty, the class names (space-separated) the named elements must have
// besides (FTPPortMapper's CONTROL_REWRITER: a TCPRewriter, as in Click).
struct PeerParam {
  std::string_view param;
  std::string_view family;
  std::string_view what;
  std::string_view classes = {};
};

struct ElementSpec {
  std::string_view class_name;
  std::string_view ports;  // Click's port count syntax: "1/1", "1/1-2", "0/1", "1/-", "1/1-"
  std::span<const ParamSpec> params;
  std::string_view brief;        // one line, no trailing period
  std::string_view description;  // paragraphs; what each port carries
  std::string_view example;      // a .nbc snippet that passes `nbc check`
  OutputCount output_count = OutputCount::FromConnections;
  std::string_view output_count_param = {};
  const ElementOps* ops = nullptr;  // null: declared only, cannot run yet
  std::span<const HandlerSpec> handlers = {};  // read/write handlers, see HandlerSpec
  // Sources and sinks: how their port is opened, and the parameter that names its file or device.
  PortOpen port_open = PortOpen::None;
  std::string_view port_param = {};
  // Click's processing code: which ports push (h), pull (l) or take what they are connected to
  // (a, agnostic), inputs before the slash, outputs after; the last letter of a side covers the
  // ports past it ("a/ah": input and output 0 agnostic, other outputs push). An element's
  // agnostic ports all end up the same, push or pull. Empty: "a/ah" for kernels, "/h" for sources,
  // "a/" for sinks (ToDevice pushed to, or pulling from a Queue).
  std::string_view processing = {};
  // Sends copies of one packet to several outputs (Tee, PaintTee): a push cycle whose only way
  // out goes through such an element keeps a copy going round for ever, so nbc refuses it, where
  // a cycle that can leave through an element choosing one output runs through a queue
  // (docs/queues.md, "Push cycles").
  bool copies_packets = false;
  // Click's flow code: which inputs' packets can leave by which outputs, inputs before the slash,
  // outputs after, one letter per port (the last repeats); input i can reach output j when their
  // letters match. '#' is a letter of its own for each port number, so "#/#" says input i only
  // ever leaves by output i (AddressTranslator). `[ab]` gives a port several letters. Empty:
  // "x/x", every input reaches every output. nbc uses it to tell a push cycle from a path that
  // only looks like one.
  std::string_view flow_code = {};
  // Elements that read the length of queues (RED): the name of the parameter (a space-separated
  // list of element names, optional) that names them. Without it, the compiler finds the nearest
  // elements that store packets (Queues) downstream of a push output 0, or upstream of a pull
  // input 0, and refuses the graph when there are none; HostServices::watched_length sums them.
  // Empty: the element watches no queue.
  std::string_view queues_param = {};
  // A warning `nbc check` and nbrun give at every instance of the class (NDAdv: an old name nb
  // runs under today's), so that what nb accepts but reads differently from Click is never
  // silent. Empty: none.
  std::string_view warning = {};
  // Whether the element reads its String arguments as written, in a language of its own
  // (Script's): a $variable the configuration does not define is left for the element (`set x 1,
  // print $x`) instead of being an error, quotes stay, and AddressInfo names are not replaced.
  // Defined variables are substituted as everywhere.
  bool raw_arguments = false;
  // A source whose outputs after 0 sort what it receives (Click's KernelTun: what is not IP to
  // output 1): Click Classifier patterns, one per output, e.g. "0/40%d0, -". When an output
  // after 0 is connected, the compiler puts a Classifier with these patterns between the source
  // and its outputs (named NAME/split), so the port's receive path stays one output; with only
  // output 0 connected nothing is added and every packet goes there. Empty: one output.
  std::string_view source_split = {};
  // Peers (PeerParam): the parameters that name elements this one reaches the State of, bound by
  // the compiler to the named elements (nbc check refuses a name that is no element, or one not of
  // the family), then at run time to their State on the same worker (Context::peer_state, indexed
  // by the names in order). Empty: none.
  std::span<const PeerParam> peers = {};
  // The family whose State layout this class's State has, for other elements' peer parameters
  // ("ip_rewriter": IPRewriter, TCPRewriter, ICMPPingRewriter share IPRewriter::State). Empty: the
  // class is no one's peer.
  std::string_view family = {};
};

// Built-ins and plugins register their specs at static-initialisation time.
inline std::vector<const ElementSpec*>& registered_element_specs() {
  static std::vector<const ElementSpec*> specs;
  return specs;
}

struct ElementRegistration {
  explicit ElementRegistration(const ElementSpec& spec) { registered_element_specs().push_back(&spec); }
};

#define NB_DETAIL_CAT2(a, b) a##b
#define NB_DETAIL_CAT(a, b) NB_DETAIL_CAT2(a, b)
// NB_REGISTER_ELEMENT(spec) in exactly one .cpp per element.
#define NB_REGISTER_ELEMENT(spec) \
  static const ::nb::ElementRegistration NB_DETAIL_CAT(nb_element_registration_, __LINE__){spec}

}  // namespace nb

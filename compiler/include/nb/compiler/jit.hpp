// The JIT: lowers a Plan to one fused LLVM function per graph, links in the element kernels'
// bitcode, optimises it for this CPU and compiles it with ORC LLJIT. Only jit.cpp sees LLVM.
#pragma once

#include <nb/compiler/jit_abi.hpp>
#include <nb/compiler/plan.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace nb::compiler {

// Where the runtime keeps the data the generated code addresses. With one worker the code names
// each block by a symbol of its own, bound to the block's address when the code is loaded (the
// optimiser knows two States never alias, and the code, which holds no address, can be cached
// and loaded by another process). With several
// workers (per_worker) one compiled graph serves them all: each call gets the worker's slot
// table (see slot_index) and the code loads the addresses from it once per burst.
struct JitLayout {
  bool per_worker = false;
  void* dataplane = nullptr;
  std::vector<void*> states;                  // per element, null for sources and sinks
  std::vector<jit_abi::TxBuffer*> tx;         // per port
  const HostServices* host = nullptr;
  // Per element, what its Context gets (the runtime counts each element's copies through it);
  // empty: every element gets `host`.
  std::vector<const HostServices*> hosts;
  std::uint32_t burst = 32;
  std::vector<std::uint32_t> tx_burst;  // per port (ToDevice BURST); missing or 0: `burst`
  std::uint32_t port_burst(std::uint32_t port) const {
    return port < tx_burst.size() && tx_burst[port] ? tx_burst[port] : burst;
  }
  // per_worker: the slot table's layout, [states per element][hosts per element][tx per port].
  static std::uint32_t state_slot(std::uint32_t element) { return element; }
  static std::uint32_t host_slot(std::uint32_t nelements, std::uint32_t element) { return nelements + element; }
  static std::uint32_t tx_slot(std::uint32_t nelements, std::uint32_t port) { return 2 * nelements + port; }
  // The runtime's nb_host_* functions (the compiler cannot link against the runtime).
  std::vector<std::pair<std::string, void*>> host_symbols;
};

struct JitOptions {
  int opt_level = 3;
  bool keep_ir = false;     // keep the optimised IR text (nbc ir)
  bool materialize = true;  // false: stop after optimisation (nbc ir needs no code)
  // Leave out elements that the graph's facts prove redundant (compiler/facts.hpp).
  bool specialise = true;
  // Look compiled code up in, and add it to, the on-disk cache ($XDG_CACHE_HOME/nb/jit, see
  // docs/performance.md "JIT code cache"). Off unless asked for: nbrun asks (--no-jit-cache).
  bool cache = false;
};

struct JitStats {
  double parse_ms = 0, build_ms = 0, link_ms = 0, optimize_ms = 0, codegen_ms = 0;
  // The on-disk cache: "off" (not asked for, or no cache directory), "hit" (the code was loaded:
  // no parse, link, optimisation or code generation) or "miss" (compiled, then stored if the
  // directory is writable). cache_ms: computing the key and reading (and loading, on a hit).
  std::string cache = "off";
  double cache_ms = 0;
  struct ElementInline {
    std::string name, cls;
    bool inlined = false;
  };
  std::vector<ElementInline> elements;
  // Elements left out because the graph proves them redundant, and the facts that did.
  struct Removal {
    std::string name, cls;
    lang::Span span;
    std::string fact;
  };
  std::vector<Removal> removals;
  // Whether the code resets received packets' annotations, and why (FactAnalysis).
  bool reset_annotations = true;
  std::string annotations_why = "the graph's facts were not used";
};

// Signature of the generated entry point: run `n` packets received by source element `source`.
// `slots`: the worker's slot table (JitLayout::per_worker), ignored otherwise.
using GraphEntry = void (*)(void* dataplane, std::uint32_t source, rte_mbuf** pkts, std::uint32_t n,
                            void* const* slots);

class CompiledGraph {
 public:
  virtual ~CompiledGraph() = default;  // releases the code (its ORC ResourceTracker)
  GraphEntry entry = nullptr;
  std::string ir;
  JitStats stats;
};

// Bitcode of the built-in kernels and JIT glue, embedded in the binary.
std::span<const char> builtin_kernel_bitcode();

// Compiles `plan`. Host functions (nb_host_*) must be given for materialisation. On failure
// returns null and says why in `error`: nbrun never falls back silently to another engine.
std::unique_ptr<CompiledGraph> jit_compile(const Plan& plan, const JitLayout& layout, const JitOptions& options,
                                           std::string& error);

}  // namespace nb::compiler

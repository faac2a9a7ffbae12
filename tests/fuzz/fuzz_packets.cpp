// libFuzzer target over the element kernels: arbitrary frames go through every built-in element
// under both engines, the JIT and the reference interpreter, which must agree exactly: the
// packets each port transmits (bytes, in order), the drops of every element by reason, and every
// element's State counters. Any difference aborts with both sides printed.
//
// The graphs are compiled once, at start-up (JIT compilation takes tens of milliseconds): every
// element class's documentation example and every shipped and test config. Each graph has one
// Dataplane per engine; the ports' transmit side is a net_ring vdev whose ring the fuzzer reads
// back. Before each input, the elements of the graph it runs start from a fresh State (teardown,
// init, setup; see read_only_after_setup), so that any finding replays from its input alone.
// Every class with a kernel must appear in some graph, or start-up fails: a new element is
// fuzzed from the day it gets its documented example.
//
// Input: byte 0 picks the graph, byte 1 the source element, then up to kMaxFrames frames, each a
// 16-bit big-endian length followed by that many bytes (cut at the end of the input).
#include <nb/compiler/driver.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/compiler/registry.hpp>
#include <nb/packet.hpp>
#include <nb/runtime/interp.hpp>
#include <nb/runtime/jit_engine.hpp>

#include "pull.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace fs = std::filesystem;
using namespace nb;

namespace {

constexpr std::uint32_t kMaxFrames = 16;
constexpr std::uint32_t kMaxFrameLen = 2048;  // an mbuf's data room (RTE_MBUF_DEFAULT_DATAROOM)
constexpr std::uint32_t kBurst = 32;          // nbrun's default

struct Side {
  std::unique_ptr<runtime::Dataplane> dp;
  std::unique_ptr<runtime::Engine> engine;
  std::vector<std::string> pristine;  // per element: its State bytes right after setup
};

// Classes whose setup builds data that packets only read (rte_lpm route tables, Hyperscan
// databases, whose scratch space holds nothing between scans): their State is reset by copying
// back its bytes from after setup, because building them again costs milliseconds to seconds
// (a 64 MB rte_lpm table, a Hyperscan compilation). Every other class with a setup hook
// (flow tables that packets fill) is torn down and set up again for every input.
bool read_only_after_setup(std::string_view cls) {
  return cls == "LookupIPRoute" || cls == "SignatureMatcher";
}

struct FuzzGraph {
  std::string origin;  // "example of Tee", "configs/router.nbc"
  std::string text;
  std::unique_ptr<lang::SourceManager> sources;
  std::unique_ptr<compiler::Plan> plan;  // the Dataplanes hold references into it
  Side side[2];                          // 0: interpreter, 1: JIT
};

// Never destroyed: at exit, the JIT's own statics may be gone before a global's destructor
// would free compiled code.
std::vector<std::unique_ptr<FuzzGraph>>& g_graphs = *new std::vector<std::unique_ptr<FuzzGraph>>;
std::vector<std::uint16_t> g_ring_ports;  // plan port i transmits on g_ring_ports[i]
rte_mempool* g_pool = nullptr;

void snapshot(FuzzGraph& g, Side& s) {
  s.pristine.resize(g.plan->elements.size());
  for (std::size_t i = 0; i < g.plan->elements.size(); ++i)
    if (s.dp->states[i])
      s.pristine[i].assign(static_cast<const char*>(s.dp->states[i]->data()), s.dp->states[i]->size());
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "fuzz_packets: %s\n", why.c_str());
  std::exit(1);
}

std::unique_ptr<FuzzGraph> compile_graph(const std::string& origin, const std::string& text) {
  auto g = std::make_unique<FuzzGraph>();
  g->origin = origin;
  g->text = text;
  g->sources = std::make_unique<lang::SourceManager>();
  lang::DiagnosticEngine diags;
  auto id = g->sources->add(origin, text);
  auto fe = compiler::compile_front_end(*g->sources, id, compiler::Registry::builtin(), diags);
  if (!fe.graph || diags.has_errors()) {
    std::ostringstream msg;
    diags.render(msg, *g->sources);
    std::fprintf(stderr, "fuzz_packets: skipping %s (does not check):\n%s", origin.c_str(), msg.str().c_str());
    return nullptr;
  }
  auto plan = compiler::lower(*fe.graph, diags);
  if (!plan || diags.has_errors()) {
    std::ostringstream msg;
    diags.render(msg, *g->sources);
    std::fprintf(stderr, "fuzz_packets: skipping %s (does not lower):\n%s", origin.c_str(), msg.str().c_str());
    return nullptr;
  }
  if (plan->sources.empty()) return nullptr;
  g->plan = std::make_unique<compiler::Plan>(std::move(*plan));
  return g;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void start_eal(std::size_t nports) {
  std::vector<std::string> args{"fuzz_packets",
                                "-l",
                                "0",
                                "--no-huge",
                                "-m",
                                "4096",
                                "--no-pci",
                                "--no-telemetry",
                                "--log-level=*:error",
                                fmt::format("--file-prefix=nb-fuzz-packets-{}", getpid())};
  for (std::size_t i = 0; i < nports; ++i) args.push_back(fmt::format("--vdev=net_ring_fuzz{}", i));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(args.size()), argv.data()) < 0)
    die(fmt::format("rte_eal_init: {}", rte_strerror(rte_errno)));
  // DPDK leaves its runtime directory (/run/dpdk/PREFIX) behind; one per run would pile up.
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(rte_eal_get_runtime_dir(), ec);
  });
  // As nbrun does: the annotations' bytes in the mbuf (packet.hpp) are reserved.
  rte_mbuf_dynfield field{};
  std::snprintf(field.name, sizeof field.name, "nb_packet_anno");
  field.size = sizeof(PacketAnno);
  field.align = alignof(PacketAnno);
  if (rte_mbuf_dynfield_register_offset(&field, kAnnoOffset) < 0) die("cannot reserve the annotation bytes");
  g_pool = rte_pktmbuf_pool_create("nb_fuzz", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
  if (!g_pool) die(fmt::format("mempool: {}", rte_strerror(rte_errno)));
  for (std::size_t i = 0; i < nports; ++i) {
    std::uint16_t id = 0;
    if (rte_eth_dev_get_port_by_name(fmt::format("net_ring_fuzz{}", i).c_str(), &id) != 0) die("no net_ring port");
    rte_eth_conf conf{};
    if (rte_eth_dev_configure(id, 1, 1, &conf) < 0 || rte_eth_rx_queue_setup(id, 0, 1024, 0, nullptr, g_pool) < 0 ||
        rte_eth_tx_queue_setup(id, 0, 1024, 0, nullptr) < 0 || rte_eth_dev_start(id) < 0)
      die("cannot start a net_ring port");
    g_ring_ports.push_back(id);
  }
}

// Every element back to the State it had before its first packet, in both engines. The State
// blocks stay where they are: the JIT's code has their addresses baked in.
void reset(FuzzGraph& g) {
  for (Side& s : g.side) {
    runtime::Dataplane& dp = *s.dp;
    for (std::size_t i = 0; i < g.plan->elements.size(); ++i) {
      const compiler::PlanElement& e = g.plan->elements[i];
      if (!dp.states[i]) continue;
      if (dp.guards[i] && read_only_after_setup(e.spec->class_name)) {
        std::memcpy(dp.states[i]->data(), s.pristine[i].data(), s.pristine[i].size());
        continue;
      }
      dp.guards[i].reset();  // the last holder: teardown
      std::memset(dp.states[i]->data(), 0, dp.states[i]->size());
      e.ops->init(e.config.data(), dp.states[i]->data());
    }
    std::string error;
    if (!dp.setup_elements(error)) die(fmt::format("{}: setup failed: {}", g.origin, error));
    for (auto& d : dp.drops) std::fill(d->begin(), d->end(), 0);
    for (auto& p : dp.ports) *p = runtime::PortCounters{};
  }
}

struct Outcome {
  std::vector<std::vector<std::string>> tx;  // per plan port, in order
  std::vector<std::string> lines;            // "element: counter = value", "element: drop reason = n"
};

Outcome run(FuzzGraph& g, int side, std::uint32_t source, const std::vector<std::string>& frames) {
  Side& s = g.side[side];
  const unsigned free_before = rte_mempool_avail_count(g_pool);
  std::vector<rte_mbuf*> pkts;
  for (const std::string& f : frames) {
    rte_mbuf* m = rte_pktmbuf_alloc(g_pool);
    if (!m) die("mempool exhausted (an engine leaks packets?)");
    char* p = rte_pktmbuf_append(m, static_cast<std::uint16_t>(f.size()));
    if (!p && !f.empty()) die("frame does not fit an mbuf");
    if (!f.empty()) std::memcpy(p, f.data(), f.size());
    new (anno_of(m)) PacketAnno{};
    pkts.push_back(m);
  }
  runtime::Dataplane& dp = *s.dp;
  runtime::add_counter(dp.ports[static_cast<std::size_t>(g.plan->elements[source].port)]->rx, pkts.size());
  // Bursts as the worker loop hands them over.
  for (std::size_t off = 0; off < pkts.size(); off += kBurst) {
    auto n = static_cast<std::uint32_t>(std::min<std::size_t>(kBurst, pkts.size() - off));
    s.engine->process(source, pkts.data() + off, n);
    dp.flush_all();
  }
  // What went into a Queue stays there until a task pulls it; tasks run on the worker's clock
  // (rates), which would make the two engines' outputs differ by timing alone. So this fuzzer
  // checks the push side: queued packets are dropped as the end of a run drops them (`flushed`,
  // counted), and every mbuf must still come back.
  if (!g.plan->tasks.empty()) runtime::PullRunner(dp, *s.engine).drop_held();
  Outcome o;
  o.tx.resize(g.plan->ports.size());
  for (std::size_t p = 0; p < g.plan->ports.size(); ++p) {
    rte_mbuf* got[64];
    std::uint16_t n;
    while ((n = rte_eth_rx_burst(g_ring_ports[p], 0, got, 64)) > 0) {
      for (std::uint16_t i = 0; i < n; ++i) {
        std::string bytes;
        for (rte_mbuf* seg = got[i]; seg; seg = seg->next)
          bytes.append(rte_pktmbuf_mtod(seg, const char*), rte_pktmbuf_data_len(seg));
        if (bytes.size() != rte_pktmbuf_pkt_len(got[i]))
          bytes += fmt::format(" [pkt_len {}]", rte_pktmbuf_pkt_len(got[i]));
        o.tx[p].push_back(std::move(bytes));
      }
      rte_pktmbuf_free_bulk(got, n);
    }
    const runtime::PortCounters& c = *dp.ports[p];
    o.lines.push_back(
        fmt::format("port {} ({}): rx {} tx {} tx_dropped {}", p, g.plan->ports[p].name, c.rx, c.tx, c.tx_dropped));
  }
  // Nothing lost: every packet, copy and generated packet left by a port (and was read back and
  // freed here) or was dropped and freed. Elements hold no packets between pushes.
  const unsigned free_after = rte_mempool_avail_count(g_pool);
  if (free_after != free_before)
    o.lines.push_back(fmt::format("mbufs not returned to the pool: {}", static_cast<long>(free_before) - free_after));
  for (std::size_t i = 0; i < g.plan->elements.size(); ++i) {
    const compiler::PlanElement& e = g.plan->elements[i];
    if (!e.ops) continue;
    if (dp.states[i]) {
      for (const HandlerSpec& f : e.spec->handlers) {
        if (f.kind != HandlerSpec::Kind::Counter) continue;
        std::uint64_t v;
        std::memcpy(&v, static_cast<const char*>(dp.states[i]->data()) + f.offset, sizeof v);
        o.lines.push_back(fmt::format("{}: {} = {}", e.name, f.name, v));
      }
    }
    const auto& d = *dp.drops[i];
    for (std::size_t r = 0; r < d.size(); ++r) {
      if (!d[r]) continue;
      std::string reason = r < e.ops->drop_reasons.size() ? std::string(e.ops->drop_reasons[r].name)
                           : r == d.size() - 2            ? "no buffers"
                                                          : "unconnected output";
      o.lines.push_back(fmt::format("{}: dropped ({}) = {}", e.name, reason, d[r]));
    }
  }
  return o;
}

std::string hex(const std::string& b) {
  std::string s;
  for (std::size_t i = 0; i < b.size(); ++i)
    s += fmt::format("{}{:02x}", i && i % 32 == 0 ? "\n    " : "", static_cast<unsigned char>(b[i]));
  return s;
}

[[noreturn]] void report(const FuzzGraph& g, std::uint32_t source, const std::vector<std::string>& frames,
                         const Outcome& interp, const Outcome& jit) {
  std::fprintf(stderr, "\n==== JIT and interpreter disagree, or lose packets, on %s (source %s)\n", g.origin.c_str(),
               g.plan->elements[source].name.c_str());
  for (std::size_t i = 0; i < frames.size(); ++i)
    std::fprintf(stderr, "frame %zu (%zu bytes):\n    %s\n", i, frames[i].size(), hex(frames[i]).c_str());
  for (std::size_t p = 0; p < interp.tx.size(); ++p) {
    if (interp.tx[p] == jit.tx[p]) continue;
    std::fprintf(stderr, "port %zu (%s): interp sent %zu packets, jit %zu\n", p, g.plan->ports[p].name.c_str(),
                 interp.tx[p].size(), jit.tx[p].size());
    for (std::size_t k = 0; k < std::max(interp.tx[p].size(), jit.tx[p].size()); ++k) {
      const std::string* a = k < interp.tx[p].size() ? &interp.tx[p][k] : nullptr;
      const std::string* b = k < jit.tx[p].size() ? &jit.tx[p][k] : nullptr;
      if (a && b && *a == *b) continue;
      std::fprintf(stderr, "  packet %zu\n    interp: %s\n    jit:    %s\n", k, a ? hex(*a).c_str() : "(none)",
                   b ? hex(*b).c_str() : "(none)");
    }
  }
  std::set<std::string> a(interp.lines.begin(), interp.lines.end()), b(jit.lines.begin(), jit.lines.end());
  for (const std::string& l : interp.lines)
    if (!b.count(l)) std::fprintf(stderr, "  interp only: %s\n", l.c_str());
  for (const std::string& l : jit.lines)
    if (!a.count(l)) std::fprintf(stderr, "  jit only:    %s\n", l.c_str());
  for (const std::string& l : interp.lines)
    if (l.rfind("mbufs not returned", 0) == 0) std::fprintf(stderr, "  interp: %s\n", l.c_str());
  for (const std::string& l : jit.lines)
    if (l.rfind("mbufs not returned", 0) == 0) std::fprintf(stderr, "  jit:    %s\n", l.c_str());
  std::fprintf(stderr, "---- the graph:\n%s\n", g.text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Configs name their files (rules, routes) relative to the source tree, as nbrun run there.
  const fs::path old = fs::current_path();
  fs::current_path(NB_SOURCE_DIR);
  // Every built-in element class's documented example, then every config the tests run.
  std::set<std::string> kernels;
  for (const auto& [name, cls] : compiler::Registry::builtin().classes()) {
    // Kernels with an input: an element that takes no packets (InfiniteSource makes its own) has
    // nothing for this fuzzer to feed.
    if (cls.spec->ops && cls.spec->ops->role == ElementOps::Role::Kernel && cls.ports.inputs.max > 0)
      kernels.insert(name);
    if (!cls.spec->example.empty())
      if (auto g = compile_graph("example of " + name, std::string(cls.spec->example)))
        g_graphs.push_back(std::move(g));
  }
  std::vector<fs::path> files;
  for (const char* dir : {"configs", "tests/diff", "tests/good", "tests/jit", "tests/fuzz/packet_graphs"}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".nbc") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files)
    if (auto g = compile_graph(f.string(), read_file(f))) g_graphs.push_back(std::move(g));
  // "Every element" must stay true as elements are added: a class no graph holds fails here.
  for (const auto& g : g_graphs)
    for (const auto& e : g->plan->elements)
      if (e.spec) kernels.erase(std::string(e.spec->class_name));
  if (!kernels.empty()) {
    std::string missing;
    for (const std::string& k : kernels) missing += " " + k;
    die("no graph holds these element classes (give them an example, or add a graph to tests/fuzz/packet_graphs/):" +
        missing);
  }

  std::size_t nports = 0;
  for (const auto& g : g_graphs) nports = std::max(nports, g->plan->ports.size());
  start_eal(nports);
  for (auto& g : g_graphs) {
    for (int k = 0; k < 2; ++k) {
      Side& s = g->side[k];
      s.dp = std::make_unique<runtime::Dataplane>(*g->plan, g_pool, kBurst);
      for (std::size_t p = 0; p < g->plan->ports.size(); ++p) s.dp->tx[p].port_id = g_ring_ports[p];
      std::string error;
      if (!s.dp->setup_elements(error)) die(fmt::format("{}: {}", g->origin, error));
      snapshot(*g, s);
      if (k == 0) {
        s.engine = std::make_unique<runtime::InterpEngine>(*s.dp);
      } else {
        auto jit = runtime::JitEngine::create(*s.dp, error);
        if (!jit) die(fmt::format("{}: the JIT cannot compile it: {}", g->origin, error));
        s.engine = std::move(jit);
      }
    }
  }
  fs::current_path(old);
  std::fprintf(stderr, "fuzz_packets: %zu graphs, %zu ports\n", g_graphs.size(), nports);
  if (const char* list = std::getenv("NB_FUZZ_LIST_GRAPHS")) {
    (void)list;
    for (std::size_t i = 0; i < g_graphs.size(); ++i)
      std::fprintf(stderr, "  %zu: %s (%zu sources)\n", i, g_graphs[i]->origin.c_str(),
                   g_graphs[i]->plan->sources.size());
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || g_graphs.empty()) return 0;
  FuzzGraph& g = *g_graphs[data[0] % g_graphs.size()];
  std::uint32_t source = g.plan->sources[data[1] % g.plan->sources.size()];
  std::vector<std::string> frames;
  std::size_t off = 2;
  while (off + 2 <= size && frames.size() < kMaxFrames) {
    std::size_t len = (std::size_t{data[off]} << 8) | data[off + 1];
    off += 2;
    len = std::min({len, size - off, std::size_t{kMaxFrameLen}});
    frames.emplace_back(reinterpret_cast<const char*>(data + off), len);
    off += len;
  }
  if (frames.empty()) return 0;
  reset(g);
  Outcome interp = run(g, 0, source, frames);
  Outcome jit = run(g, 1, source, frames);
  bool leak = false;
  for (const Outcome* o : {&interp, &jit})
    for (const std::string& l : o->lines) leak |= l.rfind("mbufs not returned", 0) == 0;
  if (leak || interp.tx != jit.tx || interp.lines != jit.lines) report(g, source, frames, interp, jit);
  return 0;
}

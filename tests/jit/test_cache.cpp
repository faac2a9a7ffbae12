// The on-disk cache of JIT code (docs/performance.md, "JIT code cache"): a graph compiled twice
// with the same layout is loaded the second time, and the loaded code forwards as the compiled
// one does; damaged entries and unusable directories cost a compile, never the graph.
#include <nb/compiler/driver.hpp>
#include <nb/compiler/jit.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/compiler/registry.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace nb;

namespace {
// UBSan's -fsanitize=function checks a signature stored before the callee, which JIT code lacks
// (see JitEngine::process).
__attribute__((no_sanitize("function"))) void call_entry(nb::compiler::GraphEntry entry, void* dp,
                                                         std::uint32_t source, rte_mbuf** pkts) {
  entry(dp, source, pkts, 1, nullptr);
}

int g_drops = 0;
extern "C" void test_host_drop(void*, std::uint32_t, rte_mbuf*, std::uint32_t) {
  ++g_drops;
}
extern "C" void test_host_count_drop(void*, std::uint32_t, std::uint32_t) {}
extern "C" void test_host_flush(void*, std::uint32_t) {}

const char* const kGraph =
    "FromDevice(net_null0) -> Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14) -> ToDevice(net_null1);\n";

// A temporary XDG_CACHE_HOME for one test case.
struct TempCache {
  fs::path root;
  std::string saved;
  bool had = false;
  TempCache() {
    std::string tmpl = (fs::temp_directory_path() / "nb-jit-cache-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    root = tmpl;
    if (const char* v = std::getenv("XDG_CACHE_HOME")) {
      saved = v;
      had = true;
    }
    setenv("XDG_CACHE_HOME", root.c_str(), 1);
  }
  ~TempCache() {
    if (had)
      setenv("XDG_CACHE_HOME", saved.c_str(), 1);
    else
      unsetenv("XDG_CACHE_HOME");
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  fs::path dir() const { return root / "nb" / "jit"; }
  std::vector<fs::path> entries() const {
    std::vector<fs::path> v;
    std::error_code ec;
    for (fs::directory_iterator it(dir(), ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".o") v.push_back(it->path());
    return v;
  }
};

// The graph's plan and the memory its code addresses, kept at the same addresses for every compile.
struct Fixture {
  std::optional<compiler::Plan> plan;
  std::vector<compiler::AlignedBlock> states;
  std::vector<jit_abi::TxBuffer> tx;
  HostServices host;
  compiler::JitLayout layout;
  int dataplane = 0;

  explicit Fixture(const char* text = kGraph) {
    lang::SourceManager sources;
    lang::DiagnosticEngine diags;
    lang::FileId id = sources.add("cache.nbc", text);
    auto front = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
    if (front.graph) plan = compiler::lower(*front.graph, diags);
    if (!plan) {
      std::ostringstream os;
      diags.render(os, sources, false);
      FAIL(os.str());
    }
    states.resize(plan->elements.size());
    tx.resize(plan->ports.size());
    for (std::size_t i = 0; i < plan->elements.size(); ++i) {
      const auto& e = plan->elements[i];
      if (e.ops && e.ops->role == ElementOps::Role::Kernel) {
        states[i] = compiler::AlignedBlock(e.ops->state_size, e.ops->state_align);
        e.ops->init(e.config.data(), states[i].data());
        std::string why;
        if (e.ops->setup) REQUIRE(e.ops->setup(e.config.data(), states[i].data(), why));
      }
      layout.states.push_back(states[i].data());
    }
    for (auto& t : tx) layout.tx.push_back(&t);
    layout.host = &host;
    layout.dataplane = &dataplane;
    layout.host_symbols = {{"nb_host_drop", reinterpret_cast<void*>(&test_host_drop)},
                           {"nb_host_count_drop", reinterpret_cast<void*>(&test_host_count_drop)},
                           {"nb_host_flush", reinterpret_cast<void*>(&test_host_flush)}};
  }

  std::unique_ptr<compiler::CompiledGraph> compile(bool cache = true) {
    compiler::JitOptions o;
    o.cache = cache;
    std::string error;
    auto g = compiler::jit_compile(*plan, layout, o, error);
    INFO(error);
    REQUIRE(g);
    REQUIRE(g->entry);
    return g;
  }

  // Sends one IPv4/UDP packet with TTL 64 through `g`: it must leave on net_null1 with TTL 63
  // and a correct header checksum.
  void forwards(const compiler::CompiledGraph& g) {
    constexpr std::size_t kPriv = 32, kRoom = 128 + 64;
    alignas(64) static unsigned char mem[sizeof(rte_mbuf) + kPriv + kRoom];
    std::memset(mem, 0, sizeof mem);
    auto* m = reinterpret_cast<rte_mbuf*>(mem);
    new (anno_of(m)) PacketAnno{};
    auto* buf = mem + sizeof(rte_mbuf) + kPriv;
    std::uint8_t frame[60] = {};
    frame[12] = 0x08;  // IPv4
    std::uint8_t* ip = frame + 14;
    const std::uint8_t hdr[20] = {0x45, 0, 0, 46, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 1, 0, 1};
    std::memcpy(ip, hdr, sizeof hdr);
    auto checksum = [](const std::uint8_t* h) {
      std::uint32_t sum = 0;
      for (int i = 0; i < 20; i += 2) sum += static_cast<std::uint32_t>(h[i] << 8 | h[i + 1]);
      while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
      return static_cast<std::uint16_t>(~sum);
    };
    std::uint16_t c = checksum(ip);
    ip[10] = static_cast<std::uint8_t>(c >> 8);
    ip[11] = static_cast<std::uint8_t>(c);
    std::memcpy(buf + 128, frame, sizeof frame);
    m->buf_addr = buf;
    m->buf_len = kRoom;
    m->data_off = 128;
    m->data_len = sizeof frame;
    m->pkt_len = sizeof frame;
    m->nb_segs = 1;
    m->refcnt = 1;
    m->priv_size = kPriv;

    for (auto& t : tx) t.count = 0;
    g_drops = 0;
    rte_mbuf* pkts[1] = {m};
    REQUIRE(plan->sources.size() == 1);
    call_entry(g.entry, &dataplane, plan->sources[0], pkts);
    CHECK(g_drops == 0);
    std::uint32_t sent = 0;
    for (auto& t : tx) sent += t.count;
    REQUIRE(sent == 1);
    const std::uint8_t* out = static_cast<const std::uint8_t*>(m->buf_addr) + m->data_off;
    CHECK(m->data_len == sizeof frame);
    CHECK(out[14 + 8] == 63);
    CHECK(checksum(out + 14) == 0);
  }
};

}  // namespace

TEST_CASE("jit cache: a second compile of the same graph hits and forwards", "[jit][cache]") {
  TempCache tc;
  Fixture f;
  auto first = f.compile();
  CHECK(first->stats.cache == "miss");
  f.forwards(*first);
  REQUIRE(tc.entries().size() == 1);
  auto second = f.compile();
  CHECK(second->stats.cache == "hit");
  CHECK(second->stats.optimize_ms == 0);
  CHECK(second->stats.codegen_ms == 0);
  f.forwards(*second);
  // Both at once: each graph's code is its own (same entry name, separate JITDylibs).
  f.forwards(*first);
  first.reset();
  f.forwards(*second);
  CHECK(tc.entries().size() == 1);
}

TEST_CASE("jit cache: one worker's code is bound to the memory it is loaded for", "[jit][cache]") {
  // Another graph's memory (as in another process): the same code, loaded for these addresses,
  // must transmit into these buffers, not the first fixture's.
  TempCache tc;
  Fixture a;
  auto first = a.compile();
  CHECK(first->stats.cache == "miss");
  Fixture b;
  REQUIRE(b.states.size() == a.states.size());
  REQUIRE(b.tx.data() != a.tx.data());
  auto second = b.compile();
  CHECK(second->stats.cache == "hit");
  b.forwards(*second);
  a.forwards(*first);
  CHECK(tc.entries().size() == 1);
}

TEST_CASE("jit cache: off unless asked for, and then never touched", "[jit][cache]") {
  TempCache tc;
  Fixture f;
  auto g = f.compile(false);
  CHECK(g->stats.cache == "off");
  f.forwards(*g);
  CHECK_FALSE(fs::exists(tc.root / "nb"));
}

TEST_CASE("jit cache: a damaged entry is ignored and rewritten", "[jit][cache]") {
  TempCache tc;
  Fixture f;
  f.compile();
  auto entries = tc.entries();
  REQUIRE(entries.size() == 1);
  const fs::path entry = entries[0];
  const std::uint64_t size = fs::file_size(entry);

  SECTION("truncated") {
    fs::resize_file(entry, size / 2);
  }
  SECTION("one byte of the code changed") {
    std::fstream io(entry, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(static_cast<std::streamoff>(size - 100));
    io.put('\x5a');
  }
  SECTION("garbage") {
    std::ofstream(entry, std::ios::binary | std::ios::trunc) << "not an object file";
  }
  SECTION("empty") {
    std::ofstream(entry, std::ios::binary | std::ios::trunc);
  }

  auto g = f.compile();
  CHECK(g->stats.cache == "miss");
  f.forwards(*g);
  REQUIRE(fs::exists(entry));
  CHECK(fs::file_size(entry) == size);
  auto again = f.compile();
  CHECK(again->stats.cache == "hit");
  f.forwards(*again);
}

TEST_CASE("jit cache: an unusable directory costs a compile, never the graph", "[jit][cache]") {
  TempCache tc;
  // XDG_CACHE_HOME is a regular file: nothing can be made under it (also as root, whom
  // permissions would not stop).
  const fs::path file = tc.root / "not-a-directory";
  std::ofstream(file) << "x";
  setenv("XDG_CACHE_HOME", file.c_str(), 1);
  Fixture f;
  auto g = f.compile();
  CHECK(g->stats.cache == "miss");
  f.forwards(*g);
  auto again = f.compile();
  CHECK(again->stats.cache == "miss");
  f.forwards(*again);
}

TEST_CASE("jit cache: a different graph is a different entry", "[jit][cache]") {
  TempCache tc;
  // (Where its memory is does not make a graph different: see "bound to the memory" above.)
  Fixture a;
  Fixture b(
      "FromDevice(net_null0) -> Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14) -> Counter\n"
      "    -> ToDevice(net_null1);\n");
  a.compile();
  auto g = b.compile();
  CHECK(g->stats.cache == "miss");
  b.forwards(*g);
  CHECK(tc.entries().size() == 2);
}

TEST_CASE("jit cache: the directory is kept under NB_JIT_CACHE_MAX_MIB", "[jit][cache]") {
  TempCache tc;
  setenv("NB_JIT_CACHE_MAX_MIB", "0", 1);
  Fixture f;
  auto g = f.compile();
  unsetenv("NB_JIT_CACHE_MAX_MIB");
  CHECK(g->stats.cache == "miss");
  f.forwards(*g);
  CHECK(tc.entries().empty());  // a limit of 0 keeps nothing
}

// The JIT facade: the only translation unit that includes LLVM.
//
// For a Plan it builds one module: every element instance becomes an internal, always-inline
// "node" function that calls the element's kernel with its Config baked in as a private
// constant and its State at a symbol bound when the code is loaded (or, with several workers,
// at an address from the worker's slot table), then dispatches each packet the kernel emitted
// to the next node or to a transmit buffer. The kernels' and glue's bitcode is linked in (only
// what the graph uses), everything but the entry point is internalised, each node is optimised
// on its own and then all are fused into one loop per source (see "Optimisation in two steps").
// The object code is kept in an on-disk cache and loaded from it when the same graph comes again.
#include <nb/compiler/facts.hpp>
#include <nb/compiler/jit.hpp>
#include <nb/compiler/plugin.hpp>

#include <fmt/format.h>

#include <llvm/ADT/StringExtras.h>
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/BLAKE3.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

extern "C" {
extern const char nb_kernels_bc_start[];
extern const char nb_kernels_bc_end[];
}

namespace nb::compiler {

std::span<const char> builtin_kernel_bitcode() {
  return {nb_kernels_bc_start, static_cast<std::size_t>(nb_kernels_bc_end - nb_kernels_bc_start)};
}

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::string to_string(llvm::Error err) {
  std::string s;
  llvm::handleAllErrors(std::move(err), [&](const llvm::ErrorInfoBase& e) { s += e.message(); });
  return s;
}

// ---------------------------------------------------------------------------------------------
// The on-disk cache of compiled code (docs/performance.md, "JIT code cache").
//
// One file per graph, $XDG_CACHE_HOME/nb/jit/KEY.o, KEY being a BLAKE3 digest of everything
// the code depends on (cache_key). A file is [header][ELF object]; the header carries the
// object's size and digest, so a truncated or damaged file is recognised, ignored and
// rewritten. Writers write a temporary file in the same directory and rename it over the
// entry, so concurrent nbruns only ever see whole files. The directory is kept under a size
// limit by removing the least recently used entries (a hit refreshes an entry's mtime).
namespace cache {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'N', 'B', 'J', 'I', 'T', 'O', 'B', '1'};
constexpr std::size_t kDigest = 32;
constexpr std::size_t kHeader = sizeof kMagic + 8 + kDigest + kDigest;  // magic, size, key, object digest
constexpr std::uint64_t kDefaultMaxMiB = 64;
// A temporary file older than this was left by a writer that died.
constexpr auto kStaleTemp = std::chrono::minutes(10);

using Digest = std::array<std::uint8_t, kDigest>;

Digest blake3(llvm::StringRef bytes) {
  llvm::BLAKE3 h;
  h.update(bytes);
  return h.final();
}

// At most one note per process: a cache that cannot be used costs speed, never the run.
void note_once(const std::string& why) {
  static std::atomic<bool> said{false};
  if (!said.exchange(true))
    fmt::print(stderr, "{}: note: JIT code is not cached: {}\n", program_invocation_short_name, why);
}

// $XDG_CACHE_HOME/nb/jit, or ~/.cache/nb/jit (the XDG base directory specification: a relative
// XDG_CACHE_HOME is ignored).
std::optional<fs::path> directory(std::string& why) {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg == '/') return fs::path(xdg) / "nb" / "jit";
  const char* home = std::getenv("HOME");
  if (home && *home == '/') return fs::path(home) / ".cache" / "nb" / "jit";
  why = "neither XDG_CACHE_HOME nor HOME is an absolute path";
  return std::nullopt;
}

std::uint64_t max_bytes() {
  std::uint64_t mib = kDefaultMaxMiB;
  if (const char* v = std::getenv("NB_JIT_CACHE_MAX_MIB"); v && *v) {
    char* end = nullptr;
    unsigned long long x = std::strtoull(v, &end, 10);
    if (*end == '\0') mib = x;
  }
  return mib << 20;
}

bool read_all(int fd, std::string& out) {
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

// The object stored under `key`, if there is a whole one. A damaged entry is removed.
std::optional<std::string> load(const fs::path& dir, const std::string& key, const Digest& key_digest) {
  const fs::path file = dir / (key + ".o");
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string bytes;
  bool ok = read_all(fd, bytes);
  ::close(fd);
  if (!ok) return std::nullopt;
  std::uint64_t size = 0;
  if (bytes.size() >= kHeader) std::memcpy(&size, bytes.data() + sizeof kMagic, sizeof size);
  const char* key_at = bytes.data() + sizeof kMagic + 8;
  const char* digest_at = key_at + kDigest;
  if (bytes.size() < kHeader || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0 ||
      size != bytes.size() - kHeader || std::memcmp(key_at, key_digest.data(), kDigest) != 0 ||
      blake3(llvm::StringRef(bytes).drop_front(kHeader)) != *reinterpret_cast<const Digest*>(digest_at)) {
    std::error_code ec;
    fs::remove(file, ec);
    return std::nullopt;
  }
  ::utimensat(AT_FDCWD, file.c_str(), nullptr, 0);  // recently used: evicted last
  return bytes.substr(kHeader);
}

// Removes the least recently used entries beyond the size limit, and stale temporary files.
void evict(const fs::path& dir) {
  struct Entry {
    fs::path path;
    fs::file_time_type mtime;
    std::uint64_t size;
  };
  std::vector<Entry> entries;
  std::uint64_t total = 0;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    const fs::path& p = it->path();
    auto mtime = fs::last_write_time(p, e2);
    if (e2) continue;
    if (p.filename().string().find(".tmp.") != std::string::npos) {
      if (now - mtime > kStaleTemp) fs::remove(p, e2);
      continue;
    }
    if (p.extension() != ".o") continue;
    auto size = fs::file_size(p, e2);
    if (e2) continue;
    entries.push_back({p, mtime, size});
    total += size;
  }
  const std::uint64_t limit = max_bytes();
  if (total <= limit) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.mtime < b.mtime; });
  for (const Entry& e : entries) {
    if (total <= limit) break;
    std::error_code e2;
    if (fs::remove(e.path, e2)) total -= e.size;
  }
}

// Stores `object` under `key`: written whole to a temporary file, then renamed over the entry.
bool store(const fs::path& dir, const std::string& key, const Digest& key_digest, llvm::StringRef object,
           std::string& why) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    why = fmt::format("cannot create {}: {}", dir.string(), ec.message());
    return false;
  }
  static std::atomic<unsigned> serial{0};
  const fs::path file = dir / (key + ".o");
  const fs::path tmp = dir / fmt::format("{}.o.tmp.{}.{}", key, ::getpid(), serial++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    why = fmt::format("cannot write in {}: {}", dir.string(), std::strerror(errno));
    return false;
  }
  std::string bytes(kMagic, sizeof kMagic);
  std::uint64_t size = object.size();
  bytes.append(reinterpret_cast<const char*>(&size), sizeof size);
  bytes.append(reinterpret_cast<const char*>(key_digest.data()), kDigest);
  Digest d = blake3(object);
  bytes.append(reinterpret_cast<const char*>(d.data()), kDigest);
  bytes.append(object.data(), object.size());
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const int write_errno = errno;
  bool ok = done == bytes.size() && ::close(fd) == 0;
  if (done != bytes.size()) ::close(fd);
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) {
    why = fmt::format("cannot write {}: {}", file.string(), std::strerror(ok ? errno : write_errno));
    fs::remove(tmp, ec);
    return false;
  }
  evict(dir);
  return true;
}

}  // namespace cache

// One LLJIT per process; each compiled graph lives under its own ResourceTracker.
struct JitProcess {
  std::mutex mu;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unique_ptr<llvm::TargetMachine> tm;
  bool host_symbols_defined = false;
  std::string init_error;
  std::atomic<unsigned> next_id{0};
  cache::Digest builtin_digest{};  // of the built-in kernels' bitcode (part of every cache key)
};

JitProcess& process() {
  static JitProcess p;
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // Kernels may carry inline assembly from DPDK headers (rte_ring's pause in a contended
    // enqueue): emitting it needs the target's assembly parser.
    llvm::InitializeNativeTargetAsmParser();
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) {
      p.init_error = to_string(jtmb.takeError());
      return;
    }
    jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
    auto tm = jtmb->createTargetMachine();
    if (!tm) {
      p.init_error = to_string(tm.takeError());
      return;
    }
    p.tm = std::move(*tm);
    auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*jtmb).create();
    if (!jit) {
      p.init_error = to_string(jit.takeError());
      return;
    }
    p.jit = std::move(*jit);
    // libc (memcpy, memset) for what the optimiser turns into calls.
    auto gen = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
        p.jit->getDataLayout().getGlobalPrefix());
    if (!gen) {
      p.init_error = to_string(gen.takeError());
      return;
    }
    p.jit->getMainJITDylib().addGenerator(std::move(*gen));
    std::span<const char> bc = builtin_kernel_bitcode();
    p.builtin_digest = cache::blake3(llvm::StringRef(bc.data(), bc.size()));
  });
  return p;
}

// Each graph's code lives in a JITDylib of its own, so every graph's entry point can have the
// same name: the object a graph compiles to then depends on nothing but the graph, and can be
// cached and loaded into another process (or into this one again).
constexpr const char* kEntryName = "nb_graph_entry";

void remove_dylib_locked(JitProcess& proc, llvm::orc::JITDylib* jd) {
  if (jd) llvm::consumeError(proc.jit->getExecutionSession().removeJITDylib(*jd));
}

void remove_dylib(llvm::orc::JITDylib* jd) {
  if (!jd) return;
  std::lock_guard<std::mutex> lock(process().mu);
  remove_dylib_locked(process(), jd);
}

class CompiledGraphImpl final : public CompiledGraph {
 public:
  ~CompiledGraphImpl() override { remove_dylib(jd); }
  llvm::orc::JITDylib* jd = nullptr;
  // Plugins whose bitcode went into this code: closed only after the code is released.
  std::vector<std::shared_ptr<const Plugin>> plugins;
};

struct Builder {
  Builder(llvm::LLVMContext& c, llvm::Module& mod, const Plan& p, const JitLayout& l, llvm::TargetMachine& t)
      : ctx(c), m(mod), plan(p), layout(l), tm(t) {}
  llvm::LLVMContext& ctx;
  llvm::Module& m;
  const Plan& plan;
  const JitLayout& layout;
  llvm::TargetMachine& tm;
  llvm::Type* void_ty = llvm::Type::getVoidTy(ctx);
  llvm::Type* i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type* i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType* ptr = llvm::PointerType::getUnqual(ctx);
  std::vector<llvm::Function*> nodes;
  const FactAnalysis* facts = nullptr;  // elements the graph proves redundant: wired around

  llvm::FunctionCallee glue(const char* name, llvm::Type* ret, std::vector<llvm::Type*> args) {
    return m.getOrInsertFunction(name, llvm::FunctionType::get(ret, args, false));
  }
  // What the one-worker code addresses: an external global per State block, Context host and
  // transmit buffer, defined as an absolute symbol at the block's address when the code is
  // loaded (load_object). The code is then the same for every process and every run, so the
  // on-disk cache hits across processes, and with the large code model a reference is the same
  // 64-bit immediate a baked-in address was. Distinct globals do not alias, which the optimiser
  // knows as it knew distinct constant addresses; memory reached under two names (the host that
  // all elements share unless each has its own) gets one global.
  std::vector<std::pair<std::string, const void*>> symbols;
  std::map<const void*, llvm::GlobalVariable*> symbol_of;
  llvm::Constant* symbol(std::uint32_t index, const void* p) {
    if (!p) return llvm::ConstantPointerNull::get(ptr);
    if (auto it = symbol_of.find(p); it != symbol_of.end()) return it->second;
    const std::uint32_t ne = nelements();
    std::string name;
    std::size_t size = 0, align = 1;
    if (index < ne) {
      name = fmt::format("nb.state.{}", index);
      size = plan.elements[index].ops->state_size;
      align = plan.elements[index].ops->state_align;
    } else if (index < 2 * ne) {
      name = fmt::format("nb.host.{}", index - ne);
      size = sizeof(HostServices);
      align = alignof(HostServices);
    } else {
      name = fmt::format("nb.tx.{}", index - 2 * ne);
      size = sizeof(jit_abi::TxBuffer);
      align = alignof(jit_abi::TxBuffer);
    }
    auto* g = new llvm::GlobalVariable(m, llvm::ArrayType::get(llvm::Type::getInt8Ty(ctx), size), false,
                                       llvm::GlobalValue::ExternalLinkage, nullptr, name);
    g->setDSOLocal(true);
    g->setAlignment(llvm::Align(align));
    // Anywhere in the address space: no 32-bit displacement can reach a heap block.
    g->setCodeModel(llvm::CodeModel::Large);
    symbol_of.emplace(p, g);
    symbols.emplace_back(name, p);
    return g;
  }
  // A per-worker address: a symbol with one worker, else slot `index` of the worker's table.
  // The table never changes while code runs (invariant.load), so the loads leave the loops.
  llvm::Value* per_worker(llvm::IRBuilder<>& b, llvm::Value* slots, std::uint32_t index, const void* baked) {
    if (!layout.per_worker) return symbol(index, baked);
    llvm::LoadInst* l = b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_32(ptr, slots, index));
    l->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ctx, {}));
    l->setMetadata(llvm::LLVMContext::MD_nonnull, llvm::MDNode::get(ctx, {}));
    return l;
  }
  std::uint32_t nelements() const { return static_cast<std::uint32_t>(plan.elements.size()); }
  const void* baked_state(std::uint32_t i) const { return i < layout.states.size() ? layout.states[i] : nullptr; }
  const void* baked_host(std::uint32_t i) const { return i < layout.hosts.size() ? layout.hosts[i] : layout.host; }
  const void* baked_tx(std::uint32_t p) const { return p < layout.tx.size() ? layout.tx[p] : nullptr; }
  void target_attrs(llvm::Function* f) {
    f->addFnAttr("target-cpu", tm.getTargetCPU());
    f->addFnAttr("target-features", tm.getTargetFeatureString());
  }

  // Sends `mbuf` where `t` leads.
  void dispatch(llvm::IRBuilder<>& b, const Target& t, llvm::Value* dp, std::uint32_t from, llvm::Value* mbuf,
                llvm::Value* slots) {
    switch (t.kind) {
      case Target::Kind::Element:
        b.CreateCall(nodes[t.index], {dp, b.getInt32(t.in_port), mbuf, slots});
        break;
      case Target::Kind::Port:
        b.CreateCall(glue("nb_glue_transmit", void_ty, {ptr, i32, ptr, i32, ptr}),
                     {dp, b.getInt32(t.index), per_worker(b, slots, JitLayout::tx_slot(nelements(), t.index), baked_tx(t.index)),
                      b.getInt32(layout.port_burst(t.index)), mbuf});
        break;
      case Target::Kind::None:
        b.CreateCall(glue("nb_glue_unconnected", void_ty, {ptr, i32, ptr}), {dp, b.getInt32(from), mbuf});
        break;
    }
  }

  void build_node(std::uint32_t i) {
    const PlanElement& e = plan.elements[i];
    llvm::Function* f = nodes[i];
    llvm::Value* dp = f->getArg(0);
    llvm::Value* in_port = f->getArg(1);
    llvm::Value* mbuf = f->getArg(2);
    llvm::Value* slots = f->getArg(3);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
    if (facts && facts->elided[i]) {  // proven redundant: what reaches it goes where its output 0 leads
      dispatch(b, e.outputs[0], dp, i, mbuf, slots);
      b.CreateRetVoid();
      return;
    }
    // Only kernels with a push have nodes that run (the checker lets no push reach the others).
    if (e.ops->role != ElementOps::Role::Kernel || !e.ops->kernel_symbol) {
      b.CreateCall(glue("nb_glue_unconnected", void_ty, {ptr, i32, ptr}), {dp, b.getInt32(i), mbuf});
      b.CreateRetVoid();
      return;
    }
    auto* cfg_ty = llvm::ArrayType::get(llvm::Type::getInt8Ty(ctx), e.config.size());
    auto* bytes = static_cast<const std::uint8_t*>(e.config.data());
    auto* cfg = new llvm::GlobalVariable(
        m, cfg_ty, true, llvm::GlobalValue::PrivateLinkage,
        llvm::ConstantDataArray::get(ctx, llvm::ArrayRef<std::uint8_t>(bytes, e.config.size())),
        fmt::format("cfg.{}", i));
    cfg->setAlignment(llvm::Align(std::max<std::size_t>(e.ops->config_align, 8)));
    cfg->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);

    auto* ctx_ty = llvm::ArrayType::get(llvm::Type::getInt8Ty(ctx), sizeof(Context));
    llvm::AllocaInst* cmem = b.CreateAlloca(ctx_ty, nullptr, "ctx");
    cmem->setAlignment(llvm::Align(alignof(Context)));
    b.CreateLifetimeStart(cmem, b.getInt64(sizeof(Context)));
    b.CreateCall(glue("nb_glue_ctx_init", void_ty, {ptr, i32, ptr, i32}),
                 {cmem, b.getInt32(e.noutputs), per_worker(b, slots, JitLayout::host_slot(nelements(), i), baked_host(i)),
                  b.getInt32(e.ops->max_emits)});
    b.CreateCall(glue(e.ops->kernel_symbol, void_ty, {ptr, ptr, ptr, i32, ptr}),
                 {cfg, per_worker(b, slots, JitLayout::state_slot(i), baked_state(i)), cmem, in_port, mbuf});
    b.CreateCall(glue("nb_glue_settle", void_ty, {ptr, i32, ptr}), {dp, b.getInt32(i), cmem});
    llvm::Value* n = b.CreateCall(glue("nb_glue_emit_count", i32, {ptr}), {cmem});

    // Emit k of this push goes where its output port leads; then control continues at `after`.
    auto emit = [&](llvm::Value* k, llvm::BasicBlock* after) {
      llvm::Value* port = b.CreateCall(glue("nb_glue_emit_port", i32, {ptr, i32}), {cmem, k});
      llvm::Value* out = b.CreateCall(glue("nb_glue_emit_mbuf", ptr, {ptr, i32}), {cmem, k});
      auto* unconnected = llvm::BasicBlock::Create(ctx, "unconnected", f);
      llvm::SwitchInst* sw = b.CreateSwitch(port, unconnected, static_cast<unsigned>(e.outputs.size()));
      // Outputs that lead to the same place share one block: the switch then folds into a range
      // check instead of a branch on the kernel's choice, which is data (LookupIPRoute's next
      // hop, after a cache miss) and mispredicts when several of its outputs meet again.
      std::vector<llvm::BasicBlock*> blocks;
      for (std::uint32_t p = 0; p < e.outputs.size(); ++p) {
        const Target& t = e.outputs[p];
        auto first = std::find(e.outputs.begin(), e.outputs.end(), t) - e.outputs.begin();
        if (static_cast<std::uint32_t>(first) == p) {
          blocks.push_back(llvm::BasicBlock::Create(ctx, fmt::format("out{}", p), f));
          b.SetInsertPoint(blocks.back());
          dispatch(b, t, dp, i, out, slots);
          b.CreateBr(after);
        } else {
          blocks.push_back(blocks[static_cast<std::size_t>(first)]);
        }
        sw->addCase(b.getInt32(p), blocks.back());
      }
      b.SetInsertPoint(unconnected);
      b.CreateCall(glue("nb_glue_unconnected", void_ty, {ptr, i32, ptr}), {dp, b.getInt32(i), out});
      b.CreateBr(after);
    };
    auto* done = llvm::BasicBlock::Create(ctx, "done", f);
    if (e.ops->max_emits == 1) {
      // At most one packet per push: a branch, not a loop. With hundreds of elements, hundreds
      // of nested loops made the optimiser superlinear (16.7 s for 200 elements).
      auto* one = llvm::BasicBlock::Create(ctx, "emit", f);
      b.CreateCondBr(b.CreateICmpNE(n, b.getInt32(0)), one, done);
      b.SetInsertPoint(one);
      emit(b.getInt32(0), done);
    } else {
      // for k in [0, n): dispatch emit k (depth first, lowest output first, as the interpreter)
      llvm::BasicBlock* pre = b.GetInsertBlock();
      auto* head = llvm::BasicBlock::Create(ctx, "emits", f);
      auto* body = llvm::BasicBlock::Create(ctx, "emit", f);
      auto* next = llvm::BasicBlock::Create(ctx, "next", f);
      b.CreateBr(head);
      b.SetInsertPoint(head);
      llvm::PHINode* k = b.CreatePHI(i32, 2, "k");
      k->addIncoming(b.getInt32(0), pre);
      b.CreateCondBr(b.CreateICmpULT(k, n), body, done);
      b.SetInsertPoint(body);
      emit(k, next);
      b.SetInsertPoint(next);
      k->addIncoming(b.CreateAdd(k, b.getInt32(1)), next);
      b.CreateBr(head);
    }
    b.SetInsertPoint(done);
    b.CreateLifetimeEnd(cmem, b.getInt64(sizeof(Context)));
    b.CreateRetVoid();
  }

  // PacketAnno{} over what the buffer's last user left: three 8-byte stores in the packet loop
  // itself, instead of a pass of its own over the burst.
  void reset_annotations(llvm::IRBuilder<>& b, llvm::Value* mbuf) {
    static_assert(sizeof(PacketAnno) % 8 == 0 && kAnnoOffset % 8 == 0);
    std::uint64_t words[sizeof(PacketAnno) / 8];
    const PacketAnno fresh{};
    std::memcpy(words, &fresh, sizeof fresh);
    for (std::size_t k = 0; k < std::size(words); ++k)
      b.CreateAlignedStore(b.getInt64(words[k]), b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), mbuf, kAnnoOffset + 8 * k),
                           llvm::Align(8));
  }

  llvm::Function* build(const std::string& entry_name) {
    auto* node_ty = llvm::FunctionType::get(void_ty, {ptr, i32, ptr, ptr}, false);
    for (std::uint32_t i = 0; i < plan.elements.size(); ++i) {
      auto* f = llvm::Function::Create(node_ty, llvm::GlobalValue::InternalLinkage, fmt::format("node.{}", i), m);
      f->addFnAttr(llvm::Attribute::AlwaysInline);
      f->addFnAttr(llvm::Attribute::NoUnwind);
      target_attrs(f);
      nodes.push_back(f);
    }
    for (std::uint32_t i = 0; i < plan.elements.size(); ++i) build_node(i);

    auto* entry_ty = llvm::FunctionType::get(void_ty, {ptr, i32, ptr, i32, ptr}, false);
    auto* entry = llvm::Function::Create(entry_ty, llvm::GlobalValue::ExternalLinkage, entry_name, m);
    entry->addFnAttr(llvm::Attribute::NoUnwind);
    target_attrs(entry);
    llvm::Value* dp = entry->getArg(0);
    llvm::Value* source = entry->getArg(1);
    llvm::Value* pkts = entry->getArg(2);
    llvm::Value* n = entry->getArg(3);
    llvm::Value* slots = entry->getArg(4);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", entry));
    auto* ret = llvm::BasicBlock::Create(ctx, "ret", entry);
    // The ways in: each source's burst, and each task's (docs/queues.md), whose packets come out
    // of a Queue with the annotations they went in with (so they are never reset).
    std::vector<std::pair<std::uint32_t, bool>> ways;  // element, received from a port
    for (std::uint32_t s : plan.sources) ways.push_back({s, true});
    for (const PlanTask& t : plan.tasks)
      if (std::find_if(ways.begin(), ways.end(), [&](const auto& w) { return w.first == t.top; }) == ways.end())
        ways.push_back({t.top, false});
    llvm::SwitchInst* sw = b.CreateSwitch(source, ret, static_cast<unsigned>(ways.size()));
    for (const auto& [s, received] : ways) {
      const PlanElement& e = plan.elements[s];
      auto* head = llvm::BasicBlock::Create(ctx, fmt::format("src{}", s), entry);
      auto* body = llvm::BasicBlock::Create(ctx, fmt::format("src{}.pkt", s), entry);
      sw->addCase(b.getInt32(s), head);
      b.SetInsertPoint(head);
      llvm::PHINode* j = b.CreatePHI(i32, 2, "j");
      j->addIncoming(b.getInt32(0), sw->getParent());
      b.CreateCondBr(b.CreateICmpULT(j, n), body, ret);
      b.SetInsertPoint(body);
      llvm::Value* slot = b.CreateGEP(ptr, pkts, b.CreateZExt(j, i64));
      llvm::Value* mbuf = b.CreateLoad(ptr, slot);
      if (received && (!facts || facts->reset_annotations)) reset_annotations(b, mbuf);
      dispatch(b, e.outputs.empty() ? Target{} : e.outputs[0], dp, s, mbuf, slots);
      j->addIncoming(b.CreateAdd(j, b.getInt32(1)), b.GetInsertBlock());
      b.CreateBr(head);
    }
    b.SetInsertPoint(ret);
    b.CreateRetVoid();
    return entry;
  }
};

}  // namespace

namespace {

// Bitcode linked into a graph: the built-in kernels and glue, and each plugin's kernels. All are
// read and linked the same way (link_libraries) and identified the same way (cache_key).
struct Library {
  llvm::StringRef bytes;
  std::string name;                             // the plugin's path, or "nb_kernels"
  std::string what;                             // in errors: "the kernels' bitcode", ...
  const cache::Digest* known_digest = nullptr;  // the built-ins': computed once per process
  cache::Digest digest() const { return known_digest ? *known_digest : cache::blake3(bytes); }
};

std::vector<Library> graph_libraries(const Plan& plan, const JitProcess& proc) {
  std::span<const char> bc = builtin_kernel_bitcode();
  std::vector<Library> libs{
      {llvm::StringRef(bc.data(), bc.size()), "nb_kernels", "the kernels' bitcode", &proc.builtin_digest}};
  // A plugin's bitcode lives inside the loaded plugin, which the Plan (and the compiled graph)
  // keeps open.
  for (const auto& plugin : plan.plugins)
    libs.push_back({llvm::StringRef(plugin->bitcode.data(), plugin->bitcode.size()), plugin->path,
                    fmt::format("the bitcode of plugin '{}'", plugin->path), nullptr});
  return libs;
}

// What the code compiled from `mod` (the graph before its libraries are linked in) depends on:
// that module (which holds every per-instance Config, and names the memory it addresses by
// symbols or slots, never by address), the bitcode linked into it (built-in kernels and glue,
// plugins), how it is optimised and for which CPU, and the versions of nb and LLVM. Linking is
// deterministic, so this identifies the optimiser's input without parsing and linking first.
cache::Digest cache_key(const llvm::Module& mod, const std::vector<Library>& libraries, const JitOptions& options,
                        JitProcess& proc) {
  llvm::BLAKE3 h;
  auto add = [&h](llvm::StringRef s) {
    std::uint64_t n = s.size();
    h.update(llvm::ArrayRef<std::uint8_t>(reinterpret_cast<const std::uint8_t*>(&n), sizeof n));
    h.update(s);
  };
  auto add_digest = [&add](const cache::Digest& d) {
    add(llvm::StringRef(reinterpret_cast<const char*>(d.data()), d.size()));
  };
  add("nb jit cache 2");
  add(NB_PROJECT_VERSION);
  add(LLVM_VERSION_STRING);
  add(proc.tm->getTargetTriple().str());
  add(proc.tm->getTargetCPU());
  add(proc.tm->getTargetFeatureString());
  add(std::to_string(options.opt_level));
  add(std::to_string(static_cast<int>(proc.tm->getOptLevel())));
  for (const Library& lib : libraries) add_digest(lib.digest());
  std::string ir;
  llvm::raw_string_ostream os(ir);
  mod.print(os, nullptr);
  os.flush();
  add(ir);
  return h.final();
}

// Links each library into `mod`, read lazily: only the functions and globals the graph calls
// are materialised and linked (the built-in library holds every element's kernel; a graph uses
// a few), so plugin kernels are inlined exactly like built-in ones.
bool link_libraries(llvm::Module& mod, const std::vector<Library>& libs, JitStats& st, std::string& error) {
  for (const Library& l : libs) {
    auto t0 = Clock::now();
    auto lib = llvm::getLazyBitcodeModule(llvm::MemoryBufferRef(l.bytes, l.name), mod.getContext());
    if (!lib) {
      error = fmt::format("cannot read {}: {}", l.what, to_string(lib.takeError()));
      return false;
    }
    // The element sources register their specs from static constructors; those belong to the
    // host program, never to JIT code.
    for (const char* g : {"llvm.global_ctors", "llvm.global_dtors"}) {
      if (llvm::GlobalVariable* v = (*lib)->getNamedGlobal(g)) v->eraseFromParent();
    }
    (*lib)->setTargetTriple(mod.getTargetTriple());
    (*lib)->setDataLayout(mod.getDataLayout());
    st.parse_ms += ms_since(t0);
    t0 = Clock::now();
    if (llvm::Linker::linkModules(mod, std::move(*lib), llvm::Linker::Flags::LinkOnlyNeeded)) {
      error = fmt::format("cannot link {} into the graph", l.what);
      return false;
    }
    st.link_ms += ms_since(t0);
  }
  return true;
}

// Adds `object` to a new JITDylib of its own, with `symbols` (Builder::symbol) at this
// process's addresses, and finds its entry point (under proc.mu).
bool load_object(JitProcess& proc, std::unique_ptr<llvm::MemoryBuffer> object,
                 const std::vector<std::pair<std::string, const void*>>& symbols, CompiledGraphImpl& result,
                 std::string& error) {
  auto jd = proc.jit->createJITDylib(fmt::format("nb_graph_{}", proc.next_id++));
  if (!jd) {
    error = "the JIT cannot make room for the graph: " + to_string(jd.takeError());
    return false;
  }
  // Host functions and libc are defined in the main JITDylib.
  jd->addToLinkOrder(proc.jit->getMainJITDylib());
  result.jd = &*jd;
  if (!symbols.empty()) {
    llvm::orc::SymbolMap map;
    auto mangle = llvm::orc::MangleAndInterner(proc.jit->getExecutionSession(), proc.jit->getDataLayout());
    for (const auto& [name, addr] : symbols)
      map[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(addr), llvm::JITSymbolFlags::Exported};
    if (auto err = jd->define(llvm::orc::absoluteSymbols(std::move(map)))) {
      error = "the JIT cannot place the graph's memory: " + to_string(std::move(err));
      return false;
    }
  }
  if (auto err = proc.jit->addObjectFile(*jd, std::move(object))) {
    error = "the JIT rejected the graph: " + to_string(std::move(err));
    return false;
  }
  auto sym = proc.jit->lookup(*jd, kEntryName);
  if (!sym) {
    error = "the JIT could not load the graph: " + to_string(sym.takeError());
    return false;
  }
  result.entry = sym->toPtr<GraphEntry>();
  return true;
}

// Host functions are defined once per process, in the main JITDylib (under proc.mu).
bool define_host_symbols(JitProcess& proc, const JitLayout& layout, std::string& error) {
  if (proc.host_symbols_defined) return true;
  llvm::orc::SymbolMap host;
  auto mangle = llvm::orc::MangleAndInterner(proc.jit->getExecutionSession(), proc.jit->getDataLayout());
  for (const auto& [name, addr] : layout.host_symbols) {
    host[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(addr), llvm::JITSymbolFlags::Exported};
  }
  if (auto err = proc.jit->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(host)))) {
    error = "cannot define host symbols for the JIT: " + to_string(std::move(err));
    return false;
  }
  proc.host_symbols_defined = true;
  return true;
}

}  // namespace

std::unique_ptr<CompiledGraph> jit_compile(const Plan& plan, const JitLayout& layout, const JitOptions& options,
                                           std::string& error) {
  JitProcess& proc = process();
  if (!proc.init_error.empty() || !proc.tm) {
    error = "the LLVM JIT could not start: " + proc.init_error;
    return nullptr;
  }
  for (std::size_t i = 0; i < plan.elements.size(); ++i) {
    const PlanElement& e = plan.elements[i];
    if (e.ops && e.ops->role == ElementOps::Role::Kernel && e.ops->push && !e.ops->kernel_symbol) {
      error = fmt::format("element class '{}' has no kernel entry for the JIT (NB_ELEMENT_KERNEL)", e.spec->class_name);
      return nullptr;
    }
  }
  auto result = std::make_unique<CompiledGraphImpl>();
  result->plugins = plan.plugins;
  JitStats& st = result->stats;
  auto t0 = Clock::now();
  auto ctx = std::make_unique<llvm::LLVMContext>();
  auto mod = std::make_unique<llvm::Module>("nb_graph", *ctx);
  mod->setTargetTriple(proc.tm->getTargetTriple().str());
  mod->setDataLayout(proc.tm->createDataLayout());
  Builder builder(*ctx, *mod, plan, layout, *proc.tm);
  FactAnalysis facts;
  if (options.specialise) {
    facts = analyse_facts(plan);
    builder.facts = &facts;
    for (const FactRemoval& r : facts.removals) {
      const PlanElement& e = plan.elements[r.element];
      st.removals.push_back({e.name, std::string(e.spec->class_name), e.span, r.fact});
    }
    st.reset_annotations = facts.reset_annotations;
    st.annotations_why = facts.annotations_why;
  }
  builder.build(kEntryName);
  st.build_ms = ms_since(t0);

  const std::vector<Library> libs = graph_libraries(plan, proc);

  // The cache: a hit loads the object and skips everything below.
  std::optional<cache::fs::path> cache_dir;
  cache::Digest key_digest{};
  std::string key;
  if (options.cache && options.materialize) {
    t0 = Clock::now();
    std::string why;
    cache_dir = cache::directory(why);
    if (!cache_dir) {
      cache::note_once(why);
    } else {
      key_digest = cache_key(*mod, libs, options, proc);
      key = llvm::toHex(key_digest, true);
      st.cache = "miss";
      if (auto object = cache::load(*cache_dir, key, key_digest)) {
        std::lock_guard<std::mutex> lock(proc.mu);
        if (!define_host_symbols(proc, layout, error)) return nullptr;
        std::string load_error;
        if (load_object(proc, llvm::MemoryBuffer::getMemBufferCopy(*object, "nb_graph.o"), builder.symbols, *result,
                        load_error)) {
          st.cache = "hit";
          st.cache_ms = ms_since(t0);
          return result;
        }
        // An entry that passed its checks but does not load is compiled again and replaced.
        remove_dylib_locked(proc, result->jd);
        result->jd = nullptr;
        result->entry = nullptr;
      }
    }
    st.cache_ms = ms_since(t0);
  }

  // Link in only the kernels and glue this graph calls.
  if (!link_libraries(*mod, libs, st, error)) return nullptr;
  t0 = Clock::now();
  for (llvm::Function& f : *mod) {
    if (f.isDeclaration()) continue;
    llvm::StringRef name = f.getName();
    if (name == kEntryName) continue;
    f.setLinkage(llvm::GlobalValue::InternalLinkage);
    // Everything the graph calls is inlined into the one loop: with many instances of a kernel
    // the inliner's cost model would otherwise keep calls (and loads of each instance's Config).
    if (!f.hasFnAttribute(llvm::Attribute::NoInline) || name.starts_with("nb_kernel_") || name.starts_with("nb_glue_")) {
      f.removeFnAttr(llvm::Attribute::NoInline);
      f.removeFnAttr(llvm::Attribute::OptimizeNone);
      f.addFnAttr(llvm::Attribute::AlwaysInline);
    }
  }
  for (llvm::GlobalVariable& g : mod->globals()) {
    if (!g.isDeclaration() && !g.getName().starts_with("llvm.")) g.setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  std::string verify;
  llvm::raw_string_ostream vs(verify);
  if (llvm::verifyModule(*mod, &vs)) {
    error = "internal error: generated IR is invalid: " + verify;
    return nullptr;
  }
  st.link_ms += ms_since(t0);

  // Optimisation in two steps. First every node on its own, with its kernel inlined and its
  // Config and State folded in (the O3 pipeline, the nodes kept out of line); then the nodes are
  // fused into the entry and the whole is cleaned up by a short pipeline: forwarding what one
  // element stored to the next one's loads (GVN), folding the branches that settles, and merging
  // what is left. One O3 pipeline over the fused function was superlinear in its size (GVN and
  // LICM on thousands of blocks: 2.7 s for 200 elements) and gave slower code for long chains.
  t0 = Clock::now();
  {
    // The TargetMachine is shared and not thread-safe (its subtarget map fills in lazily).
    std::lock_guard<std::mutex> lock(proc.mu);
    llvm::OptimizationLevel level = options.opt_level >= 3   ? llvm::OptimizationLevel::O3
                                    : options.opt_level == 2 ? llvm::OptimizationLevel::O2
                                    : options.opt_level == 1 ? llvm::OptimizationLevel::O1
                                                             : llvm::OptimizationLevel::O0;
    auto run = [&](const char* pipeline) -> bool {
      llvm::LoopAnalysisManager lam;
      llvm::FunctionAnalysisManager fam;
      llvm::CGSCCAnalysisManager cgam;
      llvm::ModuleAnalysisManager mam;
      llvm::PassBuilder pb(proc.tm.get());
      pb.registerModuleAnalyses(mam);
      pb.registerCGSCCAnalyses(cgam);
      pb.registerFunctionAnalyses(fam);
      pb.registerLoopAnalyses(lam);
      pb.crossRegisterProxies(lam, fam, cgam, mam);
      llvm::ModulePassManager mpm;
      if (!pipeline) {
        mpm = pb.buildPerModuleDefaultPipeline(level);
      } else if (auto err = pb.parsePassPipeline(mpm, pipeline)) {
        error = "internal error: bad optimisation pipeline: " + to_string(std::move(err));
        return false;
      }
      mpm.run(*mod, mam);
      return true;
    };
    // By name: the first step may replace a node by a new function (dead argument elimination)
    // or remove one nothing calls (a source's).
    std::vector<std::string> node_names;
    for (llvm::Function* f : builder.nodes) node_names.push_back(f->getName().str());
    auto set_node_inlining = [&](bool inline_nodes) {
      for (const std::string& name : node_names) {
        llvm::Function* f = mod->getFunction(name);
        if (!f) continue;
        f->removeFnAttr(inline_nodes ? llvm::Attribute::NoInline : llvm::Attribute::AlwaysInline);
        f->addFnAttr(inline_nodes ? llvm::Attribute::AlwaysInline : llvm::Attribute::NoInline);
      }
    };
    if (level == llvm::OptimizationLevel::O0) {
      if (!run(nullptr)) return nullptr;
    } else {
      set_node_inlining(false);
      if (!run(nullptr)) return nullptr;
      set_node_inlining(true);
      if (!run("always-inline,function(sroa,early-cse<memssa>,instcombine,simplifycfg,gvn,instcombine,"
               "simplifycfg),globaldce"))
        return nullptr;
    }
  }
  st.optimize_ms = ms_since(t0);

  // Which kernels are still called (not inlined)?
  for (const PlanElement& e : plan.elements) {
    if (!e.ops || e.ops->role != ElementOps::Role::Kernel || !e.ops->kernel_symbol) continue;
    bool called = false;
    if (llvm::Function* k = mod->getFunction(e.ops->kernel_symbol)) called = !k->use_empty();
    // The kernel's own push (its Itanium-mangled name contains <length><Class>4push).
    std::string push = fmt::format("{}{}4push", e.spec->class_name.size(), e.spec->class_name);
    for (llvm::Function& f : *mod) {
      if (!f.use_empty() && f.getName().contains(push)) called = true;
    }
    st.elements.push_back({e.name, std::string(e.spec->class_name), !called});
  }
  if (options.keep_ir) {
    llvm::raw_string_ostream os(result->ir);
    mod->print(os, nullptr);
  }
  if (!options.materialize) return result;

  t0 = Clock::now();
  std::lock_guard<std::mutex> lock(proc.mu);
  if (!define_host_symbols(proc, layout, error)) return nullptr;
  // Code generation here rather than in the LLJIT's compile layer: the object is what the cache keeps.
  auto object = llvm::orc::SimpleCompiler(*proc.tm)(*mod);
  if (!object) {
    error = "the JIT could not compile the graph: " + to_string(object.takeError());
    return nullptr;
  }
  if (cache_dir) {
    std::string why;
    if (!cache::store(*cache_dir, key, key_digest, (*object)->getBuffer(), why)) cache::note_once(why);
  }
  if (!load_object(proc, std::move(*object), builder.symbols, *result, error)) return nullptr;
  st.codegen_ms = ms_since(t0);
  return result;
}

}  // namespace nb::compiler

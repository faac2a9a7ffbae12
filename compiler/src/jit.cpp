// The JIT facade: the only translation unit that includes LLVM.
//
// For a Plan it builds one module: every element instance becomes an internal, always-inline
// "node" function that calls the element's kernel with its Config baked in as a private
// constant and its State at an absolute address, then dispatches each packet the kernel emitted
// to the next node or to a transmit buffer. The kernels' and glue's bitcode is linked in (only
// what the graph uses), everything but the entry point is internalised, and the O3 pipeline of
// a PassBuilder that knows the TargetMachine fuses it all into one loop per source.
#include <nb/compiler/facts.hpp>
#include <nb/compiler/jit.hpp>
#include <nb/compiler/plugin.hpp>

#include <fmt/format.h>

#include <llvm/Bitcode/BitcodeReader.h>
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
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>

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

// One LLJIT per process; each compiled graph lives under its own ResourceTracker.
struct JitProcess {
  std::mutex mu;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unique_ptr<llvm::TargetMachine> tm;
  bool host_symbols_defined = false;
  std::string init_error;
  std::atomic<unsigned> next_id{0};
};

JitProcess& process() {
  static JitProcess p;
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
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
  });
  return p;
}

class CompiledGraphImpl final : public CompiledGraph {
 public:
  ~CompiledGraphImpl() override {
    if (tracker) llvm::consumeError(tracker->remove());
  }
  llvm::orc::ResourceTrackerSP tracker;
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
  llvm::Constant* address(const void* p) {
    return llvm::ConstantExpr::getIntToPtr(llvm::ConstantInt::get(i64, reinterpret_cast<std::uintptr_t>(p)), ptr);
  }
  // A per-worker address: baked in with one worker, else slot `index` of the worker's table.
  // The table never changes while code runs (invariant.load), so the loads leave the loops.
  llvm::Value* per_worker(llvm::IRBuilder<>& b, llvm::Value* slots, std::uint32_t index, const void* baked) {
    if (!layout.per_worker) return address(baked);
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
    if (e.ops->role != ElementOps::Role::Kernel) {  // only kernels have nodes that run
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
    llvm::SwitchInst* sw = b.CreateSwitch(source, ret, static_cast<unsigned>(plan.sources.size()));
    for (std::uint32_t s : plan.sources) {
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

std::unique_ptr<CompiledGraph> jit_compile(const Plan& plan, const JitLayout& layout, const JitOptions& options,
                                           std::string& error) {
  JitProcess& proc = process();
  if (!proc.init_error.empty() || !proc.tm) {
    error = "the LLVM JIT could not start: " + proc.init_error;
    return nullptr;
  }
  for (std::size_t i = 0; i < plan.elements.size(); ++i) {
    const PlanElement& e = plan.elements[i];
    if (e.ops && e.ops->role == ElementOps::Role::Kernel && !e.ops->kernel_symbol) {
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
  std::string entry_name = fmt::format("nb_graph_entry_{}", proc.next_id++);
  Builder builder(*ctx, *mod, plan, layout, *proc.tm);
  FactAnalysis facts;
  if (options.specialise) {
    facts = analyse_facts(plan);
    builder.facts = &facts;
    for (const FactRemoval& r : facts.removals) {
      const PlanElement& e = plan.elements[r.element];
      st.removals.push_back({e.name, std::string(e.spec->class_name), e.span, r.fact});
    }
  }
  builder.build(entry_name);
  st.build_ms = ms_since(t0);

  // Link in only the kernels and glue this graph calls.
  t0 = Clock::now();
  std::span<const char> bc = builtin_kernel_bitcode();
  auto buffer = llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(bc.data(), bc.size()), "nb_kernels", false);
  auto kernels = llvm::parseBitcodeFile(buffer->getMemBufferRef(), *ctx);
  if (!kernels) {
    error = "cannot read the kernels' bitcode: " + to_string(kernels.takeError());
    return nullptr;
  }
  // The element sources register their specs from static constructors; those belong to the
  // host program, never to JIT code.
  for (const char* name : {"llvm.global_ctors", "llvm.global_dtors"}) {
    if (llvm::GlobalVariable* g = (*kernels)->getNamedGlobal(name)) g->eraseFromParent();
  }
  (*kernels)->setTargetTriple(mod->getTargetTriple());
  (*kernels)->setDataLayout(mod->getDataLayout());
  st.parse_ms = ms_since(t0);
  t0 = Clock::now();
  if (llvm::Linker::linkModules(*mod, std::move(*kernels), llvm::Linker::Flags::LinkOnlyNeeded)) {
    error = "cannot link the kernels' bitcode into the graph";
    return nullptr;
  }
  // Each plugin's bitcode, exactly like the built-ins' (only what the graph calls is linked, and
  // inlined below like any kernel). It lives inside the loaded plugin, which the Plan keeps open.
  for (const auto& plugin : plan.plugins) {
    auto pbuf = llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(plugin->bitcode.data(), plugin->bitcode.size()),
                                                 plugin->path, false);
    auto pmod = llvm::parseBitcodeFile(pbuf->getMemBufferRef(), *ctx);
    if (!pmod) {
      error = fmt::format("cannot read the bitcode of plugin '{}': {}", plugin->path, to_string(pmod.takeError()));
      return nullptr;
    }
    for (const char* name : {"llvm.global_ctors", "llvm.global_dtors"}) {
      if (llvm::GlobalVariable* g = (*pmod)->getNamedGlobal(name)) g->eraseFromParent();
    }
    (*pmod)->setTargetTriple(mod->getTargetTriple());
    (*pmod)->setDataLayout(mod->getDataLayout());
    if (llvm::Linker::linkModules(*mod, std::move(*pmod), llvm::Linker::Flags::LinkOnlyNeeded)) {
      error = fmt::format("cannot link the bitcode of plugin '{}' into the graph", plugin->path);
      return nullptr;
    }
  }
  for (llvm::Function& f : *mod) {
    if (f.isDeclaration()) continue;
    llvm::StringRef name = f.getName();
    if (name == entry_name) continue;
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
  st.link_ms = ms_since(t0);

  t0 = Clock::now();
  {
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
    llvm::OptimizationLevel level = options.opt_level >= 3   ? llvm::OptimizationLevel::O3
                                    : options.opt_level == 2 ? llvm::OptimizationLevel::O2
                                    : options.opt_level == 1 ? llvm::OptimizationLevel::O1
                                                             : llvm::OptimizationLevel::O0;
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(level);
    mpm.run(*mod, mam);
  }
  st.optimize_ms = ms_since(t0);

  // Which kernels are still called (not inlined)?
  for (const PlanElement& e : plan.elements) {
    if (!e.ops || e.ops->role != ElementOps::Role::Kernel) continue;
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
  llvm::orc::JITDylib& jd = proc.jit->getMainJITDylib();
  if (!proc.host_symbols_defined) {
    llvm::orc::SymbolMap host;
    auto mangle = llvm::orc::MangleAndInterner(proc.jit->getExecutionSession(), proc.jit->getDataLayout());
    for (const auto& [name, addr] : layout.host_symbols) {
      host[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(addr), llvm::JITSymbolFlags::Exported};
    }
    if (auto err = jd.define(llvm::orc::absoluteSymbols(std::move(host)))) {
      error = "cannot define host symbols for the JIT: " + to_string(std::move(err));
      return nullptr;
    }
    proc.host_symbols_defined = true;
  }
  result->tracker = jd.createResourceTracker();
  if (auto err = proc.jit->addIRModule(result->tracker, llvm::orc::ThreadSafeModule(std::move(mod), std::move(ctx)))) {
    error = "the JIT rejected the graph: " + to_string(std::move(err));
    return nullptr;
  }
  auto sym = proc.jit->lookup(entry_name);
  if (!sym) {
    error = "the JIT could not compile the graph: " + to_string(sym.takeError());
    return nullptr;
  }
  result->entry = sym->toPtr<GraphEntry>();
  st.codegen_ms = ms_since(t0);
  return result;
}

}  // namespace nb::compiler

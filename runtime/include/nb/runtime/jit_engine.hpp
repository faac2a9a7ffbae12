#pragma once

#include <nb/compiler/jit.hpp>
#include <nb/runtime/dataplane.hpp>

#include <memory>
#include <string>

namespace nb::runtime {

// Runs a graph compiled by the JIT on one worker's dataplane.
class JitEngine final : public Engine {
 public:
  // Returns null and sets `error` when the graph cannot be compiled. per_worker: the code reads
  // the dataplane's addresses from its slot table (Dataplane::slots), so that share() can run
  // the same code on other workers' dataplanes; otherwise they are baked into the code.
  // `cache`: use the on-disk cache of compiled code (nbrun's --no-jit-cache turns it off).
  static std::unique_ptr<JitEngine> create(Dataplane& dp, std::string& error, bool per_worker = false,
                                           bool cache = false);
  // The same compiled code on another worker's dataplane (only for code made per_worker).
  std::unique_ptr<JitEngine> share(Dataplane& dp) const {
    return std::unique_ptr<JitEngine>(new JitEngine(dp, graph_));
  }
  // UBSan's -fsanitize=function reads the 8 bytes before a function it calls through a pointer
  // (a signature it expects there); JIT code has none, and an entry point at the start of its
  // page made that read fault. The call's type is right by construction (jit.cpp builds it).
  __attribute__((no_sanitize("function"))) void process(std::uint32_t source, rte_mbuf** pkts,
                                                        std::uint32_t n) override {
    graph_->entry(&dp_, source, pkts, n, dp_.slots.data());
  }
  bool resets_annotations() const override { return true; }
  const compiler::CompiledGraph& graph() const { return *graph_; }

 private:
  JitEngine(Dataplane& dp, std::shared_ptr<compiler::CompiledGraph> g) : dp_(dp), graph_(std::move(g)) {}
  Dataplane& dp_;
  std::shared_ptr<compiler::CompiledGraph> graph_;
};

compiler::JitLayout jit_layout(Dataplane& dp);

}  // namespace nb::runtime

#pragma once

#include <nb/compiler/jit.hpp>
#include <nb/runtime/dataplane.hpp>

#include <memory>
#include <string>

namespace nb::runtime {

// Runs a graph compiled by the JIT for this dataplane (its state and buffers are baked in).
class JitEngine final : public Engine {
 public:
  // Returns null and sets `error` when the graph cannot be compiled. `cache`: use the on-disk
  // cache of compiled code (nbrun's --no-jit-cache turns it off).
  static std::unique_ptr<JitEngine> create(Dataplane& dp, std::string& error, bool cache = false);
  void process(std::uint32_t source, rte_mbuf** pkts, std::uint32_t n) override {
    graph_->entry(&dp_, source, pkts, n);
  }
  const compiler::CompiledGraph& graph() const { return *graph_; }

 private:
  JitEngine(Dataplane& dp, std::unique_ptr<compiler::CompiledGraph> g) : dp_(dp), graph_(std::move(g)) {}
  Dataplane& dp_;
  std::unique_ptr<compiler::CompiledGraph> graph_;
};

compiler::JitLayout jit_layout(Dataplane& dp);

}  // namespace nb::runtime

#include "pull.hpp"

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include <new>

namespace nb::runtime {
namespace {

// What an element's pull sees: its own inputs, outputs and the worker's clock.
class ElementPullContext final : public PullContext {
 public:
  ElementPullContext(PullRunner& runner, Dataplane& dp, InterpEngine& interp, std::uint32_t element, std::uint64_t hz)
      : runner_(runner), dp_(dp), interp_(interp), element_(element), hz_(hz) {}
  std::uint32_t pull(std::uint32_t port, rte_mbuf** out, std::uint32_t max) override {
    const compiler::PlanElement& e = dp_.plan.elements[element_];
    if (port >= e.pull_inputs.size() || e.pull_inputs[port].kind != compiler::Target::Kind::Element || max == 0)
      return 0;
    const compiler::Target& from = e.pull_inputs[port];
    return runner_.pull_from(from.index, from.in_port, out, max);
  }
  void push_copy(std::uint32_t port, rte_mbuf* m) override {
    const HostServices& host = dp_.hosts[element_].host;
    rte_mbuf* c = host.copy ? host.copy(host.runtime, m) : nullptr;
    if (!c) {
      dp_.copy_failed(element_);
      return;
    }
    interp_.push_from(element_, port, c);
  }
  std::uint32_t ninputs() const override { return dp_.plan.elements[element_].ninputs; }
  std::uint32_t noutputs() const override { return dp_.plan.elements[element_].noutputs; }
  std::uint64_t now_cycles() const override { return rte_rdtsc(); }
  std::uint64_t cycles_per_second() const override { return hz_; }
  rte_mbuf* new_packet() override {
    rte_mbuf* m = rte_pktmbuf_alloc(dp_.pool);
    if (!m) return nullptr;
    new (anno_of(m)) PacketAnno{};
    add_counter(*dp_.generated[element_], 1);
    return m;
  }
  void stop_router() override { runner_.request_stop(dp_.plan.elements[element_].name); }
  void drop(rte_mbuf* m, std::uint32_t reason) override { dp_.free_drop(element_, m, reason); }
  const HostServices* host() const override { return &dp_.hosts[element_].host; }
  bool flushing() const override { return flushing_; }
  bool flushing_ = false;  // PullRunner::drop_held

 private:
  PullRunner& runner_;
  Dataplane& dp_;
  InterpEngine& interp_;
  std::uint32_t element_;
  std::uint64_t hz_;
};

}  // namespace

PullRunner::PullRunner(Dataplane& dp, Engine& engine)
    : dp_(dp), engine_(engine), interp_(dp), hz_(rte_get_tsc_hz()), credit_(dp.plan.tasks.size(), 0.0) {}

std::uint32_t PullRunner::pull_from(std::uint32_t element, std::uint32_t port, rte_mbuf** out, std::uint32_t max) {
  const compiler::PlanElement& e = dp_.plan.elements[element];
  if (max > jit_abi::kMaxBurst) max = jit_abi::kMaxBurst;
  if (e.ops->pull) {
    ElementPullContext ctx(*this, dp_, interp_, element, hz_);
    const std::uint32_t n = e.ops->pull(e.config.data(), dp_.state(element), ctx, out, max);
    return n < max ? n : max;
  }
  if (e.ops->role != ElementOps::Role::Kernel || !e.ops->push || e.pull_inputs.empty() ||
      e.pull_inputs[0].kind != compiler::Target::Kind::Element)
    return 0;
  // An agnostic element pulled from: it pulls its input, and what its push sends out of the
  // pulled output goes on up; what it sends elsewhere is pushed there, as Click's would be.
  rte_mbuf* in[jit_abi::kMaxBurst];
  const compiler::Target& from = e.pull_inputs[0];
  const std::uint32_t got = pull_from(from.index, from.in_port, in, max);
  std::uint32_t kept = 0;
  for (std::uint32_t i = 0; i < got; ++i) {
    Context ctx(e.noutputs, &dp_.hosts[element].host, e.ops->max_emits);
    e.ops->push(e.config.data(), dp_.state(element), ctx, 0, in[i]);
    for (std::uint32_t d = 0; d < ctx.drop_count(); ++d) dp_.free_drop(element, ctx.dropped(d).mbuf, ctx.dropped(d).reason);
    for (std::uint32_t f = 0; f < ctx.copy_failures(); ++f) dp_.copy_failed(element);
    for (std::uint32_t k = 0; k < ctx.emit_count(); ++k) {
      const Context::Emit& em = ctx.emit(k);
      if (em.port != port)
        interp_.push_from(element, em.port, em.mbuf);
      else if (kept < max)
        out[kept++] = em.mbuf;
      else
        dp_.free_drop(element, em.mbuf, kDropNoBuffers);  // more than it was asked for: no room
    }
  }
  return kept;
}

std::uint64_t PullRunner::run_tasks(bool out) {
  std::uint64_t moved = 0;
  const std::uint32_t nworkers = dp_.host.nworkers ? dp_.host.nworkers : 1;
  const std::uint32_t max = dp_.burst < jit_abi::kMaxBurst ? dp_.burst : jit_abi::kMaxBurst;
  for (std::size_t k = 0; k < dp_.plan.tasks.size(); ++k) {
    const compiler::PlanTask& t = dp_.plan.tasks[k];
    if (t.worker >= 0 && static_cast<std::uint32_t>(t.worker) % nworkers != dp_.worker) continue;
    if (out && !t.drains_shared) continue;
    // A task's share decides how many runs it earns per pass, and each pass uses every whole run
    // earned (with or without work), so only a fraction carries over: none saved up for later.
    double& credit = credit_[k];
    credit += t.share;
    while (credit >= 1.0) {
      credit -= 1.0;
      const std::uint32_t n = pull_from(t.top, 0, burst_, max);
      if (n == 0) continue;
      engine_.process(t.top, burst_, n);
      moved += n;
    }
  }
  return moved;
}

bool PullRunner::holding() const {
  for (std::uint32_t i = 0; i < dp_.plan.elements.size(); ++i) {
    const compiler::PlanElement& e = dp_.plan.elements[i];
    if (e.ops && e.ops->held && dp_.state(i) && e.ops->held(e.config.data(), dp_.state(i)) > 0) return true;
  }
  return false;
}

void PullRunner::drop_held() {
  for (std::uint32_t i = 0; i < dp_.plan.elements.size(); ++i) {
    const compiler::PlanElement& e = dp_.plan.elements[i];
    if (!e.ops || !e.ops->held || !e.ops->pull || !dp_.state(i)) continue;
    std::uint32_t reason = kDropNoBuffers;
    for (std::uint32_t r = 0; r < e.ops->drop_reasons.size(); ++r)
      if (e.ops->drop_reasons[r].name == "flushed") reason = r;
    ElementPullContext ctx(*this, dp_, interp_, i, hz_);
    ctx.flushing_ = true;
    for (std::uint32_t n; (n = e.ops->pull(e.config.data(), dp_.state(i), ctx, burst_, jit_abi::kMaxBurst)) > 0;)
      for (std::uint32_t k = 0; k < n; ++k) dp_.free_drop(i, burst_[k], reason);
  }
}

}  // namespace nb::runtime

#include <nb/runtime/interp.hpp>

namespace nb::runtime {

void InterpEngine::deliver(const compiler::Target& t, std::uint32_t from, rte_mbuf* m) {
  switch (t.kind) {
    case compiler::Target::Kind::Element:
      stack_.push_back({t.index, t.in_port, m});
      break;
    case compiler::Target::Kind::Port:
      // Through the stack too, so that packets leave in depth-first, lowest-output-first order.
      stack_.push_back({t.index, kToPort, m});
      break;
    case compiler::Target::Kind::None:
      dp_.free_drop(from, m, 0xffffffffu);  // "unconnected output"
      break;
  }
}

void InterpEngine::process(std::uint32_t source, rte_mbuf** pkts, std::uint32_t n) {
  const compiler::PlanElement& src = dp_.plan.elements[source];
  for (std::uint32_t i = 0; i < n; ++i) {
    deliver(src.outputs.empty() ? compiler::Target{} : src.outputs[0], source, pkts[i]);
    run_stack();
  }
}

void InterpEngine::push_from(std::uint32_t element, std::uint32_t port, rte_mbuf* m) {
  const compiler::PlanElement& e = dp_.plan.elements[element];
  deliver(port < e.outputs.size() ? e.outputs[port] : compiler::Target{}, element, m);
  run_stack();
}

void InterpEngine::run_stack() {
  const compiler::Plan& plan = dp_.plan;
  while (!stack_.empty()) {
    Work w = stack_.back();
    stack_.pop_back();
    if (w.in_port == kToPort) {
      dp_.transmit(w.element, w.m);
      continue;
    }
    const compiler::PlanElement& e = plan.elements[w.element];
    if (!e.ops->push) [[unlikely]] {  // pull-only (the checker lets no push reach it)
      dp_.free_drop(w.element, w.m, 0xffffffffu);
      continue;
    }
    Context ctx(e.noutputs, &dp_.hosts[w.element].host, e.ops->max_emits);
    e.ops->push(e.config.data(), dp_.state(w.element), ctx, w.in_port, w.m);
    for (std::uint32_t d = 0; d < ctx.drop_count(); ++d) {
      dp_.free_drop(w.element, ctx.dropped(d).mbuf, ctx.dropped(d).reason);
    }
    for (std::uint32_t f = 0; f < ctx.copy_failures(); ++f) dp_.copy_failed(w.element);
    // Depth first, lowest output first: push in reverse.
    for (std::uint32_t k = ctx.emit_count(); k-- > 0;) {
      const Context::Emit& em = ctx.emit(k);
      deliver(em.port < e.outputs.size() ? e.outputs[em.port] : compiler::Target{}, w.element, em.mbuf);
    }
  }
}

}  // namespace nb::runtime

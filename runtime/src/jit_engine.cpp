#include <nb/runtime/jit_engine.hpp>

namespace nb::runtime {

compiler::JitLayout jit_layout(Dataplane& dp) {
  compiler::JitLayout l;
  l.dataplane = &dp;
  for (std::uint32_t i = 0; i < dp.states.size(); ++i) l.states.push_back(dp.state(i));
  for (auto& t : dp.tx) l.tx.push_back(&t);
  l.host = &dp.host;
  for (const ElementHost& h : dp.hosts) l.hosts.push_back(&h.host);
  l.burst = dp.burst;
  l.tx_burst = dp.tx_burst;
  l.host_symbols = {{"nb_host_drop", reinterpret_cast<void*>(&nb_host_drop)},
                    {"nb_host_count_drop", reinterpret_cast<void*>(&nb_host_count_drop)},
                    {"nb_host_flush", reinterpret_cast<void*>(&nb_host_flush)}};
  return l;
}

std::unique_ptr<JitEngine> JitEngine::create(Dataplane& dp, std::string& error, bool per_worker, bool cache) {
  compiler::JitOptions opt;
  opt.cache = cache;
  compiler::JitLayout layout = jit_layout(dp);
  layout.per_worker = per_worker;
  dp.build_slots();
  auto g = compiler::jit_compile(dp.plan, layout, opt, error);
  if (!g) return nullptr;
  return std::unique_ptr<JitEngine>(new JitEngine(dp, std::shared_ptr<compiler::CompiledGraph>(std::move(g))));
}

}  // namespace nb::runtime

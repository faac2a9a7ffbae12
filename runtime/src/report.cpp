#include <nb/runtime/runner.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace nb::runtime {

std::string report_json(const RunReport& r) {
  nlohmann::ordered_json j;
  j["seconds"] = r.seconds;
  j["stop_reason"] = r.stop_reason;
  if (!r.engine.empty()) j["engine"] = r.engine;  // what runs the graph (tiered: jit once it took over)
  // rx + generated == tx + dropped (docs/control.md); missed never reached nb.
  j["totals"] = {{"rx", r.rx}, {"tx", r.tx}, {"dropped", r.dropped}, {"generated", r.generated}, {"missed", r.missed}};
  j["worker"] = {{"cycles", r.worker_cycles},
                 {"tsc_hz", r.tsc_hz},
                 {"cycles_per_packet", r.rx ? static_cast<double>(r.worker_cycles) / static_cast<double>(r.rx) : 0.0}};
  // Per worker core (docs/multicore.md): processed adds up to totals.rx.
  j["workers"] = nlohmann::ordered_json::array();
  for (const WorkerReport& w : r.workers) {
    j["workers"].push_back({{"worker", w.index},
                            {"lcore", w.lcore},
                            {"rx", w.rx},
                            {"processed", w.processed},
                            {"tx", w.tx},
                            {"dropped", w.dropped},
                            {"cycles", w.cycles},
                            {"mpps", r.seconds > 0 ? static_cast<double>(w.processed) / r.seconds / 1e6 : 0.0}});
  }
  // The first graph's JIT code: compiled ("miss"; "off": without the on-disk cache) or loaded
  // from the cache ("hit").
  if (!r.jit_cache.empty()) j["jit"] = {{"cache", r.jit_cache}, {"ms", r.jit_ms}};
  // Start-up, in ms from the config file being read (-1: not measured).
  if (r.engine_ready_ms >= 0)
    j["start"] = {{"engine_ready_ms", r.engine_ready_ms},
                  {"first_packet_ms", r.first_packet_ms},
                  {"jit_ready_ms", r.jit_ready_ms},
                  {"phases_ms",
                   {{"front_end", r.front_end_ms},
                    {"eal", r.eal_ms},
                    {"pool", r.pool_ms},
                    {"ports", r.ports_ms},
                    {"engine", r.engine_ms}}}};
  j["ports"] = nlohmann::ordered_json::object();
  for (const PortReport& p : r.ports) {
    nlohmann::ordered_json o = {{"rx", p.rx},
                                {"tx", p.tx},
                                {"dropped", p.dropped},
                                {"device", p.device},
                                {"missed", p.missed},
                                {"rx_bursts", p.rx_bursts},
                                {"tx_bursts", p.tx_bursts},
                                {"rx_desc", p.rx_desc},
                                {"tx_desc", p.tx_desc},
                                {"promisc", p.promisc}};
    if (r.workers.size() > 1) {
      o["rx_queues"] = p.rx_queues;
      o["tx_queues"] = p.tx_queues;
      o["dispatch"] = p.dispatch;
      o["steer"] = p.steer;
      o["dispatch_dropped"] = p.dispatch_dropped;
    }
    // FromDump's time window: records read and left out (outside the invariant, like missed).
    if (p.window) o["skipped"] = p.skipped;
    if (!p.error.empty()) o["error"] = p.error;
    if (p.has_driver) {
      o["driver"] = {{"ipackets", p.ipackets}, {"opackets", p.opackets}, {"imissed", p.imissed},
                     {"ierrors", p.ierrors},   {"oerrors", p.oerrors},   {"rx_nombuf", p.rx_nombuf}};
    }
    j["ports"][p.name] = o;
  }
  if (!r.errors.empty()) j["errors"] = r.errors;
  j["reload"] = {{"generation", r.generation}, {"failed", r.failed_reloads}, {"succeeded", r.succeeded_reloads}};
  if (r.retired_rx || r.retired_tx || r.retired_dropped || r.retired_generated || r.retired_missed) {
    // Counted by ports and elements a reload removed; included in "totals".
    j["retired"] = {{"rx", r.retired_rx},
                    {"tx", r.retired_tx},
                    {"dropped", r.retired_dropped},
                    {"generated", r.retired_generated},
                    {"missed", r.retired_missed}};
  }
  j["elements"] = nlohmann::ordered_json::object();
  for (const ElementReport& e : r.elements) {
    nlohmann::ordered_json o;
    o["class"] = e.cls;
    for (const auto& [name, v] : e.counters) o[name] = v;
    o["drops"] = e.drops;
    o["generated"] = e.generated;
    if (!e.drop_reasons.empty()) {
      nlohmann::ordered_json reasons = nlohmann::ordered_json::object();
      for (const auto& [reason, v] : e.drop_reasons) reasons[reason] = v;
      o["drop_reasons"] = reasons;
    }
    for (const auto& [name, v] : e.counters) {
      if (name == "count") o["rate"] = e.rate;
    }
    if (!e.handlers.empty()) {
      nlohmann::ordered_json hs = nlohmann::ordered_json::object();
      for (const auto& [name, text] : e.handlers) hs[name] = text;
      o["handlers"] = hs;
    }
    j["elements"][e.name] = o;
  }
  return j.dump(2) + "\n";
}

std::string report_text(const RunReport& r) {
  std::string out = fmt::format("nbrun: {:.3f} s ({}): {} packets in, {} out, {} dropped", r.seconds, r.stop_reason,
                                r.rx, r.tx, r.dropped);
  // Copies out and dropped are in the totals, so their source is too: in + generated = out + dropped.
  if (r.generated) out += fmt::format(", {} generated by elements", r.generated);
  if (r.seconds > 0) out += fmt::format(", {:.3f} Mpps", static_cast<double>(r.rx) / r.seconds / 1e6);
  if (r.missed) out += fmt::format("\ndevices missed {} packets (never received: not in the counts above)", r.missed);
  if (r.succeeded_reloads || r.failed_reloads)
    out += fmt::format("\nreloads: {} succeeded, {} failed; running generation {}", r.succeeded_reloads,
                       r.failed_reloads, r.generation);
  if (r.retired_rx || r.retired_tx || r.retired_dropped || r.retired_generated) {
    out += fmt::format("\nremoved by reloads: rx {}, tx {}, dropped {}", r.retired_rx, r.retired_tx, r.retired_dropped);
    if (r.retired_generated) out += fmt::format(", generated {}", r.retired_generated);
    out += " (in the totals)";
  }
  if (r.workers.size() > 1) {
    out += fmt::format("\nworkers: {}", r.workers.size());
    for (const WorkerReport& w : r.workers)
      out += fmt::format("\n  worker {} (lcore {}): {} packets processed ({} received from devices), {} out, {} dropped",
                         w.index, w.lcore, w.processed, w.rx, w.tx, w.dropped);
  }
  if (!r.jit_cache.empty()) out += fmt::format("\njit: {:.1f} ms, cache {}", r.jit_ms, r.jit_cache);
  out += "\nports:\n";
  std::size_t w = 4;
  for (const auto& p : r.ports) w = std::max(w, p.name.size());
  for (const auto& e : r.elements) w = std::max(w, e.name.size());
  for (const PortReport& p : r.ports) {
    out += fmt::format("  {:<{}}  rx {:>10}  tx {:>10}  dropped {:>8}  {}", p.name, w, p.rx, p.tx, p.dropped, p.device);
    if (p.missed) out += fmt::format("  missed {}", p.missed);
    if (p.window) out += fmt::format("  skipped {} (outside the time window)", p.skipped);
    out += "\n";
  }
  out += "elements:\n";
  for (const ElementReport& e : r.elements) {
    std::string line = fmt::format("  {:<{}}  {:<14}", e.name, w, e.cls);
    for (const auto& [name, v] : e.counters) line += fmt::format("  {} {}", name, v);
    if (e.rate > 0) line += fmt::format("  rate {:.0f}/s", e.rate);
    if (e.generated) line += fmt::format("  generated {}", e.generated);
    if (e.drops) {
      line += fmt::format("  drops {} (", e.drops);
      bool first = true;
      for (const auto& [reason, v] : e.drop_reasons) {
        if (!v) continue;
        line += fmt::format("{}{} {}", first ? "" : ", ", reason, v);
        first = false;
      }
      line += ")";
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace nb::runtime

#include <nb/runtime/runner.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace nb::runtime {

std::string report_json(const RunReport& r) {
  nlohmann::ordered_json j;
  j["seconds"] = r.seconds;
  j["stop_reason"] = r.stop_reason;
  j["totals"] = {{"rx", r.rx}, {"tx", r.tx}, {"dropped", r.dropped}};
  j["worker"] = {{"cycles", r.worker_cycles},
                 {"tsc_hz", r.tsc_hz},
                 {"cycles_per_packet", r.rx ? static_cast<double>(r.worker_cycles) / static_cast<double>(r.rx) : 0.0}};
  j["ports"] = nlohmann::ordered_json::object();
  for (const PortReport& p : r.ports) {
    j["ports"][p.name] = {{"rx", p.rx},
                          {"tx", p.tx},
                          {"dropped", p.dropped},
                          {"device", p.device},
                          {"rx_bursts", p.rx_bursts},
                          {"tx_bursts", p.tx_bursts},
                          {"rx_desc", p.rx_desc},
                          {"tx_desc", p.tx_desc},
                          {"promisc", p.promisc}};
    if (!p.error.empty()) j["ports"][p.name]["error"] = p.error;
  }
  if (!r.errors.empty()) j["errors"] = r.errors;
  j["reload"] = {{"generation", r.generation}, {"failed", r.failed_reloads}};
  if (r.retired_rx || r.retired_tx || r.retired_dropped) {
    // Counted by ports and elements a reload removed; included in "totals".
    j["retired"] = {{"rx", r.retired_rx}, {"tx", r.retired_tx}, {"dropped", r.retired_dropped}};
  }
  j["elements"] = nlohmann::ordered_json::object();
  for (const ElementReport& e : r.elements) {
    nlohmann::ordered_json o;
    o["class"] = e.cls;
    for (const auto& [name, v] : e.counters) o[name] = v;
    o["drops"] = e.drops;
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
  if (r.seconds > 0) out += fmt::format(", {:.3f} Mpps", static_cast<double>(r.rx) / r.seconds / 1e6);
  if (r.generation > 1 || r.failed_reloads)
    out += fmt::format("\nreloads: {} ({} failed); running generation {}", r.generation - 1, r.failed_reloads,
                       r.generation);
  if (r.retired_rx || r.retired_tx || r.retired_dropped)
    out += fmt::format("\nremoved by reloads: rx {}, tx {}, dropped {} (in the totals)", r.retired_rx, r.retired_tx,
                       r.retired_dropped);
  out += "\nports:\n";
  std::size_t w = 4;
  for (const auto& p : r.ports) w = std::max(w, p.name.size());
  for (const auto& e : r.elements) w = std::max(w, e.name.size());
  for (const PortReport& p : r.ports) {
    out += fmt::format("  {:<{}}  rx {:>10}  tx {:>10}  dropped {:>8}  {}\n", p.name, w, p.rx, p.tx, p.dropped, p.device);
  }
  out += "elements:\n";
  for (const ElementReport& e : r.elements) {
    std::string line = fmt::format("  {:<{}}  {:<14}", e.name, w, e.cls);
    for (const auto& [name, v] : e.counters) line += fmt::format("  {} {}", name, v);
    if (e.rate > 0) line += fmt::format("  rate {:.0f}/s", e.rate);
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

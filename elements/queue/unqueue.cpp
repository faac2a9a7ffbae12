#include "unqueue.hpp"

#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"BURST", ParamType::Unsigned, ParamKind::Positional, false, "32",
     "The most packets it pulls each time its task runs (once per pass of the worker's loop). "
     "Click's default is 1, which in nb would move one packet per pass.",
     1, 64},
    {"ACTIVE", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Whether it pulls at all; the `active` handler changes it while the graph runs."},
};

void read_active(const Unqueue::Config& config, const Unqueue::State& state, std::string& out) {
  out = Unqueue::active(config, state) ? "true" : "false";
}

void read_active_workers(const Unqueue::Config& config, std::span<const Unqueue::State* const> states,
                         std::string& out) {
  // Every worker gets each write; they differ only between two workers' writes.
  bool same = true;
  for (const Unqueue::State* s : states) same &= Unqueue::active(config, *s) == Unqueue::active(config, *states[0]);
  if (same) {
    if (!states.empty()) read_active(config, *states[0], out);
    return;
  }
  for (std::size_t w = 0; w < states.size(); ++w)
    out += "worker " + std::to_string(w) + ": " + (Unqueue::active(config, *states[w]) ? "true" : "false") + "\n";
}

bool write_active(const Unqueue::Config&, Unqueue::State& state, std::string_view value, std::string& error) {
  bool on = false;
  if (!parse_handler_bool(value, on)) {
    error = "expected true or false, not '" + std::string(value) + "'";
    return false;
  }
  state.written = on ? 2 : 1;
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(Unqueue, count, "packets pulled and pushed on"),
    handler<Unqueue, &read_active, &write_active, &read_active_workers>("active", "read/write: whether it pulls (true/false)"),
};

}  // namespace

NB_ELEMENT_PULL(Unqueue);

constinit const ElementSpec Unqueue::spec{
    .class_name = "Unqueue",
    .ports = "1/1",
    .params = kParams,
    .brief = "pulls packets whenever it can and pushes them on",
    .description =
        "Pulls up to BURST packets from its input each time its task runs and pushes them out of "
        "its output: what turns a pull path (after a Queue) back into a push path. The task runs "
        "once per pass of the worker's loop, after the sources (docs/queues.md); what it pushes is "
        "JIT-compiled like a source's path. With several workers, every worker runs it.\n"
        "\n"
        "Input 0 (pull): packets, usually from a Queue. Output 0 (push): the same packets.",
    .example = "FromDump(in.pcap) -> Queue -> Unqueue -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "l/h",
};

NB_REGISTER_ELEMENT(Unqueue::spec);

}  // namespace nb::elements

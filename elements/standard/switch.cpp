#include "switch.hpp"

#include <charconv>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"K", ParamType::Integer, ParamKind::Positional, false, "0",
     "The output every packet goes to, from 0 to the number of outputs minus 1; -1 drops every "
     "packet.",
     -1, 0x7ffffffe},
};

void read_switch(const Switch::Config& config, const Switch::State& state, std::string& out) {
  out = std::to_string(Switch::output(config, state));
}

void read_switch_workers(const Switch::Config& config, std::span<const Switch::State* const> states, std::string& out) {
  // Every worker gets each write; they can differ only between two workers' writes.
  bool same = true;
  for (const Switch::State* s : states) same &= Switch::output(config, *s) == Switch::output(config, *states[0]);
  if (same) {
    if (!states.empty()) read_switch(config, *states[0], out);
    return;
  }
  for (std::size_t w = 0; w < states.size(); ++w)
    out += "worker " + std::to_string(w) + ": " + std::to_string(Switch::output(config, *states[w])) + "\n";
}

// As Click: an integer; one that names no output (negative or too large) switches off (-1).
bool write_switch(const Switch::Config&, Switch::State& state, std::string_view value, std::string& error) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.front() == '\n'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\n'))
    value.remove_suffix(1);
  std::int64_t k = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), k);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size()) {
    error = "expected an output number or -1, not '" + std::string(value) + "'";
    return false;
  }
  // Outputs past the connected ones are checked per packet (Context::connected), so a too-large
  // value drops exactly as -1 does.
  if (k < 0 || k > 0x7ffffffe) k = -1;
  state.written = static_cast<std::int32_t>(k);
  state.overridden = true;
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    handler<Switch, &read_switch, &write_switch, &read_switch_workers>(
        "switch", "read/write: the output packets go to; -1 (or any number that is no output) drops them"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(Switch);

constinit const ElementSpec Switch::spec{
    .class_name = "Switch",
    .ports = "1/-",
    .params = kParams,
    .brief = "sends packets to one output, chosen at run time",
    .description =
        "Sends every packet to output K, or drops it when K is -1. Writing the `switch` handler "
        "chooses another output while the graph runs; a value that names no output switches the "
        "element off (-1), as in Click. A hot reload starts again from the new configuration's "
        "K. Packets are not changed.\n"
        "\n"
        "The number of outputs is taken from the connections: one more than the highest "
        "connected output port.\n"
        "\n"
        "Input 0 (push): any packets. Outputs 0 to N-1 (push): the packets, all on output K.",
    .example =
        "sw :: Switch(1);\n"
        "FromDump(in.pcap) -> sw;\n"
        "sw[0] -> Discard;\n"
        "sw[1] -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",  // push only, as in Click
};

NB_REGISTER_ELEMENT(Switch::spec);

}  // namespace nb::elements

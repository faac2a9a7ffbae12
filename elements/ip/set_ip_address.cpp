#include "set_ip_address.hpp"

#include <nb/text.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"IPADDR", ParamType::IPv4Address, ParamKind::Positional, true, "",
     "The address every packet's destination IP annotation is set to."},
};

std::string dotted(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 0xff) + "." + std::to_string(a >> 8 & 0xff) + "." +
         std::to_string(a & 0xff);
}

void read_addr(const SetIPAddress::Config& config, const SetIPAddress::State& state, std::string& out) {
  out = dotted(SetIPAddress::addr(config, state));
}

void read_addr_workers(const SetIPAddress::Config& config, std::span<const SetIPAddress::State* const> states,
                       std::string& out) {
  bool same = true;
  for (const SetIPAddress::State* s : states)
    same &= SetIPAddress::addr(config, *s) == SetIPAddress::addr(config, *states[0]);
  if (same) {
    if (!states.empty()) read_addr(config, *states[0], out);
    return;
  }
  for (std::size_t w = 0; w < states.size(); ++w)
    out += "worker " + std::to_string(w) + ": " + dotted(SetIPAddress::addr(config, *states[w])) + "\n";
}

bool write_addr(const SetIPAddress::Config&, SetIPAddress::State& state, std::string_view value, std::string& error) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.front() == '\n'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\n'))
    value.remove_suffix(1);
  std::uint32_t a = 0;
  if (!text::parse_ipv4(value, a)) {
    error = "expected an IPv4 address such as 10.0.0.1, not '" + std::string(value) + "'";
    return false;
  }
  state.written = a;
  state.overridden = true;
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    handler<SetIPAddress, &read_addr, &write_addr, &read_addr_workers>(
        "addr", "read/write: the address packets' destination IP annotation is set to"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(SetIPAddress);

constinit const ElementSpec SetIPAddress::spec{
    .class_name = "SetIPAddress",
    .ports = "1/1",
    .params = kParams,
    .brief = "sets the destination IP annotation to a fixed address",
    .description =
        "Sets every packet's destination IP address annotation (the next hop ARPQuerier "
        "resolves) to IPADDR; writing the `addr` handler changes it while the graph runs, and a "
        "hot reload starts again from the new configuration's IPADDR. The packet is not "
        "changed.\n"
        "\n"
        "Click's ANNO argument, which names another four-byte annotation, is not taken: nb has "
        "one address annotation.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the same packets, annotated.",
    .example = "FromDump(in.pcap) -> SetIPAddress(10.0.0.1) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(SetIPAddress::spec);

}  // namespace nb::elements

#include "host_ether_filter.hpp"

#include <nb/text.hpp>

#include <cstddef>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"ETHER", ParamType::EtherAddress, ParamKind::Positional, true, "", "The interface's own Ethernet address."},
    {"DROP_OWN", ParamType::Bool, ParamKind::Positional, false, "false",
     "Filter out packets whose Ethernet source is ETHER (the interface's own, looped back)."},
    {"DROP_OTHER", ParamType::Bool, ParamKind::Positional, false, "true",
     "Filter out unicast packets to an address other than ETHER."},
    {"OFFSET", ParamType::Unsigned, ParamKind::Keyword, false, "0",
     "Where the Ethernet header starts, counted from the packet's data start.", 0, 65535},
};

std::string text_of(const EtherAddress& a) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02X-%02X-%02X-%02X-%02X-%02X", a[0], a[1], a[2], a[3], a[4], a[5]);
  return buf;
}

void read_ether(const HostEtherFilter::Config& config, const HostEtherFilter::State& state, std::string& out) {
  out = text_of(HostEtherFilter::addr(config, state));
}

void read_ether_workers(const HostEtherFilter::Config& config, std::span<const HostEtherFilter::State* const> states,
                        std::string& out) {
  bool same = true;
  for (const HostEtherFilter::State* s : states)
    same &= HostEtherFilter::addr(config, *s) == HostEtherFilter::addr(config, *states[0]);
  if (same) {
    if (!states.empty()) read_ether(config, *states[0], out);
    return;
  }
  for (std::size_t w = 0; w < states.size(); ++w)
    out += "worker " + std::to_string(w) + ": " + text_of(HostEtherFilter::addr(config, *states[w])) + "\n";
}

bool write_ether(const HostEtherFilter::Config&, HostEtherFilter::State& state, std::string_view value,
                 std::string& error) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.front() == '\n'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\n'))
    value.remove_suffix(1);
  EtherAddress a{};
  if (!text::scan_ether(value, a)) {
    error = "expected an Ethernet address such as 00:11:22:33:44:55, not '" + std::string(value) + "'";
    return false;
  }
  state.written = a;
  state.overridden = true;
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    handler<HostEtherFilter, &read_ether, &write_ether, &read_ether_workers>(
        "ether", "read/write: the interface's Ethernet address"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(HostEtherFilter);

constinit const ElementSpec HostEtherFilter::spec{
    .class_name = "HostEtherFilter",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "passes the Ethernet packets an interface with address ETHER would receive",
    .description =
        "Acts as the receive filter of an Ethernet interface whose address is ETHER: packets to "
        "ETHER, to the broadcast address and to multicast addresses go to output 0. With "
        "DROP_OWN (default false), packets whose source is ETHER are filtered out first; with "
        "DROP_OTHER (default true), unicast packets to other addresses are filtered out. "
        "Filtered packets go to output 1 when it is connected, else they are dropped; so are "
        "packets too short for an Ethernet header at OFFSET. The `ether` handler reads and "
        "changes the address while the graph runs. Packets are not changed.\n"
        "\n"
        "Click's also sets the packet type annotation (host, broadcast, multicast, other host), "
        "which nb does not have: DropBroadcasts reads the Ethernet destination itself.\n"
        "\n"
        "Input 0 (push): Ethernet packets. Output 0 (push): the packets the interface receives. "
        "Output 1 (push, optional): the filtered ones.",
    .example = "FromDump(in.pcap) -> HostEtherFilter(02:00:00:00:00:01) -> ToDump(mine.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(HostEtherFilter::spec);

}  // namespace nb::elements

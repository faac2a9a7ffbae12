#include "dec_ip_ttl.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"MULTICAST", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Decrement the TTL of multicast packets too. When false, multicast packets pass through "
     "unchanged."},
};

constexpr CounterField kCounters[] = {
    {"expired", offsetof(DecIPTTL::State, expired)},
};
constexpr std::string_view kDropReasons[] = {"malformed", "expired"};
static_assert(std::size(kDropReasons) == DecIPTTL::kNumDropReasons);

void read_active(const void*, const void* state, std::string& out) {
  out = static_cast<const DecIPTTL::State*>(state)->active ? "true" : "false";
}
// Several workers: a write reaches every worker, so they agree and the value is printed once. A
// read between two workers' writes (they apply it each on its own core) says which has which.
void read_active_workers(const void*, const void* const* states, std::uint32_t n, std::string& out) {
  bool same = true;
  for (std::uint32_t w = 1; w < n; ++w)
    same &= static_cast<const DecIPTTL::State*>(states[w])->active ==
            static_cast<const DecIPTTL::State*>(states[0])->active;
  if (same) {
    if (n > 0) read_active(nullptr, states[0], out);
    return;
  }
  for (std::uint32_t w = 0; w < n; ++w) {
    out += "worker " + std::to_string(w) + ": ";
    out += static_cast<const DecIPTTL::State*>(states[w])->active ? "true\n" : "false\n";
  }
}
bool write_active(const void*, void* state, std::string_view value, std::string& error) {
  bool on = false;
  if (!parse_handler_bool(value, on)) {
    error = "expected true or false, not '" + std::string(value) + "'";
    return false;
  }
  static_cast<DecIPTTL::State*>(state)->active = on;
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    {"drops", HandlerSpec::Kind::Drops, "packets dropped: malformed, or expired with output 1 unconnected"},
    {"drop_reasons", HandlerSpec::Kind::DropReasons, "packets dropped, per reason"},
    {"expired", HandlerSpec::Kind::Field, "packets whose TTL had run out", offsetof(DecIPTTL::State, expired)},
    {"active", HandlerSpec::Kind::Custom, "true: decrement TTLs; false: pass packets through unchanged", 0,
     &read_active, &write_active, &read_active_workers},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(DecIPTTL, kCounters, kDropReasons);

constinit const ElementSpec DecIPTTL::spec{
    .class_name = "DecIPTTL",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "decrements IP time-to-live",
    .description =
        "Decrements the TTL of each packet's IP header and updates the header checksum "
        "incrementally (RFC 1624) rather than recomputing it. The IP header is the one "
        "CheckIPHeader found, so packets must pass CheckIPHeader first; a packet that did not is "
        "taken to start with its IP header. A packet too short to hold an IP header there is "
        "dropped (drop reason \"malformed\").\n"
        "\n"
        "A packet whose TTL is already 1 or 0 has expired and is not forwarded; the counter "
        "expired counts them.\n"
        "\n"
        "Input 0 (push): checked IP packets. Output 0 (push): the packets with their TTL "
        "decremented. Output 1 (push, optional): the expired packets, unchanged, for example to "
        "generate ICMP time-exceeded errors. When output 1 is not connected, expired packets are "
        "dropped and counted by the drops handler (drop reason \"expired\").\n"
        "\n"
        "Handlers: drops, drop_reasons, expired, and active (read/write): writing false makes the "
        "element pass every packet through unchanged until true is written.",
    .example =
        "ttl :: DecIPTTL;\n"
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> ttl -> Unstrip(14) -> ToDump(out.pcap);\n"
        "ttl[1] -> Unstrip(14) -> ToDump(expired.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(DecIPTTL::spec);

}  // namespace nb::elements

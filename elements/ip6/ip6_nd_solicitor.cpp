#include "ip6_nd_solicitor.hpp"

#include "ip6_text.hpp"

#include <new>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"IP", ParamType::String, ParamKind::Positional, true, "",
     "This interface's IPv6 address: the source of the neighbor solicitations.", INT64_MIN, UINT64_MAX,
     &ip6_text::validate_address},
    {"ETH", ParamType::EtherAddress, ParamKind::Positional, true, "",
     "This interface's Ethernet address: the source of every frame sent and the solicitations' "
     "source link-layer address."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IP6NDSolicitor, encapsulated, "IPv6 packets sent with a known next hop"),
    NB_COUNTER(IP6NDSolicitor, queries, "packets turned into neighbor solicitations (their next hop was unknown)"),
    NB_COUNTER(IP6NDSolicitor, learnt, "neighbor advertisements that filled or refreshed the cache"),
};

}  // namespace

bool IP6NDSolicitor::configure(const Args& args, Config& config, std::string& error) {
  ip6_text::IP6Address ip{};
  const std::string text = args.get_string("IP");
  if (!ip6_text::parse_address(text, ip)) {  // the validator has said so already
    error = "IP '" + text + "' is not an IPv6 address";
    return false;
  }
  std::memcpy(config.ip, ip.data(), 16);
  config.ether = args.get_ether("ETH");
  return true;
}

bool IP6NDSolicitor::setup(const Config&, State& state, std::string& error) {
  state.cache = new (std::nothrow) Entry[kSlots]();
  if (!state.cache) {
    error = "cannot allocate the neighbour cache";
    return false;
  }
  return true;
}

void IP6NDSolicitor::teardown(const Config&, State& state) {
  delete[] state.cache;
  state.cache = nullptr;
}

// As ARPQuerier's: the new cache starts with every entry of the old one.
void IP6NDSolicitor::transfer(const Config&, const State& old_state, const Config&, State& new_state) {
  new_state.encapsulated = old_state.encapsulated;
  new_state.queries = old_state.queries;
  new_state.learnt = old_state.learnt;
  if (!old_state.cache || !new_state.cache) return;
  for (std::uint32_t s = 0; s < kSlots; ++s) {
    std::uint64_t hi = 0, lo = 0, ether = 0;
    if (!read_slot(old_state.cache[s], hi, lo, ether) || (hi == 0 && lo == 0)) continue;
    std::uint8_t ip[16];
    for (int i = 7; i >= 0; --i, hi >>= 8, lo >>= 8) {
      ip[i] = static_cast<std::uint8_t>(hi);
      ip[8 + i] = static_cast<std::uint8_t>(lo);
    }
    learn(new_state, ip, unpack(ether));
  }
}

NB_ELEMENT_KERNEL(IP6NDSolicitor);

constinit const ElementSpec IP6NDSolicitor::spec{
    .class_name = "IP6NDSolicitor",
    .ports = "2/1-2",
    .params = kParams,
    .brief = "encapsulates IPv6 packets in Ethernet headers found via Neighbor Discovery",
    .description =
        "ARPQuerier for IPv6 (RFC 4861's address resolution): puts an Ethernet header in front of "
        "each IPv6 packet, addressed to the Ethernet address of its next hop, which is the "
        "destination IPv6 annotation (set by LookupIP6Route or GetIP6Address), or the packet's "
        "IPv6 destination when the annotation is ::. Next hops are looked up in a neighbour cache "
        "of 256 entries, filled from the neighbor advertisements that arrive on input 1 (entries "
        "do not expire; a newer advertisement replaces an older one). Multicast destinations "
        "(ff00::/8) go to their Ethernet group, 33:33 and the address's last four bytes (RFC "
        "2464).\n"
        "\n"
        "A packet whose next hop is not in the cache is not queued: it is turned into the neighbor "
        "solicitation for that next hop (an 86-byte frame from IP and ETH to the next hop's "
        "solicited-node group ff02::1:ffXX:XXXX, with ETH as its source link-layer address), "
        "counted by queries. Its sender's retransmission finds the next hop resolved. This keeps "
        "every packet owned by exactly one place without a queue in State, as ARPQuerier does.\n"
        "\n"
        "Differences from Click: Click keeps the packet (one per next hop) and sends it when the "
        "advertisement comes, and learns only addresses it asked for; nb learns the target of "
        "every advertisement RFC 4861 7.1.2 accepts (hop limit 255, code 0, good checksum) that "
        "carries a target link-layer address option, wherever it is in the options. With several "
        "workers the cache is one, shared by every worker (docs/multicore.md); a hot reload keeps "
        "it.\n"
        "\n"
        "Input 0 (push): IPv6 packets, starting with their IPv6 header. Input 1 (push): Ethernet "
        "frames with neighbor advertisements; they are consumed, other packets are dropped. "
        "Output 0 (push): Ethernet frames, and the solicitations when output 1 is not connected. "
        "Output 1 (push, optional): solicitations.",
    .example =
        "c :: Classifier(12/86dd 20/3aff 54/88, 12/86dd);\n"
        "nds :: IP6NDSolicitor(2001:db8::1, 02:00:00:00:00:01);\n"
        "FromDump(in.pcap) -> c;\n"
        "c [0] -> [1] nds;\n"
        "c [1] -> Strip(14) -> CheckIP6Header -> GetIP6Address(24) -> [0] nds;\n"
        "nds -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(IP6NDSolicitor::spec);

}  // namespace nb::elements

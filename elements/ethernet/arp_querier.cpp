#include "arp_querier.hpp"

#include <iterator>
#include <new>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"IP", ParamType::IPv4Address, ParamKind::Positional, true, "",
     "This interface's IP address: the sender address of the ARP queries."},
    {"ETH", ParamType::EtherAddress, ParamKind::Positional, true, "",
     "This interface's Ethernet address: the source of every frame sent."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ARPQuerier, encapsulated, "IP packets sent with a known next hop"),
    NB_COUNTER(ARPQuerier, queries, "packets turned into ARP queries (their next hop was unknown)"),
    NB_COUNTER(ARPQuerier, learnt, "ARP replies that filled or refreshed the cache"),
};

}  // namespace

bool ARPQuerier::configure(const Args& args, Config& config, std::string&) {
  config.ip = args.get_ipv4("IP");
  config.ether = args.get_ether("ETH");
  return true;
}

bool ARPQuerier::setup(const Config&, State& state, std::string& error) {
  state.cache = new (std::nothrow) Entry[kSlots]();
  if (!state.cache) {
    error = "cannot allocate the ARP cache";
    return false;
  }
  return true;
}

void ARPQuerier::teardown(const Config&, State& state) {
  delete[] state.cache;
  state.cache = nullptr;
}

// Every worker's State carries the same cache pointer, so copying the entries again for another
// worker changes nothing; old workers may still be learning into the old cache, and read_slot
// skips a slot they are writing (its reply is learnt again from the next one).
void ARPQuerier::transfer(const Config&, const State& old_state, const Config&, State& new_state) {
  new_state.encapsulated = old_state.encapsulated;
  new_state.queries = old_state.queries;
  new_state.learnt = old_state.learnt;
  if (!old_state.cache || !new_state.cache) return;
  for (std::uint32_t s = 0; s < kSlots; ++s) {
    std::uint32_t ip = 0;
    std::uint64_t ether = 0;
    if (read_slot(old_state.cache[s], ip, ether) && ip != 0) learn(new_state, ip, unpack(ether));
  }
}

NB_ELEMENT_KERNEL(ARPQuerier);

constinit const ElementSpec ARPQuerier::spec{
    .class_name = "ARPQuerier",
    .ports = "2/1-2",
    .params = kParams,
    .brief = "encapsulates IP packets in Ethernet headers found via ARP",
    .description =
        "Puts an Ethernet header in front of each IP packet, addressed to the Ethernet address of "
        "its next hop: the packet's destination IP annotation (set by LookupIPRoute or ICMPError), "
        "or its IP destination when the annotation is 0. Next hops are looked up in an ARP cache "
        "of 256 entries, filled from the ARP replies that arrive on input 1 (entries do not "
        "expire; a newer reply replaces an older one). Packets to 255.255.255.255 go to the "
        "Ethernet broadcast address.\n"
        "\n"
        "A packet whose next hop is not in the cache is not queued: it is turned into the ARP "
        "request for that next hop (a 60-byte broadcast frame from IP and ETH), counted by "
        "queries. Its sender's retransmission (TCP, ping, the kernel's own ARP) finds the next hop "
        "resolved. This keeps every packet owned by exactly one place without a queue in State.\n"
        "\n"
        "As in Click, ARPQuerier(NAME) gives both addresses at once: NAME is an AddressInfo name "
        "that holds an IPv4 and an Ethernet address, or a network interface of the host (eth0), "
        "whose addresses `nbc check` reads from the kernel.\n"
        "\n"
        "With several workers (nbrun --workers) the cache is one, shared by every worker: a reply "
        "that arrives at any worker resolves the next hop for all of them (docs/multicore.md). "
        "A hot reload keeps the cache; with other arguments its entries are copied into the new "
        "element's.\n"
        "\n"
        "Input 0 (push): IP packets, starting with their IP header. Input 1 (push): Ethernet "
        "frames with ARP replies; they are consumed, other ARP packets are dropped. "
        "Output 0 (push): Ethernet frames, and the ARP "
        "queries when output 1 is not connected. Output 1 (push, optional): ARP queries.",
    .example =
        "c :: Classifier(12/0806 20/0002, 12/0800);\n"
        "arpq :: ARPQuerier(10.2.0.1, 02:00:00:00:00:02);\n"
        "FromDump(in.pcap) -> c;\n"
        "c [0] -> [1] arpq;\n"
        "c [1] -> Strip(14) -> CheckIPHeader -> [0] arpq;\n"
        "arpq -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(ARPQuerier::spec);

}  // namespace nb::elements

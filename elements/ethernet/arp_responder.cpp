#include "arp_responder.hpp"

#include "../ip/ip_text.hpp"

#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"ENTRY", ParamType::String, ParamKind::Rest, true, "",
     "`ADDR[/LEN] ... ETH`: answer requests for these addresses (or prefixes) with the Ethernet "
     "address ETH."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ARPResponder, replies, "ARP replies sent"),
};

}  // namespace

bool ARPResponder::configure(const Args& args, Config& config, std::string& error) {
  const std::size_t n = args.count("ENTRY");
  for (std::size_t i = 0; i < n; ++i) {
    const std::string text = args.get_string_at("ENTRY", i);
    const auto w = ip_text::words(text);
    EtherAddress eth{};
    if (w.size() < 2 || !ip_text::parse_ether(w.back(), eth)) {
      error = "entry " + std::to_string(i + 1) + " '" + text +
              "': expected 'ADDR[/LEN] ... ETH', e.g. "
              "'10.1.0.1 02:00:00:00:00:01'";
      return false;
    }
    for (std::size_t k = 0; k + 1 < w.size(); ++k) {
      std::uint32_t addr;
      unsigned len;
      if (!ip_text::parse_prefix(w[k], addr, len)) {
        error = "entry " + std::to_string(i + 1) + ": bad address '" + std::string(w[k]) + "'";
        return false;
      }
      if (config.nentries == kMaxEntries) {
        error = "too many addresses: at most " + std::to_string(kMaxEntries);
        return false;
      }
      const std::uint32_t mask = ip_text::prefix_mask(len);
      config.entries[config.nentries++] = {addr & mask, mask, eth};
    }
  }
  return true;
}

NB_ELEMENT_KERNEL(ARPResponder);

constinit const ElementSpec ARPResponder::spec{
    .class_name = "ARPResponder",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "generates responses to ARP queries",
    .description =
        "Answers ARP requests (Ethernet/IPv4, RFC 826) for the addresses it is given: each "
        "argument lists addresses or prefixes and, last, the Ethernet address to answer with. The "
        "reply is written over the request (the frame goes back to the asker from that Ethernet "
        "address) and sent to output 0.\n"
        "\n"
        "Input 0 (push): Ethernet frames carrying ARP requests. Output 0 (push): ARP replies. "
        "Output 1 (push, optional): requests for other addresses; dropped when it is not connected. Frames "
        "that are not Ethernet/IPv4 ARP and ARP packets other than requests are dropped.",
    .example =
        "FromDump(in.pcap) -> Classifier(12/0806 20/0001) -> ARPResponder(10.1.0.1 02:00:00:00:00:01) -> "
        "ToDump(replies.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(ARPResponder::spec);

}  // namespace nb::elements

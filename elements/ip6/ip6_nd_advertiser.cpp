#include "ip6_nd_advertiser.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"ENTRY", ParamType::String, ParamKind::Rest, true, "",
     "`ADDR[/LEN] ... ETH`: answer solicitations for these IPv6 addresses or prefixes (LEN 0 to "
     "128, or a mask written as an address; a bare ADDR is a /128) with the Ethernet address ETH."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IP6NDAdvertiser, replies, "neighbor advertisements sent"),
};

}  // namespace

bool IP6NDAdvertiser::configure(const Args& args, Config& config, std::string& error) {
  const std::size_t n = args.count("ENTRY");
  for (std::size_t i = 0; i < n; ++i) {
    const std::string text = args.get_string_at("ENTRY", i);
    const auto w = ip6_text::words(text);
    EtherAddress eth{};
    bool have_eth = false;
    const std::uint32_t first = config.nentries;
    for (std::string_view word : w) {
      ip6_text::IP6Address addr{};
      unsigned len = 0;
      EtherAddress e{};
      if (ip6_text::parse_prefix(word, addr, len)) {
        if (config.nentries == kMaxEntries) {
          error = "too many addresses: at most " + std::to_string(kMaxEntries);
          return false;
        }
        config.entries[config.nentries++] = {addr, static_cast<std::uint8_t>(len), {}};
      } else if (ip_text::parse_ether(word, e)) {
        if (have_eth) {
          error = "entry " + std::to_string(i + 1) + " '" + text + "' has more than one Ethernet address";
          return false;
        }
        eth = e;
        have_eth = true;
      } else {
        error = "entry " + std::to_string(i + 1) + ": '" + std::string(word) +
                "' is neither an IPv6 address or prefix nor an Ethernet address (expected 'ADDR[/LEN] ... ETH', "
                "e.g. '2001:db8::1/128 02:00:00:00:00:01')";
        return false;
      }
    }
    if (!have_eth || config.nentries == first) {
      error = "entry " + std::to_string(i + 1) + " '" + text + "': expected 'ADDR[/LEN] ... ETH', e.g. " +
              "'2001:db8::1/128 02:00:00:00:00:01'";
      return false;
    }
    for (std::uint32_t k = first; k < config.nentries; ++k) config.entries[k].ether = eth;
  }
  return true;
}

NB_ELEMENT_KERNEL(IP6NDAdvertiser);

constinit const ElementSpec IP6NDAdvertiser::spec{
    .class_name = "IP6NDAdvertiser",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "answers IPv6 neighbor solicitations",
    .description =
        "ARPResponder for IPv6: answers the neighbor solicitations (RFC 4861) for the addresses "
        "it is given. Each argument lists IPv6 addresses or prefixes and an Ethernet address to "
        "answer with; a target several entries match gets the most specific one's. The answer is "
        "a neighbor advertisement (86 bytes) written over the solicitation: to the asker's "
        "Ethernet and IPv6 source, from the target address and the entry's Ethernet address, with "
        "that address as its target link-layer address option and the router and solicited flags "
        "set (override clear), as Click sends it, and sent to output 0.\n"
        "\n"
        "Solicitations RFC 4861 7.1.1 would not accept (hop limit other than 255, code other than "
        "0, short, bad checksum) are dropped, as Click drops those with a bad checksum. Unlike "
        "Click, a solicitation from :: (duplicate address detection) is answered at all-nodes "
        "(ff02::1) without the solicited flag, as RFC 4861 7.2.4 says.\n"
        "\n"
        "Input 0 (push): Ethernet frames carrying neighbor solicitations. Output 0 (push): "
        "neighbor advertisements. Output 1 (push, optional): solicitations for other addresses; "
        "dropped when it is not connected.",
    .example =
        "FromDump(in.pcap) -> Classifier(12/86dd 20/3aff 54/87)\n"
        "    -> IP6NDAdvertiser(2001:db8::1/128 02:00:00:00:00:01) -> ToDump(replies.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(IP6NDAdvertiser::spec);

// Click's first IPv6 code called it NDAdv (conf/ip6ndadvertiser02.click); today's Click has no
// NDAdv. nb runs such a configuration as written and says so once per element.
constinit const ElementSpec kNDAdv{
    .class_name = "NDAdv",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "IP6NDAdvertiser under its name in Click's first IPv6 code",
    .description =
        "The same element as IP6NDAdvertiser (see `nbc doc IP6NDAdvertiser`): NDAdv was its name in "
        "Click's first IPv6 code, and today's Click has no NDAdv.",
    .example =
        "FromDump(in.pcap) -> Classifier(12/86dd 20/3aff 54/87)\n"
        "    -> NDAdv(2001:db8::1/128 02:00:00:00:00:01) -> ToDump(replies.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .warning =
        "IP6NDAdvertiser's name in Click's first IPv6 code (today's Click has no NDAdv): nb runs it as "
        "IP6NDAdvertiser; write IP6NDAdvertiser",
};

NB_REGISTER_ELEMENT(kNDAdv);

}  // namespace nb::elements

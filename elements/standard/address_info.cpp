#include "address_info.hpp"

#include <nb/text.hpp>

#include <string_view>

namespace nb::elements {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// ADDR/LEN or ADDR/MASK, as Click reads a prefix (10/8 too).
bool is_prefix(std::string_view w) {
  std::uint32_t addr = 0;
  unsigned len = 0;
  return nb::text::scan_ipv4_prefix(w, addr, len);
}

// NAME ADDRESS [ADDRESS...], each ADDRESS an IPv4 address, an IPv4 prefix or an Ethernet address.
bool validate_entry(std::string_view text, ParamError& error) {
  std::size_t i = 0;
  unsigned words = 0;
  std::size_t name_end = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !is_space(text[j])) ++j;
    if (j == i) break;
    std::string_view w = text.substr(i, j - i);
    if (words++ == 0) {
      name_end = j;
    } else {
      std::uint32_t addr = 0;
      std::array<std::uint8_t, 6> ether{};
      if (!nb::text::scan_ipv4(w, 0, w.size(), addr) && !is_prefix(w) && !nb::text::scan_ether(w, ether)) {
        error = {i,
                 w.size(),
                 "'" + std::string(w) +
                     "' is not an IPv4 address (10.0.0.1), IPv4 prefix (10.0.0.0/8) or Ethernet address "
                     "(00:11:22:33:44:55); nb has no IPv6 names",
                 {}};
        return false;
      }
    }
    i = j;
  }
  if (words < 2) {
    error = {name_end, 0, "expected NAME ADDRESS [ADDRESS...], e.g. 'intern 10.0.0.1/8 00:11:22:33:44:55'", {}};
    return false;
  }
  return true;
}

constexpr ParamSpec kParams[] = {
    {.name = "ENTRY",
     .type = ParamType::String,
     .kind = ParamKind::Rest,
     .required = true,
     .default_value = "",
     .doc = "NAME ADDRESS [ADDRESS...]: NAME stands for each ADDRESS, an IPv4 address, an IPv4 prefix "
            "(10.0.0.1/8 gives both the address and the prefix) or an Ethernet address.",
     .validate = validate_entry},
};

}  // namespace

NB_ELEMENT_INFO(AddressInfo);

constinit const ElementSpec AddressInfo::spec{
    .class_name = "AddressInfo",
    .ports = "0/0",
    .params = kParams,
    .brief = "names addresses for the other elements' arguments, as Click's AddressInfo",
    .description =
        "Each argument `NAME ADDRESS [ADDRESS...]` makes NAME stand for its addresses in every "
        "argument of the configuration that takes an address: an IPv4 address, an IPv4 prefix "
        "(`10.0.0.1/8` names the address 10.0.0.1 and the prefix 10.0.0.0/8) or an Ethernet "
        "address. The kind an argument needs picks the address; a suffix picks it explicitly: "
        "`NAME:ip` (also `:ip4`) the IPv4 address, `NAME:net` (`:ipnet`, `:ip4net`) the prefix, "
        "`NAME:eth` (`:ether`, `:ethernet`) the Ethernet address, `NAME:bcast` the prefix's "
        "broadcast address and `NAME:gw` the prefix's first address (or a name `NAME:gw` of its "
        "own). Where an argument takes a prefix, a name with an address gives that address as /32 "
        "(as in Click; use `NAME:net`), and `NAME/24` the name's address with that length.\n"
        "\n"
        "Names work in typed address arguments (ARPQuerier's IP, EtherEncap's SRC and DST, ...) "
        "and in the elements' own languages: IPFilter and IPClassifier rules (`src host intern`, "
        "`dst net intern`: after `net` a name is its prefix), LookupIPRoute's routes "
        "(`intern:net 1`), ARPResponder's entries (an entry that is one name, ARPResponder(NAME), "
        "gives the name's address and Ethernet address), IPEncap's and IPRewriter's addresses. There a "
        "word that is a defined name is replaced by its address before the element reads the "
        "text, so a name that is also a word of the language (`tcp`, `host`) is read as the name.\n"
        "\n"
        "AddressInfo may stand anywhere in its body: its names hold in the whole file, or, inside "
        "a compound, in that compound and the compounds in it (an inner name hides an outer one). "
        "An unknown name is an error with the nearest defined name; a name of the wrong kind (an "
        "Ethernet-only name where an IPv4 address goes) says what it is.\n"
        "\n"
        "Differences from Click: nb reads no addresses of network devices from the host (Click's "
        "`eth0` and `eth0:gw` defaults); declare them with AddressInfo. IPv6 addresses are not "
        "names yet. AddressInfo has no ports and no handlers of its own.",
    .example =
        "AddressInfo(intern 10.0.0.1/8 00:50:ba:85:84:a9, extern 209.6.198.213);\n"
        "FromDump(in.pcap) -> IPFilter(allow src net intern, drop all)\n"
        "    -> EtherEncap(0x0800, intern, 02:00:0a:11:22:1f) -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(AddressInfo::spec);

}  // namespace nb::elements

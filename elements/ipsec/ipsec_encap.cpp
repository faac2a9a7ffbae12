#include "ipsec_encap.hpp"

#include "../ip/ip_encap.hpp"

#include <string_view>

namespace nb::elements {

namespace {

bool validate_proto(std::string_view text, ParamError& error) {
  std::uint8_t p = 0;
  if (IPEncap::parse_proto(text, p)) return true;
  error = {0, text.size() ? text.size() : 1, "expected an IP protocol number from 0 to 255 or a name such as ipip",
           "names: dccp, gre, icmp, igmp, ipip, sctp, tcp, udp; ESP is 50"};
  return false;
}

constexpr ParamSpec kParams[] = {
    {"PROTO", ParamType::String, ParamKind::Positional, true, "",
     "The outer header's protocol: 50 (ESP) in a tunnel; a number from 0 to 255 or one of Click's names.", INT64_MIN,
     UINT64_MAX, &validate_proto},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IPsecEncap, encapsulated, "packets given an outer IP header"),
};

}  // namespace

bool IPsecEncap::configure(const Args& args, Config& config, std::string& error) {
  if (!IPEncap::parse_proto(args.get_string("PROTO"), config.proto)) {
    error = "PROTO must be an IP protocol number or name";
    return false;
  }
  return true;
}

NB_ELEMENT_KERNEL(IPsecEncap);

constinit const ElementSpec IPsecEncap::spec{
    .class_name = "IPsecEncap",
    .ports = "1/1",
    .params = kParams,
    .brief = "puts the outer IPv4 header on a tunnel packet, to its destination IP annotation",
    .description =
        "The last step into an IPsec tunnel: a 20-byte IPv4 header of protocol PROTO whose destination is the "
        "packet's destination IP annotation (the tunnel's far gateway, which RadixIPsecLookup's route set) and "
        "whose source is 0, with Click's FIX_IP_SRC annotation set so that FixIPSrc writes the outgoing "
        "interface's address once the packet is routed again; TTL 250, a total length covering the packet, an "
        "identification counting from 0 (per worker), a correct checksum. The new header is marked as the "
        "packet's IP header.\n"
        "\n"
        "A packet on its way into a tunnel (RadixIPsecLookup's output 1) that IPsecAES(1) did not encrypt or "
        "IPsecAuthHMACSHA1(0) gave no ICV is dropped (`unfinished esp`) rather than sent in the clear. Other "
        "packets are encapsulated as they are, as Click's IPsecEncap does. A packet without 20 bytes of headroom "
        "is dropped.\n"
        "\n"
        "Input 0 (push): ESP packets (or any payload). Output 0 (push): IPv4 packets.",
    .example = ipsec::kExample,
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(IPsecEncap::spec);

}  // namespace nb::elements

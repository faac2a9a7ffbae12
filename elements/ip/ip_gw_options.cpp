#include "ip_gw_options.hpp"

#include "ip_text.hpp"

#include <string>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"MYADDR", ParamType::IPv4Address, ParamKind::Positional, true, "",
     "The router's address on the interface the packets leave by: what Record Route and "
     "Timestamp record."},
    {"OTHERADDRS", ParamType::IPv4AddressList, ParamKind::Positional, false, "",
     "The router's other addresses (space-separated, at most 16): a prespecified Timestamp for "
     "one of them is filled in too."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IPGWOptions, bad, "packets with a bad option, sent to output 1 or dropped (Click's `drops`)"),
};

}  // namespace

bool IPGWOptions::configure(const Args& args, Config& config, std::string& error) {
  config.addrs[0] = args.get_ipv4("MYADDR");
  config.naddrs = 1;
  const std::string other = args.get_string("OTHERADDRS");
  for (std::string_view w : ip_text::words(other)) {
    if (config.naddrs == kMaxAddrs + 1) {
      error = "OTHERADDRS lists more than " + std::to_string(kMaxAddrs) + " addresses";
      return false;
    }
    if (!ip_text::parse_ipv4(w, config.addrs[config.naddrs++])) {
      error = "bad address '" + std::string(w) + "' in OTHERADDRS";
      return false;
    }
  }
  return true;
}

NB_ELEMENT_KERNEL(IPGWOptions);

constinit const ElementSpec IPGWOptions::spec{
    .class_name = "IPGWOptions",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "processes the IP options every router processes",
    .description =
        "Processes the options of each IPv4 packet that every router on the path processes "
        "(RFC 791, RFC 1812 4.2.2.2), whoever the packet is for: Record Route gets MYADDR "
        "(a full one is left as it is), Timestamp gets a timestamp - alone (flag 0), after MYADDR "
        "(flag 1), or where the prespecified address is MYADDR or one of OTHERADDRS (flag 3) - or "
        "its overflow count raised when it is full. The header checksum is recomputed when an "
        "option changed. Other options (source routes among them) are left alone. The IP header "
        "is at the network offset annotation, else at 0; a packet without options passes "
        "untouched.\n"
        "\n"
        "A timestamp is RFC 791's non-standard kind, with the high-order bit set: nb's worker "
        "clock counts milliseconds but is not the time of day.\n"
        "\n"
        "A packet with a bad option (a length that overruns the header, a pointer out of place, an "
        "unknown Timestamp flag, an overflow count at 15) goes to output 1 - usually to "
        "ICMPError(ADDR, parameterproblem) - with the offset of the wrong byte in the IP header in "
        "its parameter-problem annotation (Click's ICMP_PARAMPROB_ANNO, nb's user annotation byte "
        "1), which ICMPError uses as the message's pointer; without output 1 it is dropped.\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): the packets, their options processed. Output "
        "1 (push, optional): packets with a bad option.",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> gw :: IPGWOptions(10.0.1.1) -> ToDump(out.pcap);\n"
        "gw [1] -> ICMPError(10.0.1.1, parameterproblem) -> ToDump(errors.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(IPGWOptions::spec);

}  // namespace nb::elements

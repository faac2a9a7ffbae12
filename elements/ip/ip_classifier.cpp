#include "ip_classifier.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {.name = "PATTERN",
     .type = ParamType::String,
     .kind = ParamKind::Rest,
     .required = true,
     .default_value = "",
     .doc = "One pattern per output, in Click's IP filter syntax (see the description).",
     .validate = &IPClassifier::validate_pattern},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IPClassifier, unmatched, "matched no pattern: dropped"),
    NB_COUNTER(IPClassifier, bad, "no valid IP header: dropped"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(IPClassifier);

constinit const ElementSpec IPClassifier::spec{
    .class_name = "IPClassifier",
    .ports = "1/-",
    .params = kParams,
    .brief = "classifies IP packets by contents",
    .description =
        "Sends each IP packet to the output of the first pattern it matches; there is one output "
        "per pattern. Packets that match none are dropped (drop reason \"no match\"); packets "
        "without a valid IPv4 header at the IP header annotation (set by CheckIPHeader) are "
        "dropped too (drop reason \"bad IP header\"). Counters: unmatched, bad.\n"
        "\n"
        "Patterns are Click's, built from primitives:\n"
        "  [src|dst|src or dst|src and dst] host ADDR      10.0.0.1\n"
        "  [src|dst|...] net ADDR/LEN, net ADDR mask MASK  10.0.0.0/8\n"
        "  [src|dst|...] [tcp|udp] port PORT               80, www, a range 1000-2000\n"
        "  ip proto PROTO (tcp, udp, icmp, igmp, ipip or 0-255), or just tcp, udp, icmp\n"
        "  tcp opt FLAG (syn, ack, fin, rst, psh, urg: the flag is set), or just syn, ack, ...\n"
        "  icmp type TYPE (0-255 or echo, echo-reply, unreachable, timeexceeded, ...)\n"
        "  ip frag, ip unfrag (or just frag, unfrag), ip ttl N, ip tos N, ip dscp N\n"
        "  ip hl N (header words), ip vers N, ip id N, tcp win N\n"
        "  ip[POS:LEN] N, transp[POS:LEN] N (LEN 1-4 bytes; ip[POS] one byte; tcp[...] etc.)\n"
        "  true, false; a pattern of -, any or all matches everything\n"
        "combined with and (&&), or (||), not (!), a ? b : c and parentheses; adjacent primitives are and-ed "
        "(syn ack). Numbers take an operator: port > 1023, icmp type != 8, ip ttl <= 1, and a mask "
        "as in Click: ip tos & 3 = 1, tcp[13] & 2 != 0; addresses take == and !=. An element "
        "reads one ip[...] and one transp[...] window; bytes outside the datagram match nothing. A bare value repeats "
        "the previous primitive's qualifiers: 'src port 80 or "
        "81', 'tcp opt syn ack'; without one, an address is a host, ADDR/LEN a net and a port name "
        "a port.\n"
        "\n"
        "As in Click, port, tcp opt and icmp type match only TCP/UDP, TCP and ICMP packets "
        "respectively, and only an unfragmented datagram or a first fragment whose transport "
        "bytes are there; so 'src port != 80' does not match UDP-less packets but 'not src port "
        "80' does. A port with no tcp or udp matches either.\n"
        "\n"
        "The patterns are compiled into a decision structure (see IPFilter); limits: 256 "
        "patterns, 256 or-ed conjunctions in all, 255 distinct boundaries per field.\n"
        "\n"
        "Input 0 (push): IP packets. Output i (push): the packets whose first matching pattern is "
        "pattern i.",
    .example =
        "c :: IPClassifier(10.0.0.0/24 and syn, dst tcp port 8000 or 8080, icmp, -);\n"
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> c;\n"
        "c[0] -> Unstrip(14) -> ToDump(syn.pcap);\n"
        "c[1] -> Unstrip(14) -> ToDump(web.pcap);\n"
        "c[2] -> Unstrip(14) -> ToDump(icmp.pcap);\n"
        "c[3] -> Discard;\n",
    .output_count = OutputCount::OnePerRestArg,
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",  // push only, as in Click
};

NB_REGISTER_ELEMENT(IPClassifier::spec);

}  // namespace nb::elements

#include "ip_filter.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {.name = "RULE",
     .type = ParamType::String,
     .kind = ParamKind::Rest,
     .required = true,
     .default_value = "",
     .doc = "One rule: an ACTION (allow, deny, drop or an output number) and a PATTERN in IPClassifier's syntax.",
     .validate = &IPFilter::validate_rule},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IPFilter, passed, "sent to an output"),
    NB_COUNTER(IPFilter, denied, "dropped by a deny/drop rule"),
    NB_COUNTER(IPFilter, unmatched, "matched no rule: dropped"),
    NB_COUNTER(IPFilter, bad, "no valid IP header: dropped"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(IPFilter);

constinit const ElementSpec IPFilter::spec{
    .class_name = "IPFilter",
    .ports = "1/-",
    .params = kParams,
    .brief = "filters IP packets by contents",
    .description =
        "Filters IP packets with a list of rules, each an ACTION and a PATTERN: the first rule "
        "whose pattern matches decides. ACTION is allow (send to output 0), deny or drop (drop "
        "the packet, drop reason \"denied\"), or an output number. A packet that matches no rule "
        "is dropped (drop reason \"no match\"), so a filter usually ends with 'allow all' or "
        "'deny all'. Patterns are IPClassifier's (see `nbc doc IPClassifier`): src/dst host and "
        "net, ports and port ranges, ip proto, tcp opt (TCP flags), icmp type, ip frag, ip ttl, "
        "ip tos, ip hl, ip vers, ip id, tcp win, ip[POS:LEN], transp[POS:LEN], masks (ip tos & 3 = "
        "1), with and, or, not, a ? b : c and parentheses.\n"
        "\n"
        "The rules are compiled into a decision structure when the configuration is loaded, not "
        "scanned one by one: each header field selects a precomputed bit row, and the rows' AND "
        "names the first matching rule, so the work per packet depends on the fields the rules "
        "use, not on how many rules there are. The JIT specialises it for the rule set.\n"
        "\n"
        "Input packets must have their IP header annotation set (CheckIPHeader does this). A "
        "packet without a valid IPv4 header there (version 4, header and total length inside the "
        "packet) is dropped (drop reason \"bad IP header\"). Counters: passed, denied, unmatched, "
        "bad.\n"
        "\n"
        "Limits: at most 256 rules, 256 or-ed conjunctions after expanding all patterns, and 255 "
        "distinct boundaries (address or port range ends) per field.\n"
        "\n"
        "Input 0 (push): IP packets. Output N (push): the packets of rules with action N (allow "
        "is 0).",
    .example =
        "fw :: IPFilter(allow icmp type echo or echo-reply,\n"
        "               allow tcp dst port 22 or 80,\n"
        "               deny udp dst port 53 and src net 10.0.0.0/8,\n"
        "               allow src host 192.168.1.1 and dst port 1000-2000,\n"
        "               deny all);\n"
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> fw -> Unstrip(14) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(IPFilter::spec);

}  // namespace nb::elements

#include "dec_ip_ttl.hpp"

#include <cstddef>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"ACTIVE", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Whether TTLs are decremented when nbrun starts; when false, every packet passes through "
     "unchanged until the `active` handler is written true (Click's ACTIVE)."},
    {"MULTICAST", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Decrement the TTL of multicast packets too. When false, multicast packets pass through "
     "unchanged."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(DecIPTTL, expired, "packets whose TTL had run out, dropped or sent to output 1"),
    NB_BOOL(DecIPTTL, active, "true: decrement TTLs; false: pass packets through unchanged"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(DecIPTTL);

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
        "dropped.\n"
        "\n"
        "A packet whose TTL is already 1 or 0 has expired and is not forwarded.\n"
        "\n"
        "Input 0 (push): checked IP packets. Output 0 (push): the packets with their TTL "
        "decremented. Output 1 (push, optional): the expired packets, unchanged, for example to "
        "generate ICMP time-exceeded errors. When output 1 is not connected, expired packets are "
        "dropped.",
    .example =
        "ttl :: DecIPTTL;\n"
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> ttl -> Unstrip(14) -> ToDump(out.pcap);\n"
        "ttl[1] -> Unstrip(14) -> ToDump(expired.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(DecIPTTL::spec);

}  // namespace nb::elements

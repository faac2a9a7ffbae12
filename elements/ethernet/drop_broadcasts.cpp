#include "drop_broadcasts.hpp"

namespace nb::elements {

namespace {

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(DropBroadcasts, drops, "broadcast and multicast packets, sent to output 1 or dropped"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(DropBroadcasts);

constinit const ElementSpec DropBroadcasts::spec{
    .class_name = "DropBroadcasts",
    .ports = "1/1-2",
    .params = {},
    .brief = "drops packets that arrived as link-level broadcast or multicast",
    .description =
        "Drops packets whose Ethernet destination is the broadcast address or a multicast "
        "address (the group bit set), as an IP router must not forward link-level broadcasts "
        "(RFC 1812); with output 1 connected they go there instead. The first one makes the "
        "message \"dropped a packet\"; `drops` counts them all.\n"
        "\n"
        "Click's reads the packet type annotation that its FromDevice and HostEtherFilter set; "
        "nb has no such annotation, so DropBroadcasts reads the Ethernet destination itself. "
        "The Ethernet header is taken to be the 14 bytes just before the IP header that "
        "CheckIPHeader or MarkIPHeader marked, or the packet's start when no IP header is "
        "marked. When the IP header is marked less than 14 bytes in (after Strip(14) and "
        "CheckIPHeader, as Click's router configurations have it), the Ethernet header is no "
        "longer part of the packet and every packet passes: put DropBroadcasts before the "
        "Strip, or mark the IP header at 14 (CheckIPHeader(14)) and strip later. A packet "
        "shorter than the destination's first byte passes too.\n"
        "\n"
        "Input 0 (push): Ethernet packets, or IP packets marked at 14 or more. Output 0 (push): "
        "unicast packets. Output 1 (push, optional): broadcast and multicast packets.",
    .example = "FromDump(in.pcap) -> DropBroadcasts -> Strip(14) -> CheckIPHeader -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(DropBroadcasts::spec);

}  // namespace nb::elements

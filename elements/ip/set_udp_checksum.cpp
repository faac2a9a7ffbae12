#include "set_udp_checksum.hpp"

#include <cstddef>

namespace nb::elements {

namespace {

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(SetUDPChecksum, bad, "fragments and short packets, sent to output 1 or dropped"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(SetUDPChecksum);

constinit const ElementSpec SetUDPChecksum::spec{
    .class_name = "SetUDPChecksum",
    .ports = "1/1-2",
    .params = {},
    .brief = "sets the UDP checksum of UDP-in-IP packets",
    .description =
        "Computes the UDP checksum, the pseudo-header from the IP header included, and writes it "
        "into the UDP header. The IP header is the one CheckIPHeader or MarkIPHeader marked (the "
        "packet's start when none did); the UDP header follows it. As in Click, the protocol "
        "field is not checked, and the checksum covers the UDP length field's bytes. A sum of "
        "zero is written as 0xffff, as RFC 768 asks (0 means no checksum). The pseudo-header "
        "takes the header's destination address, also when a source-route option names another "
        "final destination (Click takes that one).\n"
        "\n"
        "IP fragments, packets without a whole IPv4 header, and packets shorter than their UDP "
        "length go to output 1, or are dropped when it is not connected, unchanged.\n"
        "\n"
        "Input 0 (push): UDP-in-IP packets. Output 0 (push): the packets with their checksum "
        "set. Output 1 (push, optional): fragments and short packets.",
    .example = "FromDump(in.pcap) -> MarkIPHeader(14) -> SetUDPChecksum -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(SetUDPChecksum::spec);

}  // namespace nb::elements

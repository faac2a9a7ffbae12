#include "set_tcp_checksum.hpp"

#include <cstddef>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"FIXOFF", ParamType::Bool, ParamKind::Positional, false, "false",
     "Also repair the TCP data offset first: one below 5 words becomes 5, one past the end of "
     "the segment (in an unfragmented packet) becomes the segment's length in words."},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(SetTCPChecksum);

constinit const ElementSpec SetTCPChecksum::spec{
    .class_name = "SetTCPChecksum",
    .ports = "1/1",
    .params = kParams,
    .brief = "sets the TCP checksum of TCP-in-IP packets",
    .description =
        "Computes the TCP checksum over the segment (the IP total length minus the IP header "
        "length), the pseudo-header from the IP header included, and writes it into the TCP "
        "header. The IP header is the one CheckIPHeader or MarkIPHeader marked (the packet's "
        "start when none did); the TCP header follows it. As in Click, the protocol field is not "
        "checked. The pseudo-header takes the header's destination address, also when a "
        "source-route option names another final destination (Click takes that one).\n"
        "\n"
        "A packet without a whole IPv4 header, or whose segment is shorter than a TCP header or "
        "longer than the packet, is dropped as \"bad lengths\" (Click also prints a line for "
        "each; nb counts them in drop_reasons).\n"
        "\n"
        "Input 0 (push): TCP-in-IP packets. Output 0 (push): the packets with their checksum set.",
    .example = "FromDump(in.pcap) -> MarkIPHeader(14) -> SetTCPChecksum -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(SetTCPChecksum::spec);

}  // namespace nb::elements

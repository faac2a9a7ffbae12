#include "set_ip_checksum.hpp"

#include <cstddef>

namespace nb::elements {

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(SetIPChecksum);

constinit const ElementSpec SetIPChecksum::spec{
    .class_name = "SetIPChecksum",
    .ports = "1/1",
    .params = {},
    .brief = "sets IP header checksums",
    .description =
        "Computes each packet's IP header checksum from scratch, options included, and writes it "
        "into the header; nothing else changes. Use it after an element that rewrote the header "
        "without updating the checksum. The IP header is the one CheckIPHeader or MarkIPHeader "
        "marked; a packet that no element marked is taken to start with its IP header.\n"
        "\n"
        "A packet without a whole IPv4 header there (fewer than 20 bytes, a header length below "
        "20, or a header running past the packet's end) is dropped for bad lengths, as Click "
        "drops it.\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): the same packets with correct header "
        "checksums.",
    .example = "FromDump(in.pcap) -> MarkIPHeader(14) -> SetIPChecksum -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(SetIPChecksum::spec);

}  // namespace nb::elements

#include "unstrip_ip_header.hpp"

namespace nb::elements {

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(UnstripIPHeader);

constinit const ElementSpec UnstripIPHeader::spec{
    .class_name = "UnstripIPHeader",
    .ports = "1/1",
    .params = {},
    .brief = "puts back the IP header that StripIPHeader removed",
    .description =
        "Moves each packet's data start back to its IP header when an earlier element (usually "
        "StripIPHeader, or Strip) moved it past the header that CheckIPHeader or MarkIPHeader "
        "marked, so that the packet starts with its IP header again and the header is marked at "
        "offset 0. Other packets pass unchanged: those whose mark is at or after the data start, "
        "and those no element marked.\n"
        "\n"
        "The header's bytes are the ones still in the buffer's headroom. A copy (Tee, "
        "PaintTee) gets the original's headroom bytes and its mark, as Click's clone shares "
        "them, so either may put the header back.\n"
        "\n"
        "Input 0 (push): packets whose IP header was stripped. Output 0 (push): the same "
        "packets, starting with their IP header.",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> StripIPHeader -> UnstripIPHeader\n"
        "  -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(UnstripIPHeader::spec);

}  // namespace nb::elements

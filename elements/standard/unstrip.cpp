#include "unstrip.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"LENGTH", ParamType::Unsigned, ParamKind::Positional, true, "",
     "The number of bytes to add back at the front of each packet, at most 65535.", 0, 65535},
};


}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(Unstrip);

constinit const ElementSpec Unstrip::spec{
    .class_name = "Unstrip",
    .ports = "1/1",
    .params = kParams,
    .brief = "puts stripped bytes back on the front of packets",
    .description =
        "Extends each packet by LENGTH bytes at the front, undoing Strip(LENGTH): the bytes a "
        "previous Strip removed reappear with their old contents.\n"
        "\n"
        "A packet with fewer than LENGTH bytes of headroom is dropped; Click would copy it into a larger buffer. The IP header annotation keeps "
        "marking the same bytes, now LENGTH bytes further from the front.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the packets, LENGTH bytes longer.",
    .example = "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14) -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(Unstrip::spec);

}  // namespace nb::elements

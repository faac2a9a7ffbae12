#include "strip.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"LENGTH", ParamType::Unsigned, ParamKind::Positional, true, "",
     "The number of bytes to remove from the front of each packet, at most 65535.", 0, 65535},
};


}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(Strip);

constinit const ElementSpec Strip::spec{
    .class_name = "Strip",
    .ports = "1/1",
    .params = kParams,
    .brief = "strips bytes from the front of packets",
    .description =
        "Removes the first LENGTH bytes of each packet, typically a link-layer header. The bytes "
        "stay in the packet's headroom, so Unstrip(LENGTH) puts them back unchanged.\n"
        "\n"
        "A packet shorter than LENGTH bytes is dropped; Click would pass it on "
        "empty. The IP header annotation set by CheckIPHeader keeps marking the same "
        "bytes, now LENGTH bytes nearer the front; if they were stripped, it is cleared.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the packets, LENGTH bytes shorter.",
    .example = "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14) -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(Strip::spec);

}  // namespace nb::elements

#include "paint.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"COLOR", ParamType::Unsigned, ParamKind::Positional, true, "", "The color to store, from 0 to 255.", 0, 255},
    {"ANNO", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "Byte offset of the one-byte annotation to set, from 0 to 15. 0, the default, is the paint "
     "annotation; 1 to 15 are the user annotation bytes.",
     0, 15},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(Paint);

constinit const ElementSpec Paint::spec{
    .class_name = "Paint",
    .ports = "1/1",
    .params = kParams,
    .brief = "sets packets' paint annotation",
    .description =
        "Stores COLOR in each packet's paint annotation (or in the one-byte annotation at offset "
        "ANNO) and passes the packet on. Later elements can tell packets apart by the color, for "
        "example which input they came from.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the same packets, painted.",
    .example = "FromDump(in.pcap) -> Paint(2) -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(Paint::spec);

}  // namespace nb::elements

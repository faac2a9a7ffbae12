#include "align.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"MODULUS", ParamType::Unsigned, ParamKind::Positional, true, "", "2, 4 or 8, as in Click; checked, then unused.",
     0, 8},
    {"OFFSET", ParamType::Unsigned, ParamKind::Positional, true, "",
     "Below MODULUS, as in Click; checked, then unused.", 0, 7},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(Align);

constinit const ElementSpec Align::spec{
    .class_name = "Align",
    .ports = "1/1",
    .params = kParams,
    .brief = "passes packets unchanged: nb needs no data alignment",
    .description =
        "Click's Align moves packet data so that it starts OFFSET bytes past a MODULUS-byte "
        "boundary, because Click's elements read header fields through aligned pointers. nb's "
        "elements read and write packet fields through byte-wise, length-checked header views "
        "(nb/headers.hpp), which work at any alignment, so Align has nothing to do: it checks its "
        "arguments as Click does (MODULUS 2, 4 or 8; OFFSET below it) and passes every packet "
        "unchanged. It exists so that configurations from click-align run as they are.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the same packets.",
    .example = "FromDump(in.pcap) -> Align(4, 2) -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(Align::spec);

}  // namespace nb::elements

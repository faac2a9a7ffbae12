#include "check_paint.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"COLOR", ParamType::Unsigned, ParamKind::Positional, true, "", "The color to look for, from 0 to 255.", 0, 255},
    {"ANNO", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "Byte offset of the one-byte annotation to compare, from 0 to 15. 0, the default, is the paint "
     "annotation; 1 to 15 are the user annotation bytes (as Paint's ANNO).",
     0, 15},
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(CheckPaint);

constinit const ElementSpec CheckPaint::spec{
    .class_name = "CheckPaint",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "checks packets' paint annotation",
    .description =
        "Sends packets whose paint annotation (or the one-byte annotation at offset ANNO) equals "
        "COLOR to output 0. The others go to output 1 when it is connected, else they are "
        "dropped. Packets are not changed.\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): packets of color COLOR. Output 1 (push, "
        "optional): packets of any other color.",
    .example =
        "cp :: CheckPaint(2);\n"
        "FromDump(in.pcap) -> Paint(2) -> cp -> ToDump(out.pcap);\n"
        "cp[1] -> Discard;\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(CheckPaint::spec);

}  // namespace nb::elements

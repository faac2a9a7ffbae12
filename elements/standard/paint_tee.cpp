#include "paint_tee.hpp"

#include <cstddef>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"COLOR", ParamType::Unsigned, ParamKind::Positional, true, "", "The color to copy, from 0 to 255.", 0, 255},
    {"ANNO", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "Byte offset of the one-byte annotation to compare, from 0 to 15. 0, the default, is the paint "
     "annotation; 1 to 15 are the user annotation bytes (as Paint's ANNO).",
     0, 15},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(PaintTee, copies, "copies of packets of color COLOR sent to output 1"),
    NB_COUNTER(PaintTee, copy_failures, "copies not made: no free buffer; output 1 missed the packet"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(PaintTee);

constinit const ElementSpec PaintTee::spec{
    .class_name = "PaintTee",
    .ports = "1/2",
    .params = kParams,
    .brief = "copies packets of one paint color to a second output",
    .description =
        "Sends every packet to output 0. A packet whose paint annotation (or the one-byte "
        "annotation at offset ANNO) equals COLOR is also copied to output 1, for example to "
        "notice packets that leave on the interface they came in on. The copy is deep and goes "
        "out first; when no buffer is free for it, output 1 misses the packet.\n"
        "\n"
        "The sum of copies and copy_failures is the element's `generated` in the statistics (a "
        "failed copy is also a `no buffers` drop).\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): every packet. Output 1 (push): a copy of "
        "each packet of color COLOR.",
    .example =
        "pt :: PaintTee(1);\n"
        "FromDump(in.pcap) -> Paint(1) -> pt -> ToDump(out.pcap);\n"
        "pt[1] -> Counter -> Discard;\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .copies_packets = true,
};

NB_REGISTER_ELEMENT(PaintTee::spec);

}  // namespace nb::elements

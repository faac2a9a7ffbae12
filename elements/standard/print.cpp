#include "print.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"LABEL", ParamType::String, ParamKind::Positional, false, "",
     "Text at the start of each line, followed by \": \" (nothing when empty)."},
    {"MAXLENGTH", ParamType::Integer, ParamKind::Positional, false, "24",
     "The most bytes of each packet printed; negative prints the whole packet.", INT32_MIN, INT32_MAX},
    {"CONTENTS", ParamType::String, ParamKind::Keyword, false, "HEX",
     "How the bytes are printed: HEX (groups of four bytes), ASCII (groups of eight characters, "
     "'.' for what is not printable) or NONE (only the length); true is HEX, false NONE.",
     INT64_MIN, UINT64_MAX, &print_line::validate_contents},
    {"TIMESTAMP", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Click prints each packet's arrival time with true; nb keeps no timestamps with its packets "
     "and refuses true."},
    {"PRINTANNO", ParamType::Bool, ParamKind::Keyword, false, "false",
     "true: prints the packet's annotation bytes (nb's 24: network offset, paint, user bytes, "
     "destination address; the destination IPv6 address is the last 16) in hex after the length."},
    {"HEADROOM", ParamType::Bool, ParamKind::Keyword, false, "false",
     "true: prints the packet's headroom and tailroom after its length, as \"(hHEADROOM tTAILROOM)\"."},
    {"ACTIVE", ParamType::Bool, ParamKind::Keyword, false, "true",
     "false: prints nothing until the active handler is written true."},
};

constexpr HandlerSpec kHandlers[] = {
    print_line::active_handler<Print>(),
};

}  // namespace

NB_ELEMENT_KERNEL(Print);

constinit const ElementSpec Print::spec{
    .class_name = "Print",
    .ports = "1/1",
    .params = kParams,
    .brief = "prints each packet's length and leading bytes to stderr",
    .description =
        "Writes one line per packet to nbrun's standard error, as Click's Print does: LABEL and "
        "\": \" (when LABEL is not empty), the packet's length right-aligned in four columns, and "
        "\" | \" followed by its first MAXLENGTH bytes in hex, in groups of four:\n"
        "\n"
        "    in:   60 | 00000000 00020000 00000001 08004500 002e0000 40004011\n"
        "\n"
        "Lines are not rate-limited (unlike element messages): every packet prints one, so keep "
        "Print off paths that carry much traffic, or switch it off with the active handler. With "
        "several workers each prints the packets it runs and their lines interleave. A line longer "
        "than 1 KB (a large MAXLENGTH) is written in pieces, which another worker's line may split. "
        "The packet is not changed.\n"
        "\n"
        "Input 0: any packets. Output 0: the same packets.",
    .example = "FromDump(in.pcap) -> Print(in, 32) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(Print::spec);

}  // namespace nb::elements

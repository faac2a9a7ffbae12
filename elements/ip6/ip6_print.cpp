#include "ip6_print.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"LABEL", ParamType::String, ParamKind::Positional, false, "",
     "Text at the start of each line, followed by \": \" (nothing when empty)."},
    {"NBYTES", ParamType::Unsigned, ParamKind::Keyword, false, "1500",
     "The most bytes CONTENTS prints, from the packet's start.", 0, 65535},
    {"CONTENTS", ParamType::Bool, ParamKind::Keyword, false, "false",
     "true: prints the packet's first NBYTES bytes in hex after the line, 24 a line in groups of four."},
};

}  // namespace

NB_ELEMENT_KERNEL(IP6Print);

constinit const ElementSpec IP6Print::spec{
    .class_name = "IP6Print",
    .ports = "1/1",
    .params = kParams,
    .brief = "prints a line per IPv6 packet to stderr",
    .description =
        "Writes one line per packet to nbrun's standard error, in Click's IP6Print format: LABEL "
        "and \": \", then the IPv6 header's addresses, payload length, next header and hop limit:\n"
        "\n"
        "    v6: 2001:db8::1 -> 2001:db8::2 plen 16, next 17, hlim 64\n"
        "\n"
        "The IPv6 header is where the network header annotation says (CheckIP6Header or "
        "MarkIPHeader set it), or at the packet's start when none did (Click reads a null "
        "header then); a packet too short for the header prints \"truncated-ip6\". With CONTENTS "
        "true the packet's first NBYTES bytes follow, from the packet's start (not the IPv6 "
        "header), in hex on lines of their own. Lines are not rate-limited, and with several "
        "workers each prints the packets it runs. The packet is not changed.\n"
        "\n"
        "Input 0 (push): IPv6 packets. Output 0 (push): the same packets.",
    .example = "FromDump(in.pcap) -> Strip(14) -> CheckIP6Header -> IP6Print(v6, CONTENTS true) -> Discard;\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(IP6Print::spec);

}  // namespace nb::elements

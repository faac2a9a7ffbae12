#include "to_dump.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"FILENAME", ParamType::Filename, ParamKind::Positional, true, "",
     "The pcap (tcpdump) file to write. An existing file is replaced."},
    {"SNAPLEN", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "Write at most SNAPLEN bytes of each packet; the record still states the packet's full "
     "length. 0 writes whole packets. Click's default is 2000; nb's is 0."},
};

}  // namespace

constinit const ElementSpec ToDump::spec{
    .class_name = "ToDump",
    .ports = "1/0",
    .params = kParams,
    .brief = "writes packets to a pcap file",
    .description =
        "Writes every packet that arrives on its input to FILENAME as a pcap (tcpdump) record, "
        "then frees the packet. The file can be read back with FromDump, tcpdump or Wireshark.\n"
        "\n"
        "Input 0 (push): the packets to record, each starting at its link-layer (Ethernet) "
        "header.",
    .example = "FromDevice(0) -> ToDump(capture.pcap, SNAPLEN 128);\n",
    .ops = &kSinkOps,
};

NB_REGISTER_ELEMENT(ToDump::spec);

}  // namespace nb::elements

#include "protocol_translator.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"MAPPED", ParamType::Bool, ParamKind::Keyword, false, "true",
     "As ProtocolTranslator46's: IPv4-mapped (true) or IPv4-compatible (false) addresses for "
     "the IPv6 packets made from IPv4 ones. An nb addition."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ProtocolTranslator, translated64, "IPv6 packets translated to IPv4 (input 0 to output 0)"),
    NB_COUNTER(ProtocolTranslator, translated46, "IPv4 packets translated to IPv6 (input 1 to output 1)"),
};

}  // namespace

bool ProtocolTranslator::configure(const Args& args, Config& config, std::string&) {
  config.mapped = args.get_bool("MAPPED");
  return true;
}

NB_ELEMENT_KERNEL(ProtocolTranslator);

constinit const ElementSpec ProtocolTranslator::spec{
    .class_name = "ProtocolTranslator",
    .ports = "2/2",
    .params = kParams,
    .brief = "translates IPv6 packets into IPv4 ones and back (SIIT), both ways in one element",
    .description =
        "Click's first GNAT translator, which Click replaced in February 2001 by "
        "ProtocolTranslator64 and ProtocolTranslator46 (Click no longer has it, but its "
        "conf/gnat01.click and gnat02.click use it). Packets on input 0 are translated as "
        "ProtocolTranslator64 does and leave on output 0; packets on input 1 are translated as "
        "ProtocolTranslator46 does and leave on output 1. The drop reasons are theirs.\n"
        "\n"
        "Input 0 (push): IPv6 packets. Input 1 (push): IPv4 packets. Output 0 (push): IPv4 "
        "packets. Output 1 (push): IPv6 packets.",
    .example =
        "FromDump(v6.pcap) -> Strip(14) -> CheckIP6Header -> [0] pt :: ProtocolTranslator;\n"
        "FromDump(v4.pcap) -> Strip(14) -> CheckIPHeader -> [1] pt;\n"
        "pt[0] -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump(v4out.pcap);\n"
        "pt[1] -> EtherEncap(0x86dd, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump(v6out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .flow_code = "#/#",  // input i leaves by output i alone (Click's flow code)
};

NB_REGISTER_ELEMENT(ProtocolTranslator::spec);

}  // namespace nb::elements

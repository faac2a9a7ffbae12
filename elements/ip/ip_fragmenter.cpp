#include "ip_fragmenter.hpp"

#include <string>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"MTU", ParamType::Unsigned, ParamKind::Positional, true, "",
     "The largest IP datagram (header included) sent whole, in bytes; at least 8.", 8, 65535},
    {"HONOR_DF", ParamType::Bool, ParamKind::Positional, false, "true",
     "Whether a packet with the don't-fragment flag goes to output 1; false fragments it anyway."},
    {"VERBOSE", ParamType::Bool, ParamKind::Positional, false, "false",
     "Whether every DF packet is reported on stderr (otherwise the first 5)."},
    {"HEADROOM", ParamType::Unsigned, ParamKind::Keyword, false, "",
     "The headroom the fragments need: every fragment has at least the mempool's 128 bytes, so "
     "up to 128 is always met and more is refused.",
     0, IPFragmenter::kMaxHeadroom},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IPFragmenter, fragments, "fragments sent"),
    NB_COUNTER(IPFragmenter, df_packets, "packets too long with DF set, sent to output 1 or dropped (Click's `drops`)"),
};

}  // namespace

bool IPFragmenter::configure(const Args& args, Config& config, std::string&) {
  config.mtu = static_cast<std::uint32_t>(args.get_unsigned("MTU"));
  config.honor_df = args.get_bool("HONOR_DF");
  config.verbose = args.get_bool("VERBOSE");
  return true;
}

NB_ELEMENT_KERNEL(IPFragmenter);

constinit const ElementSpec IPFragmenter::spec{
    .class_name = "IPFragmenter",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "fragments IPv4 packets longer than MTU",
    .description =
        "A packet whose IP datagram (from the IP header, at the network offset annotation or 0, to "
        "the packet's end) is at most MTU bytes goes to output 0 unchanged. A longer one is split "
        "into fragments (RFC 791), sent to output 0 in order: each at most MTU bytes, all data "
        "lengths but the last's multiples of 8, the fragment offsets and more-fragments flags set "
        "(a fragment of a fragment keeps its place and MF), the header checksum of each computed. "
        "The first fragment keeps the whole IP header with all its options and whatever precedes "
        "the header (an Ethernet header); the others start with the IP header, carry only the "
        "options whose copied flag is set (RFC 791), padded to a multiple of 4 bytes, and get "
        "their network offset annotation 0. Every fragment keeps the packet's annotations.\n"
        "\n"
        "A packet with the don't-fragment flag (unless HONOR_DF is false), or one whose header "
        "leaves room for fewer than 8 data bytes, goes to output 1 unchanged - usually to "
        "ICMPError(ADDR, unreachable, needfrag) - or is dropped when output 1 is not connected. "
        "With HONOR_DF false, DF is cleared and the identification replaced, as Click does. A "
        "packet that would need more than 64 fragments is dropped (\"too many fragments\"); so is "
        "a long one without a complete IPv4 header, or whose total length passes its end.\n"
        "\n"
        "All fragments but the last are copies from the run's mempool (a copy that finds it empty "
        "is counted as dropped, \"no buffers\"); the last is the packet itself.\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): packets and fragments. Output 1 (push, "
        "optional): DF packets too long for MTU.",
    .example =
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> fr :: IPFragmenter(576) -> ToDump(out.pcap);\n"
        "fr [1] -> ICMPError(10.0.0.1, unreachable, needfrag) -> ToDump(errors.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(IPFragmenter::spec);

}  // namespace nb::elements

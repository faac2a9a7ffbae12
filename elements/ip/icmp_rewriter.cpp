#include "icmp_rewriter.hpp"

#include "ip_text.hpp"

#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"MAPS", ParamType::String, ParamKind::Positional, true, "",
     "The rewriters whose mappings translate the errors, by element name, separated by spaces "
     "(`rw irw`): IPRewriter, TCPRewriter or ICMPPingRewriter elements, looked up in the order given."},
    {"DST_ANNO", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Whether a rewritten error's destination address annotation is set to its new destination."},
};

constexpr PeerParam kPeers[] = {
    {"MAPS", "ip_rewriter", "an IP rewriter (IPRewriter, TCPRewriter or ICMPPingRewriter)"},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ICMPRewriter, rewritten, "ICMP errors rewritten by a mapping"),
    NB_COUNTER(ICMPRewriter, unmapped, "ICMP packets no mapping matched, or that are no error"),
};

}  // namespace

bool ICMPRewriter::configure(const Args& args, Config& config, std::string& error) {
  const std::size_t n = ip_text::words(args.get_string("MAPS")).size();
  if (n == 0 || n > kMaxMaps) {
    error = "MAPS names 1 to " + std::to_string(kMaxMaps) + " rewriters, got " + std::to_string(n);
    return false;
  }
  config.nmaps = static_cast<std::uint32_t>(n);
  config.dst_anno = args.get_bool("DST_ANNO");
  return true;
}

NB_ELEMENT_KERNEL(ICMPRewriter);

constinit const ElementSpec ICMPRewriter::spec{
    .class_name = "ICMPRewriter",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "rewrites ICMP errors about rewritten packets by the named rewriters' mappings",
    .description =
        "Click's ICMPRewriter: lets ICMP errors (destination unreachable, time exceeded, parameter "
        "problem, source quench, redirect) through a NAT. An error quotes the header of the packet "
        "that caused it; when that packet was rewritten by one of the rewriters MAPS names, the "
        "error is addressed to the rewritten address and quotes the rewritten tuple. ICMPRewriter "
        "looks the quoted flow (TCP or UDP ports, or an ICMP echo's identifier) up in the mapping "
        "tables of those rewriters, in order, and rewrites the error as if it answered the original "
        "packet: the outer destination (when it is the rewritten address; DST_ANNO also sets the "
        "destination annotation), the quoted source, destination and ports or identifier, and every "
        "checksum they touch (the outer IP and ICMP checksums, the quoted IP checksum, the quoted "
        "TCP, UDP or echo checksum when quoted), incrementally. It leaves on output 0.\n"
        "\n"
        "An ICMP packet that is no such error, or whose quoted flow no rewriter knows, leaves on "
        "output 1 when there is one, otherwise it is dropped (\"unmapped\"); anything that is not "
        "ICMP is dropped (\"not ICMP\"). A lookup removes a mapping found idle past its timeout, "
        "as the rewriter's own would, and does not refresh it.\n"
        "\n"
        "The rewriters are bound when the configuration is checked (a name that is no element, or "
        "no IPRewriter, TCPRewriter or ICMPPingRewriter, is an error) and their tables are read on "
        "the same worker core: with several workers, an error is rewritten when the worker it "
        "arrives on holds the mapping. Click's `NAME:OFFSET` port offsets and REPLY_ANNO are not "
        "taken. Packets start at the IP header annotation (CheckIPHeader), or at offset 0.",
    .example =
        "rw :: IPRewriter(pattern 192.0.2.1 50000-59999# - - 0 1, drop);\n"
        "irw :: ICMPPingRewriter(192.0.2.1, -);\n"
        "FromDump(inside.pcap) -> Strip(14) -> CheckIPHeader -> [0] rw;\n"
        "Idle -> [1] rw;\n"
        "Idle -> irw;\n"
        "rw [0] -> Unstrip(14) -> ToDump(out.pcap);\n"
        "rw [1] -> Discard;\n"
        "irw [0] -> Discard;\n"
        "irw [1] -> Discard;\n"
        "FromDump(errors.pcap) -> Strip(14) -> CheckIPHeader -> ierw :: ICMPRewriter(rw irw);\n"
        "ierw [0] -> Unstrip(14) -> ToDump(to_inside.pcap);\n"
        "ierw [1] -> Discard;\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .peers = kPeers,
};

NB_REGISTER_ELEMENT(ICMPRewriter::spec);

}  // namespace nb::elements

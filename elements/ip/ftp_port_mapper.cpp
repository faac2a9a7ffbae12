#include "ftp_port_mapper.hpp"

#include "ip_text.hpp"

#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"CONTROL_REWRITER", ParamType::String, ParamKind::Positional, true, "",
     "The TCPRewriter, by element name, that the FTP control packets pass through after this "
     "element: its mapping of the control connection gets the sequence-number deltas."},
    {"DATA_REWRITER", ParamType::String, ParamKind::Positional, true, "",
     "The IPRewriter or TCPRewriter, by element name, that the FTP data connections pass through: "
     "the mapping of each data connection a PORT command announces is made there (it may be "
     "CONTROL_REWRITER itself)."},
    {"DATA_REWRITER_INPUT", ParamType::Unsigned, ParamKind::Positional, true, "",
     "The input of DATA_REWRITER whose input spec (a `pattern` or `keep`) makes the data "
     "connections' mappings, as if their first packet had arrived there.",
     0, IPRewriter::kMaxSpecs - 1},
};

constexpr PeerParam kPeers[] = {
    {"CONTROL_REWRITER", "ip_rewriter", "a TCPRewriter (Click's FTPPortMapper wants one)", "TCPRewriter"},
    {"DATA_REWRITER", "ip_rewriter", "an IPRewriter or a TCPRewriter", "IPRewriter TCPRewriter"},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(FTPPortMapper, rewritten, "PORT commands rewritten to the data connection's mapped address and port"),
    NB_COUNTER(FTPPortMapper, malformed,
               "commands starting \"PORT \" left unchanged: no six numbers 0-255 ending in CR or LF in "
               "the packet (malformed, or split across packets)"),
    NB_COUNTER(FTPPortMapper, unmapped,
               "PORT commands left unchanged: CONTROL_REWRITER has no mapping for their connection"),
    NB_COUNTER(FTPPortMapper, no_data_map,
               "PORT commands left unchanged: DATA_REWRITER made no mapping (its input spec is no pattern, "
               "no free port, table full)"),
    NB_COUNTER(FTPPortMapper, no_room, "PORT commands left unchanged: the packet had no room to grow"),
};

}  // namespace

bool FTPPortMapper::configure(const Args& args, Config& config, std::string& error) {
  for (const char* name : {"CONTROL_REWRITER", "DATA_REWRITER"}) {
    if (ip_text::words(args.get_string(name)).size() != 1) {
      error = std::string(name) + " names one element, got '" + args.get_string(name) + "'";
      return false;
    }
  }
  config.data_input = static_cast<std::uint32_t>(args.get_unsigned("DATA_REWRITER_INPUT"));
  return true;
}

NB_ELEMENT_KERNEL(FTPPortMapper);

constinit const ElementSpec FTPPortMapper::spec{
    .class_name = "FTPPortMapper",
    .ports = "1/1",
    .params = kParams,
    .brief = "rewrites FTP PORT commands for a NAT and makes their data connections' mappings",
    .description =
        "Click's FTPPortMapper: lets active-mode FTP through a NAT made of rewriters. It takes the "
        "packets of FTP control connections (TCP to port 21, say) before CONTROL_REWRITER, a "
        "TCPRewriter, translates them, and sends every packet on to output 0, which must lead to "
        "CONTROL_REWRITER. A packet whose TCP payload starts with a PORT command (`PORT "
        "h1,h2,h3,h4,p1,p2` then CR or LF, \"PORT\" in any case) announces a data connection from "
        "the client's h1.h2.h3.h4 port p1*256+p2 to the server's data port, taken as the control "
        "connection's destination port less one (20 for 21), as Click does. FTPPortMapper then:\n"
        "\n"
        "- makes that data connection's mapping in DATA_REWRITER by the input spec of its input "
        "DATA_REWRITER_INPUT, as if the connection's first packet had arrived there (or finds the "
        "mapping a repeated command made), so that the server's connection to the mapped address "
        "and port, and the client's replies, are translated;\n"
        "- writes the mapped address and port into the command in place of the client's; the "
        "payload grows or shrinks with the numbers' digits, and the IP total length, the IP "
        "checksum and the TCP checksum are set anew;\n"
        "- records the change of length in CONTROL_REWRITER's mapping of the control connection, "
        "so that it shifts the sequence numbers of the connection's later packets in this "
        "direction, and the acknowledgements (and SACK blocks) of the other direction back "
        "(TCPRewriter's sequence-number deltas; a retransmission of an earlier segment keeps the "
        "delta of its time). The packet's own addresses and ports are left to CONTROL_REWRITER.\n"
        "\n"
        "The command must be the first in the packet and whole in it. A command that starts with "
        "\"PORT \" but is not six numbers 0 to 255 separated by commas and ending in CR or LF in "
        "this packet (malformed, or split across packets) is passed unchanged (counter "
        "malformed); so is one of a control connection CONTROL_REWRITER has no mapping for "
        "(unmapped), one whose data mapping DATA_REWRITER cannot make (no_data_map: the spec is "
        "`pass` or `drop`, no free port, table full), and one in a packet with no room to grow "
        "(no_room). Other packets pass unchanged. Packets start at the IP header annotation "
        "(CheckIPHeader), or at offset 0.\n"
        "\n"
        "The rewriters are bound when the configuration is checked: CONTROL_REWRITER must name a "
        "TCPRewriter, DATA_REWRITER an IPRewriter or TCPRewriter (they may be the same), each by "
        "one element name. Their tables are reached on the worker the packet runs on: with "
        "several workers a control connection's PORT commands make their data mappings on its "
        "own worker, whose port choice steers the server's connection back there, but the "
        "client's packets of the data connection reach that worker only when the runtime's flow "
        "hash of their tuple sends them there (docs/multicore.md); active-mode FTP through "
        "several workers is therefore not reliable. Differences from Click: a number must have a "
        "digit (Click took an empty one as 0); Click's warning when CONTROL_REWRITER is not "
        "downstream is not given; DATA_REWRITER_INPUT must be an input spec DATA_REWRITER has "
        "and that makes mappings, else the commands are counted in no_data_map (Click refused the "
        "configuration for an input out of range).",
    .example =
        "IPRewriterPatterns(to_world 192.0.2.1 50000-65535 - -);\n"
        "rw :: IPRewriter(pattern to_world 0 1, drop);\n"
        "tcp_rw :: TCPRewriter(pattern to_world 0 1, drop);\n"
        "FromDump(ftp_control.pcap) -> Strip(14) -> CheckIPHeader\n"
        "    -> FTPPortMapper(tcp_rw, rw, 0) -> [0] tcp_rw;\n"
        "Idle -> [1] tcp_rw;\n"
        "Idle -> [0] rw;\n"
        "Idle -> [1] rw;\n"
        "tcp_rw [0] -> Unstrip(14) -> ToDump(to_server.pcap);\n"
        "tcp_rw [1] -> Discard;\n"
        "rw [0] -> Discard;\n"
        "rw [1] -> Discard;\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .peers = kPeers,
};

NB_REGISTER_ELEMENT(FTPPortMapper::spec);

}  // namespace nb::elements

#include "check_ip_header.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

bool validate_interfaces(std::string_view text, ParamError& error) {
  std::size_t at = 0;
  for (std::string_view w : ip_text::words(text)) {
    at = static_cast<std::size_t>(w.data() - text.data());
    std::uint32_t a = 0;
    unsigned len = 0;
    if (!ip_text::parse_prefix(w, a, len)) {
      error = {at, w.size(), "expected an address with its prefix, like 10.0.0.1/24", ""};
      return false;
    }
  }
  return true;
}

constexpr ParamSpec kParams[] = {
    {"OFFSET", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "The byte offset at which the IP header starts, e.g. 14 after an Ethernet header.", 0, 65534},
    {"BADSRC", ParamType::IPv4AddressList, ParamKind::Keyword, false, "",
     "A space-separated list of at most 16 IPv4 addresses. Packets whose source address is on "
     "it are bad. Default is empty."},
    {"INTERFACES", ParamType::String, ParamKind::Keyword, false, "",
     "The router's interface addresses with their prefixes (10.0.0.1/24 ...), as Click's: each "
     "subnet's broadcast address, 0.0.0.0 and 255.255.255.255 become bad sources, except for "
     "packets to one of the addresses (RFC 1812 5.3.7).",
     INT64_MIN, UINT64_MAX, &validate_interfaces},
    {"GOODDST", ParamType::IPv4AddressList, ParamKind::Keyword, false, "",
     "Destination addresses exempt from the bad-source check (BADSRC and INTERFACES)."},
    {"CHECKSUM", ParamType::Bool, ParamKind::Keyword, false, "true", "Check the IP header checksum."},
    {"VERBOSE", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Print a message on nbrun's standard error for every bad packet, naming the element and "
     "the reason (\"chk: IP header check failed: bad checksum\"), whether the packet is dropped "
     "or sent to output 1. At most 10 messages a second are printed (the rest are counted, and "
     "their number is printed with the next message and at the end), so a flood of bad packets "
     "cannot drown standard error. Without it, bad packets are only counted, per reason."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(CheckIPHeader, bad, "bad packets, dropped or sent to output 1"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(CheckIPHeader);

constinit const ElementSpec CheckIPHeader::spec{
    .class_name = "CheckIPHeader",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "checks IP headers",
    .description =
        "Checks that each packet holds a valid IPv4 header starting OFFSET bytes in, and marks "
        "where that header is for later IP elements such as DecIPTTL. Packets longer than the "
        "header's total length (Ethernet padding) are trimmed to it.\n"
        "\n"
        "A packet is bad for one of these reasons, checked in this order: too short (fewer than "
        "20 bytes from OFFSET on), bad version (not 4), bad header length (shorter than 20 "
        "bytes, or longer than the packet), bad total length (shorter than the header, or longer "
        "than the packet), bad checksum (only checked when CHECKSUM is true) or bad source (its "
        "source address is on the BADSRC list, or is a broadcast address of INTERFACES, and its "
        "destination is not on GOODDST nor one of INTERFACES' addresses). These are also the drop "
        "reasons. The counter bad counts every bad packet, dropped or not. With VERBOSE true, each bad packet is also "
        "reported on standard error (rate-limited; see VERBOSE). Click prints the first bad "
        "packet even without VERBOSE; nb stays silent and counts.\n"
        "\n"
        "Under the JIT, a CheckIPHeader whose checks the graph already made (an earlier one with the "
        "same OFFSET, at least its CHECKSUM and BADSRC, and only elements in between that keep those "
        "facts, such as DecIPTTL) is left out: `nbc ir --stats` lists it, and its bad, drops and "
        "drop_reasons handlers read 0, which is what it would count (docs/facts.md).\n"
        "\n"
        "Input 0 (push): packets with an IPv4 header at OFFSET. Output 0 (push): the valid "
        "packets. Output 1 (push, optional): the bad packets, unchanged. When output 1 is not "
        "connected, bad packets are dropped and counted by the drops handler.\n"
        "\n"
        "Compatibility: as in Click, a single positional argument is OFFSET, so CheckIPHeader(14) "
        "checks headers after an Ethernet header. Click's old two-argument form "
        "CheckIPHeader(BADSRC, OFFSET) is not supported; give the addresses by keyword instead: "
        "CheckIPHeader(14, BADSRC 10.0.0.255 10.255.255.255).",
    .example =
        "chk :: CheckIPHeader(14);\n"
        "FromDump(in.pcap) -> chk -> ToDump(good.pcap);\n"
        "chk[1] -> ToDump(bad.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(CheckIPHeader::spec);

}  // namespace nb::elements

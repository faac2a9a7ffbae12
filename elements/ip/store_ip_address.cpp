#include "store_ip_address.hpp"

#include "ip_text.hpp"

#include <cctype>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool validate_offset(std::string_view text, ParamError& error) {
  std::uint32_t o = 0;
  if (StoreIPAddress::parse_offset(text, o)) return true;
  error = {0, text.size() ? text.size() : 1, "expected a byte offset, src or dst", ""};
  return false;
}

// The first argument: the address of the two-argument form, or the one-argument form's OFFSET.
bool validate_addr(std::string_view text, ParamError& error) {
  std::uint32_t v = 0;
  if (ip_text::parse_ipv4(text, v) || StoreIPAddress::parse_offset(text, v)) return true;
  error = {0, text.size() ? text.size() : 1, "expected an IPv4 address (or, alone, an OFFSET)", ""};
  return false;
}

constexpr ParamSpec kParams[] = {
    {"ADDR", ParamType::String, ParamKind::Positional, true, "",
     "The address to store (an IPv4 address or an AddressInfo name). Given alone, it is the OFFSET of "
     "Click's one-argument form, and the destination IP annotation is stored.",
     INT64_MIN, UINT64_MAX, &validate_addr},
    {"OFFSET", ParamType::String, ParamKind::Positional, false, "",
     "Where: a byte offset from the data start, or src or dst for the IP header's fields (checksums "
     "updated).",
     INT64_MIN, UINT64_MAX, &validate_offset},
};

}  // namespace

bool StoreIPAddress::parse_offset(std::string_view text, std::uint32_t& offset) {
  const std::string t = lower(text);
  if (t == "src") return offset = kSrc, true;
  if (t == "dst") return offset = kDst, true;
  std::uint64_t v = 0;
  if (!ip_text::parse_uint(t, 0xffff, v)) return false;
  offset = static_cast<std::uint32_t>(v);
  return true;
}

bool StoreIPAddress::configure(const Args& args, Config& config, std::string& error) {
  const std::string first = args.get_string("ADDR");
  config.use_address = args.given("OFFSET");
  const std::string offset = config.use_address ? args.get_string("OFFSET") : first;
  if (!parse_offset(offset, config.offset)) {
    error = "OFFSET must be a byte offset, src or dst, not '" + offset + "'";
    return false;
  }
  if (config.use_address && !ip_text::parse_ipv4(first, config.addr)) {
    error = "ADDR must be an IPv4 address, not '" + first + "'";
    return false;
  }
  return true;
}

NB_ELEMENT_KERNEL(StoreIPAddress);

constinit const ElementSpec StoreIPAddress::spec{
    .class_name = "StoreIPAddress",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "stores an IPv4 address in packets",
    .description =
        "StoreIPAddress(ADDR, OFFSET) writes ADDR into each packet at byte OFFSET; "
        "StoreIPAddress(OFFSET) writes the destination IP annotation there instead, and leaves a "
        "packet whose annotation is 0 unchanged (as Click's documentation says). With a numeric "
        "OFFSET no checksum changes: follow it with SetIPChecksum (and SetTCPChecksum or "
        "SetUDPChecksum). OFFSET src or dst writes the IP header's source or destination field "
        "(the header at the network offset annotation, else at 0) and updates the IP checksum, and "
        "in a first fragment the TCP checksum and a UDP checksum that is not 0, incrementally "
        "(RFC 1624).\n"
        "\n"
        "A packet too short for OFFSET + 4 bytes (or without an IP header, for src and dst) goes "
        "to output 1, or is dropped when output 1 is not connected.\n"
        "\n"
        "Input 0 (push): packets. Output 0 (push): the packets, changed. Output 1 (push, "
        "optional): the packets that could not be changed.",
    .example = "FromDump(in.pcap) -> Strip(14) -> StoreIPAddress(192.0.2.1, src) -> ToDump(out.pcap);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(StoreIPAddress::spec);

}  // namespace nb::elements

#include "address_translator.hpp"

#include <cstdlib>
#include <vector>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"ARG", ParamType::String, ParamKind::Rest, true, "",
     "Click's positional arguments, whose meaning depends on the ones before: NSTATIC, then "
     "(when NSTATIC > 0) STATIC_PORTS and NSTATIC static mappings, then DYNAMIC, then (when "
     "DYNAMIC is true) DYNAMIC_PORTS, DIRECTION and the dynamic addresses. See the description."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(AddressTranslator, outward, "packets translated outward (input 0 to output 0)"),
    NB_COUNTER(AddressTranslator, inward, "packets translated inward (input 1 to output 1)"),
    NB_COUNTER(AddressTranslator, mappings, "dynamic mappings made: pool addresses bound, or ports mapped"),
};

bool parse_bool(std::string_view w, bool& out) {
  if (w == "true" || w == "yes" || w == "1" || w == "on") return out = true, true;
  if (w == "false" || w == "no" || w == "0" || w == "off") return out = false, true;
  return false;
}

bool parse_port(std::string_view w, std::uint16_t& port) {
  std::uint64_t v = 0;
  if (!ip_text::parse_uint(w, 65535, v)) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// The six 0/1 flags of Click's first argument list (before February 2001), or false.
bool parse_mask(std::string_view text, std::string& mask) {
  const auto w = ip_text::words(text);
  if (w.size() != 6) return false;
  mask.clear();
  for (std::string_view x : w) {
    if (x != "0" && x != "1") return false;
    mask += x;
  }
  return true;
}

bool parse_static(std::string_view text, bool ports, AddressTranslator::Static& e, std::string& error) {
  const auto w = ip_text::words(text);
  const std::size_t want = ports ? 4 : 2;
  const char* form = ports ? "'INNER IPORT MAPPED MPORT'" : "'INNER MAPPED'";
  if (w.size() != want) {
    error = "static mapping " + quoted(text) + " should be " + form + " (STATIC_PORTS is " +
            (ports ? "true" : "false") + ")";
    return false;
  }
  std::size_t j = 0;
  if (!ip6_text::parse_address(w[j++], e.inner) || (ports && !parse_port(w[j++], e.inner_port)) ||
      !ip6_text::parse_address(w[j++], e.mapped) || (ports && !parse_port(w[j++], e.mapped_port))) {
    error = "static mapping " + quoted(text) + " should be " + form + ": IPv6 addresses and ports 0 to 65535";
    return false;
  }
  return true;
}

bool parse_range(std::string_view text, AddressTranslator::Config& c, std::string& error) {
  const auto w = ip_text::words(text);
  if (w.size() != 3 || !ip6_text::parse_address(w[0], c.maddr) || !parse_port(w[1], c.port_lo) ||
      !parse_port(w[2], c.port_hi) || c.port_lo == 0 || c.port_lo > c.port_hi) {
    error =
        "dynamic port mapping takes 'ADDR PORTL PORTH' (an IPv6 address, then ports 1 <= PORTL <= PORTH <= "
        "65535), not " +
        quoted(text);
    return false;
  }
  return true;
}

constexpr std::string_view kOldHint =
    " (nb takes the argument lists of Click's conf/gnat01.click and gnat02.click: static mask '1 0 1 0 0 0' or "
    "'1 1 1 1 0 0', lookup fields '1 1 0 0 0 0' outward and '0 0 1 1 0 0' inward, one 'ADDR PORTL PORTH'; "
    "or write today's list: AddressTranslator(NSTATIC, ..., DYNAMIC, DYNAMIC_PORTS, DIRECTION, ADDR PORTL "
    "PORTH))";

// Click's argument list before February 2001 (conf/gnat01.click, gnat02.click): NSTATIC, a mask
// of the six fields (inner address, inner port, mapped address, mapped port, outside address,
// outside port) the static mappings give, the mappings, the fields outward and inward packets
// are matched on, DIRECTION, and address-and-port ranges whose ports are mapped in turn. nb takes
// the combinations that mean today's mappings; others are refused, never half honoured.
bool configure_old(const std::vector<std::string>& a, AddressTranslator::Config& c, std::string& error) {
  std::uint64_t n = 0;
  ip_text::parse_uint(a[0], AddressTranslator::kMaxStatic, n);  // checked by the caller
  c.nstatic = static_cast<std::uint32_t>(n);
  const std::size_t s = n == 0 ? 1 : n + 2;
  std::string mask;
  parse_mask(a[1], mask);
  if (n > 0) {
    if (mask != "101000" && mask != "111100") {
      error = "static field mask " + quoted(a[1]) + " of Click's old argument list is not one nb takes" +
              std::string(kOldHint);
      return false;
    }
    c.static_ports = mask == "111100";
    for (std::uint32_t i = 0; i < c.nstatic; ++i)
      if (i + 2 >= a.size() || !parse_static(a[i + 2], c.static_ports, c.statics[i], error)) {
        if (i + 2 >= a.size()) error = "NSTATIC is " + a[0] + " but fewer static mappings follow";
        return false;
      }
  }
  if (a.size() != s + 4) {
    error =
        "Click's old argument list has, after the static mappings, the outward and inward lookup fields, "
        "DIRECTION and one 'ADDR PORTL PORTH': " +
        std::to_string(a.size()) + " arguments given, " + std::to_string(s + 4) + " expected" + std::string(kOldHint);
    return false;
  }
  std::string out, in;
  if (!parse_mask(a[s], out) || !parse_mask(a[s + 1], in) || out != "110000" || in != "001100") {
    error = "lookup fields " + quoted(a[s]) + " and " + quoted(a[s + 1]) + " of Click's old argument list are " +
            "not ones nb takes" + std::string(kOldHint);
    return false;
  }
  bool dir = false;
  if (!parse_bool(a[s + 2], dir)) {
    error = "DIRECTION should be 0 (outward packets make mappings) or 1 (inward), not " + quoted(a[s + 2]);
    return false;
  }
  c.dynamic = c.dynamic_ports = true;
  c.inward = dir;
  c.endpoint_independent = true;
  return parse_range(a[s + 3], c, error);
}

}  // namespace

bool AddressTranslator::configure(const Args& args, Config& c, std::string& error) {
  std::vector<std::string> a;
  for (std::size_t i = 0; i < args.count("ARG"); ++i) a.push_back(args.get_string_at("ARG", i));
  std::uint64_t n = 0;
  if (a.empty() || !ip_text::parse_uint(a[0], kMaxStatic, n)) {
    error = "the first argument is the number of static mappings, 0 to " + std::to_string(kMaxStatic) +
            (a.empty() ? std::string() : ", not " + quoted(a[0]));
    return false;
  }
  std::string mask;
  if (a.size() > 1 && parse_mask(a[1], mask)) return configure_old(a, c, error);

  c.nstatic = static_cast<std::uint32_t>(n);
  std::size_t s = 1;
  if (n > 0) {
    if (a.size() < n + 2 || !parse_bool(a[1], c.static_ports)) {
      error = a.size() < n + 2 ? "NSTATIC is " + a[0] + ": STATIC_PORTS and " + a[0] + " static mappings should follow"
                               : "STATIC_PORTS should be a boolean (0 or 1), not " + quoted(a[1]);
      return false;
    }
    for (std::uint32_t i = 0; i < c.nstatic; ++i)
      if (!parse_static(a[i + 2], c.static_ports, c.statics[i], error)) return false;
    s = n + 2;
  }
  if (a.size() <= s || !parse_bool(a[s], c.dynamic)) {
    error = a.size() <= s ? "DYNAMIC (0 or 1) should follow the static mappings"
                          : "DYNAMIC should be a boolean (0 or 1), not " + quoted(a[s]);
    return false;
  }
  if (!c.dynamic) {
    if (a.size() > s + 1) {
      error = "DYNAMIC is false, so nothing should follow it: " + quoted(a[s + 1]) + " would be ignored";
      return false;
    }
    return true;
  }
  if (a.size() < s + 4 || !parse_bool(a[s + 1], c.dynamic_ports) || !parse_bool(a[s + 2], c.inward)) {
    error = a.size() < s + 4 ? "DYNAMIC is true: DYNAMIC_PORTS, DIRECTION and the dynamic addresses should follow"
                             : "DYNAMIC_PORTS and DIRECTION should be booleans (0 or 1), not " + quoted(a[s + 1]) +
                                   " and " + quoted(a[s + 2]);
    return false;
  }
  if (c.dynamic_ports) {
    if (a.size() != s + 4) {
      error = "dynamic port mapping takes one 'ADDR PORTL PORTH'; " + quoted(a[s + 4]) + " would be ignored";
      return false;
    }
    return parse_range(a[s + 3], c, error);
  }
  if (a.size() - (s + 3) > kMaxPool) {
    error = "at most " + std::to_string(kMaxPool) + " dynamic addresses";
    return false;
  }
  for (std::size_t i = s + 3; i < a.size(); ++i) {
    if (!ip6_text::parse_address(a[i], c.pool[c.npool++])) {
      error = "dynamic address mapping takes IPv6 addresses, one an argument, not " + quoted(a[i]);
      return false;
    }
  }
  return true;
}

bool AddressTranslator::setup(const Config& c, State& s, std::string& error) {
  s.table = {};
  if (!c.dynamic || !c.dynamic_ports) return true;
  const std::uint32_t capacity = std::uint32_t{c.port_hi} - c.port_lo + 1;
  std::uint32_t nslots = 16;
  while (nslots < 2 * capacity) nslots *= 2;
  s.table.mappings = static_cast<Mapping*>(std::calloc(capacity, sizeof(Mapping)));
  s.table.slots = static_cast<std::uint32_t*>(std::calloc(nslots, sizeof(std::uint32_t)));
  s.table.nslots = nslots;
  if (!s.table.mappings || !s.table.slots) {
    teardown(c, s);
    error = "no memory for " + std::to_string(capacity) + " port mappings";
    return false;
  }
  return true;
}

void AddressTranslator::teardown(const Config&, State& s) {
  std::free(s.table.mappings);
  std::free(s.table.slots);
  s.table = {};
}

NB_ELEMENT_KERNEL(AddressTranslator);

constinit const ElementSpec AddressTranslator::spec{
    .class_name = "AddressTranslator",
    .ports = "2/2",
    .params = kParams,
    .brief = "translates IPv6 addresses (and ports) statically and dynamically, for GNAT",
    .description =
        "Rewrites the source address (and port) of IPv6 packets going out and the destination "
        "address (and port) of packets coming in, as Click's AddressTranslator does in its GNAT "
        "(with ProtocolTranslator64/46): inside IPv6 hosts get addresses that carry an IPv4 "
        "address. Input 0 takes outward packets, whose source is translated, out of output 0; "
        "input 1 takes inward packets, whose destination is translated, out of output 1. TCP, "
        "UDP and ICMPv6 packets are translated; their checksum is recomputed over the new "
        "pseudo-header.\n"
        "\n"
        "Arguments, in Click's order: NSTATIC, the number of static mappings; when NSTATIC > 0, "
        "STATIC_PORTS (boolean) and NSTATIC mappings `INNER MAPPED`, or `INNER IPORT MAPPED "
        "MPORT` when STATIC_PORTS is true; then DYNAMIC (boolean); when true, DYNAMIC_PORTS "
        "(boolean), DIRECTION (0: outward packets make the mappings, 1: inward ones do) and "
        "either the pool of addresses bound in turn, one an argument (DYNAMIC_PORTS false), or "
        "one `ADDR PORTL PORTH` (DYNAMIC_PORTS true). E.g. AddressTranslator(1, 0, "
        "3ffe:1ce1:2::1 ::18.26.4.17, 0) maps one host statically; AddressTranslator(0, 1, 1, 0, "
        "::18.26.4.17 6000 6010) maps each outward flow to a port of ::18.26.4.17.\n"
        "\n"
        "A static mapping rewrites an outward packet from INNER (and IPORT) to MAPPED (and "
        "MPORT), and an inward packet to MAPPED (and MPORT) to INNER (and IPORT). Dynamic "
        "address mapping binds the next free pool address to each new address coming the "
        "DIRECTION way (DIRECTION 0: the pool holds mapped addresses for inside sources; 1: "
        "inside addresses for the destinations of inward packets) and translates both ways from "
        "then on. Dynamic port mapping gives each new flow (inside address and port, outside "
        "address and port) coming the DIRECTION way the next port of PORTL-PORTH on ADDR; "
        "packets the other way to that port, from that outside end, get the inside end back. "
        "Static mappings are looked up first. As in Click, dynamic mappings are never removed: "
        "once the pool or the port range is used up, new flows are dropped (\"no mapping\", \"no "
        "free port\"). An ICMPv6 echo request or reply uses its identifier as its port (Click "
        "reads no port for ICMPv6); other ICMPv6 messages are translated by address only, so "
        "not under port mappings.\n"
        "\n"
        "Click's argument list from before February 2001, which conf/gnat01.click and "
        "gnat02.click use (six-field masks such as `1 1 0 0 0 0`), is taken where it means a "
        "mapping of today's: static mask `1 0 1 0 0 0` (or `1 1 1 1 0 0` with ports), lookup "
        "fields `1 1 0 0 0 0` outward and `0 0 1 1 0 0` inward, DIRECTION, one `ADDR PORTL "
        "PORTH`: dynamic port mapping keyed by the inside end alone (one port per inside address "
        "and port, whatever the outside end). Other masks are refused.\n"
        "\n"
        "Differences from Click, where its code goes wrong: static mappings apply whatever "
        "DIRECTION is, an inward packet under a static port mapping gets IPORT back (Click's "
        "leaves the port unset), static and dynamic port mappings work together (Click's skips "
        "the dynamic table when there are static mappings), and every ICMPv6 checksum is "
        "recomputed. Arguments Click would ignore (after DYNAMIC 0, a second port range) are "
        "refused. The IPv6 header is the one CheckIP6Header found (the network offset "
        "annotation), else at offset 0. Dropped: \"malformed\", \"unsupported protocol\" "
        "(extension headers included), \"no mapping\", \"no free port\".\n"
        "\n"
        "With several workers each has its own dynamic mappings, which hold only while the "
        "runtime sends both directions of a flow to one worker; run dynamic port mapping on one "
        "worker.\n"
        "\n"
        "Input 0 (push): outward IPv6 packets. Input 1 (push): inward IPv6 packets. Output 0 "
        "(push): outward packets translated. Output 1 (push): inward packets translated.",
    .example =
        "at :: AddressTranslator(0, 1, 1, 0, ::18.26.4.17 6000 6010);\n"
        "FromDump(inside.pcap) -> Strip(14) -> CheckIP6Header -> [0] at;\n"
        "FromDump(outside.pcap) -> Strip(14) -> CheckIP6Header -> [1] at;\n"
        "at[0] -> ProtocolTranslator64 -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> "
        "ToDump(out.pcap);\n"
        "at[1] -> EtherEncap(0x86dd, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump(in.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .flow_code = "#/#",  // input i leaves by output i alone (Click's flow code)
};

NB_REGISTER_ELEMENT(AddressTranslator::spec);

}  // namespace nb::elements

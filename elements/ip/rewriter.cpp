#include "rewriter.hpp"

#include <cstdio>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"FAKENET", ParamType::IPv4Address, ParamKind::Positional, true, "",
     "The fake network: its top byte, with a mapping's index (1 to 63) in the low 24 bits, is the "
     "source address given to the packets of each address pair (Click: `10.0.0.0` makes 10.0.0.1, "
     "10.0.0.2, ...)."},
    {"LOCALADDR", ParamType::IPv4Address, ParamKind::Positional, true, "",
     "The destination address given to every packet of input 0 (the local host's)."},
    {"GC_SECONDS", ParamType::Duration, ParamKind::Positional, true, "",
     "How long a mapping may go unused before it is freed (Click's time units: 10, 30s, 2min).", 1,
     std::uint64_t{1} << 50},
};

std::string ip_text_of(std::uint32_t a) {
  char b[16];
  std::snprintf(b, sizeof b, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
  return b;
}

// Click's rewrite_table: "REALSRC/REALDST -> FAKESRC/LOCALADDR", one line per mapping.
void read_table(const void* config, const void* state, std::string& out) {
  const auto& c = *static_cast<const Rewriter::Config*>(config);
  const auto& s = *static_cast<const Rewriter::State*>(state);
  out.clear();
  for (std::uint32_t i = 1; i < Rewriter::kSlots; ++i) {
    const Rewriter::Mapping& m = s.map[i];
    if (m.rs == 0) continue;
    out += ip_text_of(m.rs) + "/" + ip_text_of(m.rd) + " -> " + ip_text_of((c.fakenet & 0xff000000u) | i) + "/" +
           ip_text_of(c.localaddr) + "\n";
  }
}

constexpr HandlerSpec kHandlers[] = {
    {"rewrite_table", HandlerSpec::Kind::Custom,
     "the mappings, one a line: `REALSRC/REALDST -> FAKESRC/LOCALADDR` (Click's format)", 0, &read_table},
    NB_COUNTER(Rewriter, created, "mappings made"),
    NB_COUNTER(Rewriter, freed, "mappings freed after GC_SECONDS unused"),
    NB_COUNTER(Rewriter, forward, "packets rewritten on input 0 (real to fake)"),
    NB_COUNTER(Rewriter, reverse, "packets rewritten on input 1 (fake back to real)"),
};

}  // namespace

bool Rewriter::configure(const Args& args, Config& config, std::string& error) {
  config.fakenet = args.get_ipv4("FAKENET");
  config.localaddr = args.get_ipv4("LOCALADDR");
  config.gc_us = args.get_unsigned("GC_SECONDS");
  if (config.gc_us == 0) {
    error = "GC_SECONDS must be positive";
    return false;
  }
  return true;
}

NB_ELEMENT_KERNEL(Rewriter);

constinit const ElementSpec Rewriter::spec{
    .class_name = "Rewriter",
    .ports = "2/2",
    .params = kParams,
    .brief = "Click's first address rewriter: a fake source address per address pair, and back",
    .description =
        "Click's Rewriter of January 2000 (not IPRewriter, which maps flows; use IPRewriter for "
        "NAT). It lets the local host reach remote hosts through a fake network: a packet on input "
        "0 from SRC to DST leaves on output 0 from FAKENET's top byte with the mapping's index in "
        "the low 24 bits (1 to 63), to LOCALADDR; each new (SRC, DST) pair gets a new index. A "
        "packet on input 1 whose destination's low 24 bits are an index leaves on output 1 from "
        "the pair's DST to its SRC, with the destination annotation set to SRC. The IP checksum "
        "and a TCP or UDP checksum are computed again (ICMP's covers no address); other protocols "
        "are dropped (\"protocol\"), as Click refused them.\n"
        "\n"
        "A packet on input 0 when all 63 mappings are in use is dropped (\"table full\"), one on "
        "input 1 whose index names no mapping too (\"no mapping\"). The handler rewrite_table "
        "lists the mappings as Click's did.\n"
        "\n"
        "Difference from Click: Click's Rewriter ran in the Linux kernel and, every GC_SECONDS, "
        "freed the mappings no kernel TCP socket was using. nb has no kernel socket list: a mapping "
        "no packet used (in either direction) for GC_SECONDS is freed, checked as packets arrive. "
        "Packets start at the IP header annotation (CheckIPHeader), or at offset 0.",
    .example =
        "rw :: Rewriter(10.0.0.0, 18.26.4.47, 10);\n"
        "FromDump(real.pcap) -> Strip(14) -> [0] rw [0] -> Unstrip(14) -> ToDump(fake.pcap);\n"
        "FromDump(replies.pcap) -> Strip(14) -> [1] rw [1] -> Unstrip(14) -> ToDump(back.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    // Input 0 leaves by output 0, input 1 by output 1: a path from output 0 round to input 1 is
    // no push cycle.
    .flow_code = "#/#",
};

NB_REGISTER_ELEMENT(Rewriter::spec);

}  // namespace nb::elements

// Click's AddressInfo names (compiler/src/address_info.cpp): what each argument gets for a name.
#include <nb/compiler/driver.hpp>
#include <nb/compiler/registry.hpp>
#include <nb/compiler/values.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace nb;

namespace {

struct Checked {
  std::optional<compiler::Graph> graph;
  std::string errors;
};

Checked check(const std::string& text) {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags;
  auto id = sources.add("addr.click", text);
  auto r = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
  std::ostringstream out;
  diags.render(out, sources);
  return Checked{std::move(r.graph), out.str()};
}

const compiler::Element& element(const compiler::Graph& g, const std::string& name) {
  for (const auto& e : g.elements) {
    if (e.name == name) return e;
  }
  FAIL("no element " << name);
  return g.elements.front();
}

std::string value(const compiler::Graph& g, const std::string& el, const std::string& param) {
  const compiler::ParamValue* p = element(g, el).param(param);
  REQUIRE(p != nullptr);
  return compiler::to_string(p->value);
}

}  // namespace

TEST_CASE("AddressInfo names stand for their addresses in typed arguments", "[click][addressinfo]") {
  auto c = check(
      "a :: SetIPAddress(intern) -> b :: SetIPAddress(intern:bcast) -> g :: SetIPAddress(intern:gw)\n"
      "  -> e :: EtherEncap(0x0800, intern, extern:eth) -> Discard;\n"
      "FromDump(in.pcap) -> a;\n"
      "AddressInfo(intern 10.0.0.1/8 00:50:ba:85:84:a9, extern 209.6.198.213 00:e0:98:09:ab:af);\n");
  INFO(c.errors);
  REQUIRE(c.graph);
  CHECK(value(*c.graph, "a", "IPADDR") == "10.0.0.1");
  CHECK(value(*c.graph, "b", "IPADDR") == "10.255.255.255");
  CHECK(value(*c.graph, "g", "IPADDR") == "10.0.0.1");
  CHECK(value(*c.graph, "e", "SRC") == "00:50:ba:85:84:a9");
  CHECK(value(*c.graph, "e", "DST") == "00:e0:98:09:ab:af");
}

TEST_CASE("AddressInfo names are replaced in rules and routes, after net by the prefix", "[click][addressinfo]") {
  auto c = check(
      "AddressInfo(intern 10.0.0.1/8, gw 192.168.1.1);\n"
      "FromDump(in.pcap) -> f :: IPFilter(allow src net intern, allow dst host intern, drop all)\n"
      "  -> rt :: LookupIPRoute(intern:net 0, 0.0.0.0/0 gw 0) -> Discard;\n");
  INFO(c.errors);
  REQUIRE(c.graph);
  const compiler::Element& f = element(*c.graph, "f");
  auto rules = f.params_named("RULE");
  REQUIRE(rules.size() == 3);
  CHECK(std::get<std::string>(rules[0]->value) == "allow src net 10.0.0.0/8");
  CHECK(std::get<std::string>(rules[1]->value) == "allow dst host 10.0.0.1");
  auto routes = element(*c.graph, "rt").params_named("ROUTE");
  REQUIRE(routes.size() == 2);
  CHECK(std::get<std::string>(routes[0]->value) == "10.0.0.0/8 0");
  CHECK(std::get<std::string>(routes[1]->value) == "0.0.0.0/0 192.168.1.1 0");
}

TEST_CASE("AddressInfo names inside a compound hold only there", "[click][addressinfo]") {
  auto c = check(
      "AddressInfo(outer 1.1.1.1);\n"
      "elementclass C { AddressInfo(inner 2.2.2.2, outer 3.3.3.3);\n"
      "  input -> x :: SetIPAddress(inner) -> y :: SetIPAddress(outer) -> output }\n"
      "FromDump(in.pcap) -> c :: C -> z :: SetIPAddress(outer) -> Discard;\n");
  INFO(c.errors);
  REQUIRE(c.graph);
  CHECK(value(*c.graph, "c/x", "IPADDR") == "2.2.2.2");
  CHECK(value(*c.graph, "c/y", "IPADDR") == "3.3.3.3");
  CHECK(value(*c.graph, "z", "IPADDR") == "1.1.1.1");

  auto bad = check(
      "elementclass C { AddressInfo(inner 2.2.2.2); input -> output }\n"
      "FromDump(in.pcap) -> C -> SetIPAddress(inner) -> Discard;\n");
  CHECK(bad.errors.find("2:40: error: unknown address name 'inner' (argument IPADDR of SetIPAddress)") !=
        std::string::npos);
}

TEST_CASE("a wrong or unknown AddressInfo name says what it is", "[click][addressinfo]") {
  auto c = check(
      "AddressInfo(intern 10.0.0.1/8, mac 00:01:02:03:04:05);\n"
      "FromDump(in.pcap) -> SetIPAddress(mac) -> SetIPAddress(intrn) -> IPFilter(allow src host intrn, drop all)\n"
      "  -> EtherEncap(0x0800, intern:ip, mac) -> SetIPAddress(nbnosuch9:gw) -> Discard;\n");
  CHECK(c.errors.find("2:35: error: address name 'mac' is an Ethernet address, not an IPv4 address") !=
        std::string::npos);
  CHECK(c.errors.find("2:56: error: unknown address name 'intrn'") != std::string::npos);
  CHECK(c.errors.find("note: did you mean 'intern'?") != std::string::npos);
  // In a rule the element reports the word; the position is the word as written.
  CHECK(c.errors.find("2:90: error: invalid RULE of IPFilter") != std::string::npos);
  CHECK(c.errors.find("note: did you mean the address name 'intern'?") != std::string::npos);
  CHECK(c.errors.find("3:25: error: address name 'intern:ip' is an IPv4 address, not an Ethernet address") !=
        std::string::npos);
  // A name that is neither declared nor a network interface of the host (eth0 would be read from it).
  CHECK(c.errors.find("unknown address name 'nbnosuch9'") != std::string::npos);
  CHECK(c.errors.find("or name a network interface of this host") != std::string::npos);
}

TEST_CASE("positions after a replaced name still point at what was written", "[click][addressinfo]") {
  auto c = check(
      "AddressInfo(a_long_name 10.0.0.1);\n"
      "FromDump(in.pcap) -> IPFilter(allow src host a_long_name && dst host 1.2.3, drop all) -> Discard;\n");
  CHECK(c.errors.find("2:70: error: invalid RULE of IPFilter") != std::string::npos);
}

TEST_CASE("ARPQuerier(NAME) takes both addresses from one name, as Click's one-argument form", "[click][addressinfo]") {
  auto c = check(
      "AddressInfo(me 10.0.0.1 02:00:00:00:00:01, ip_only 10.0.0.2);\n"
      "FromDump(in.pcap) -> aq :: ARPQuerier(me) -> Discard;\n"
      "FromDump(arp.pcap) -> [1] aq;\n");
  INFO(c.errors);
  REQUIRE(c.graph);
  CHECK(value(*c.graph, "aq", "IP") == "10.0.0.1");
  CHECK(value(*c.graph, "aq", "ETH") == "02:00:00:00:00:01");
  // A name without an Ethernet address leaves ETH missing.
  auto m = check(
      "AddressInfo(ip_only 10.0.0.2);\nFromDump(in.pcap) -> aq :: ARPQuerier(ip_only) -> Discard;\n"
      "FromDump(arp.pcap) -> [1] aq;\n");
  CHECK(m.errors.find("missing required argument ETH of ARPQuerier") != std::string::npos);
}

TEST_CASE("IPRewriterPatterns names a pattern that `pattern NAME FOUTPUT ROUTPUT` spells out",
          "[click][addressinfo][rewriter]") {
  auto c = check(
      "AddressInfo(extern 192.0.2.1, server 10.0.0.10);\n"
      "FromDump(in.pcap) -> rw :: IPRewriter(pattern to_world 0 1, pattern to_server 1 0) -> Discard;\n"
      "rw [1] -> Discard;\n"
      "Idle -> [1] rw;\n"
      "FromDump(b.pcap) -> t :: TCPRewriter(pattern to_world 0 1, drop) -> Discard;\n"
      "t [1] -> Discard;\n"
      "IPRewriterPatterns(to_world extern 50000-65535 - -, to_server - - server 80);\n");
  INFO(c.errors);
  REQUIRE(c.graph);
  const compiler::ParamValue* p = element(*c.graph, "rw").param("INPUTSPEC");
  REQUIRE(p != nullptr);
  CHECK(element(*c.graph, "rw").args.at(0) == "pattern to_world 0 1");
  std::vector<std::string> specs;
  for (const auto& v : element(*c.graph, "rw").params)
    if (v.param->name == "INPUTSPEC") specs.push_back(v.text);
  REQUIRE(specs.size() == 2);
  CHECK(specs[0] == "pattern 192.0.2.1 50000-65535 - - 0 1");
  CHECK(specs[1] == "pattern - - 10.0.0.10 80 1 0");
}

TEST_CASE("an unknown or malformed named pattern is an error at the name", "[click][addressinfo][rewriter]") {
  auto c = check(
      "IPRewriterPatterns(to_world 192.0.2.1 50000-65535 - -);\n"
      "FromDump(in.pcap) -> rw :: IPRewriter(pattern to_wrld 0 1) -> Discard;\n"
      "rw [1] -> Discard;\n");
  CHECK_FALSE(c.graph);
  CHECK(c.errors.find("addr.click:2:47: error: invalid INPUTSPEC of IPRewriter: no IPRewriterPatterns") !=
        std::string::npos);
  auto bad = check("IPRewriterPatterns(to_world 192.0.2.1 70000 - -);\n");
  CHECK_FALSE(bad.graph);
  CHECK(bad.errors.find("addr.click:1:39: error: invalid PATTERN of IPRewriterPatterns: bad source port") !=
        std::string::npos);
  auto short_ = check("IPRewriterPatterns(to_world 192.0.2.1 1-2);\n");
  CHECK_FALSE(short_.graph);
  CHECK(short_.errors.find("want `NAME SADDR SPORT DADDR DPORT`") != std::string::npos);
}

TEST_CASE("ARPResponder(NAME) answers for the name's address with its Ethernet address, as Click's",
          "[click][addressinfo]") {
  auto c = check(
      "AddressInfo(intern 10.0.0.1 10.0.0.0/8 00:50:ba:85:84:a9, net_only 10.9.0.0/16 02:00:00:00:00:09);\n"
      "FromDump(in.pcap) -> a :: ARPResponder(intern, net_only, 10.5.0.1 02:00:00:00:00:05) -> Discard;\n");
  INFO(c.errors);
  REQUIRE(c.graph);
  std::vector<std::string> entries;
  for (const auto& v : element(*c.graph, "a").params)
    if (v.param->name == "ENTRY") entries.push_back(v.text);
  REQUIRE(entries.size() == 3);
  CHECK(entries[0] == "10.0.0.1 00:50:ba:85:84:a9");
  CHECK(entries[1] == "10.9.0.0/16 02:00:00:00:00:09");
  CHECK(entries[2] == "10.5.0.1 02:00:00:00:00:05");
}

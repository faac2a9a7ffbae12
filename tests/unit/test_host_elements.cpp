// Click's host elements (FromHost, ToHost, ToHostSniffers, KernelTap, KernelTun): what `nbc check`
// decides about their tap interfaces without making any (the plan's Host ports). Running them is
// tests/integration/test_host_elements.py.
#include <nb/compiler/driver.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/compiler/registry.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace nb;

namespace {

struct Lowered {
  std::optional<compiler::Plan> plan;
  std::string out;
};

Lowered lower(const std::string& text) {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags;
  auto id = sources.add("host.nbc", text);
  auto r = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
  Lowered l;
  if (r.graph) l.plan = compiler::lower(*r.graph, diags);
  std::ostringstream out;
  diags.render(out, sources);
  l.out = out.str();
  return l;
}

const compiler::PlanPort& port_of(const compiler::Plan& plan, const std::string& element) {
  for (const auto& e : plan.elements)
    if (e.name == element) return plan.ports.at(static_cast<std::size_t>(e.port));
  FAIL("no element " << element);
  return plan.ports.front();
}

}  // namespace

TEST_CASE("FromHost and ToHost naming one interface share its tap, with FromHost's address", "[host]") {
  auto l = lower(
      "fh :: FromHost(fake0, 192.0.0.1/8, ETHER 02:00:00:00:00:01, MTU 1400, BURST 8) -> c :: Classifier(12/0806, -);\n"
      "c[0] -> ARPResponder(0.0.0.0/0 1:1:1:1:1:1) -> a :: ToHost(fake0);\n"
      "c[1] -> b :: ToHost(fake0);\n");
  INFO(l.out);
  REQUIRE(l.plan);
  REQUIRE(l.plan->ports.size() == 1);
  const auto& p = port_of(*l.plan, "fh");
  CHECK(&p == &port_of(*l.plan, "a"));
  CHECK(&p == &port_of(*l.plan, "b"));  // any number of ToHost on one interface, as in Click
  CHECK(p.host);
  CHECK_FALSE(p.tun);
  CHECK(p.device == "fake0");
  CHECK(p.rx);
  CHECK(p.tx);
  CHECK(p.host_addr);
  CHECK(p.host_ip == 0xc0000001u);  // the address as written, not the network 192.0.0.0
  CHECK(p.host_len == 8);
  CHECK(p.host_ether_given);
  CHECK(p.host_ether == std::array<std::uint8_t, 6>{2, 0, 0, 0, 0, 1});
  CHECK(p.host_mtu == 1400);
  CHECK(p.rx_burst == 8);
  // Each ToHost's edge says which element it goes through (nbc flatten, the `ports` handler).
  CHECK(compiler::to_flat_config(*l.plan, -1, "").find("[1] -> [0] b;") != std::string::npos);
}

TEST_CASE("ToHost without DEVNAME uses the configuration's only FromHost interface, else nbhost", "[host]") {
  auto one = lower("FromHost(fl0, 10.0.0.1/24) -> t :: ToHost;\n");
  INFO(one.out);
  REQUIRE(one.plan);
  CHECK(one.plan->ports.size() == 1);
  CHECK(port_of(*one.plan, "t").device == "fl0");

  auto none = lower("FromDevice(0) -> t :: ToHost;\n");
  REQUIRE(none.plan);
  CHECK(port_of(*none.plan, "t").device == "nbhost");
  CHECK(port_of(*none.plan, "t").host);

  auto two = lower("FromHost(a0) -> Discard; FromHost(b0) -> Discard; FromDevice(0) -> ToHost;\n");
  CHECK_FALSE(two.plan);
  CHECK(two.out.find("ToHost without DEVNAME: the configuration makes several tap interfaces") != std::string::npos);
}

TEST_CASE("KernelTun is a tun, one element both ways, and a loop through it is no cycle", "[host]") {
  auto l = lower("tun :: KernelTun(1.0.0.1/8, DEVNAME tun3) -> CheckIPHeader -> IPMirror -> tun;\n");
  INFO(l.out);
  REQUIRE(l.plan);
  const auto& p = port_of(*l.plan, "tun");
  CHECK(p.tun);
  CHECK(p.rx);
  CHECK(p.tx);
  CHECK(p.device == "tun3");
  CHECK(p.host_ip == 0x01000001u);
  CHECK(l.plan->sources.size() == 1);
  // Without DEVNAME each KernelTap is an interface of its own (nbrun picks tapN).
  auto two = lower("a :: KernelTap(1.0.0.1/8) -> a; b :: KernelTap(2.0.0.1/8) -> b;\n");
  INFO(two.out);
  REQUIRE(two.plan);
  CHECK(two.plan->ports.size() == 2);
}

TEST_CASE("nbc check refuses what nbrun would about host interfaces", "[host]") {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"FromHost(fake0, 10.0.0.1/8) -> Discard; KernelTun(10.0.0.1/8, DEVNAME fake0) -> Discard;",
       "interface 'fake0' is a tap (Ethernet frames) for FromHost"},
      {"FromHost(fake0, 10.0.0.1/8) -> ToHost(fake0); KernelTap(10.0.0.2/8, DEVNAME fake0) -> Discard;",
       "interface 'fake0' has the address 10.0.0.1/8 from FromHost"},
      {"FromHost(fake0, MTU 1400) -> t :: KernelTap(10.0.0.2/8, DEVNAME fake0, MTU 1500) -> t;",
       "interface 'fake0' has MTU 1400"},
      {"FromHost(fake0) -> Discard; FromHost(fake0) -> Discard;", "device 'fake0' already has a FromHost"},
      {"FromHost(averyveryverylongname) -> Discard;", "a Linux interface name has at most 15 characters"},
      {"FromHost(\"a,iface=b\") -> Discard;", "an interface name cannot contain"},
      {"FromDevice(0) -> ToHostSniffers(00:e0:98:09:ab:af);",
       "no network interface of this host has the Ethernet address 00:e0:98:09:ab:af"},
      {"FromDevice(0) -> ToHostSniffers(eth0:1);", "a Linux interface name has no ':'"},
      {"FromHost(fake0, GATEWAY 10.0.0.9) -> Discard;", "nb does not change the host's default route"},
      {"KernelTun(1.0.0.1/8, 1.0.0.9) -> Discard;", "nb does not change the host's default route"},
      {"KernelTun(1.0.0.1/8, TAP true) -> Discard;", "write KernelTap"},
      {"KernelTun(1.0.0.1/8, DEV_NAME x) -> Discard;", "write DEVNAME"},
      {"FromDevice(0) -> ToHost(fake0, TYPE IP);", "TYPE IP (raw IP packets) is KernelTun in nb"},
      {"FromHost(fake0, HEADROOM 200) -> Discard;", "HEADROOM"},
      {"KernelTun(1.0.0.1/8, ETHER 0:1:2:3:4:5) -> Discard;", "ETHER"},
  };
  for (const Case& c : cases) {
    auto l = lower(c.text);
    INFO(c.text << "\n" << l.out);
    CHECK_FALSE(l.plan);
    CHECK(l.out.find(c.error) != std::string::npos);
  }
  // Settings given once, or the same twice, are one interface's.
  auto ok = lower("FromHost(fake0, 10.0.0.1/8, MTU 1400) -> ToHost(fake0, TYPE ETHER);");
  INFO(ok.out);
  CHECK(ok.plan);
}

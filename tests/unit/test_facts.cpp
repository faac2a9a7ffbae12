// The facts pass (compiler/facts.hpp, docs/facts.md) on small graphs: what holds where, and what
// it removes and refuses to remove.
#include <nb/compiler/driver.hpp>
#include <nb/compiler/facts.hpp>
#include <nb/compiler/plan.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace nb;

namespace {

struct Lowered {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags;
  std::optional<compiler::Plan> plan;
};

std::unique_ptr<Lowered> lower_text(const std::string& text) {
  auto l = std::make_unique<Lowered>();
  auto id = l->sources.add("t.nbc", text);
  auto front = compiler::compile_front_end(l->sources, id, compiler::Registry::builtin(), l->diags);
  REQUIRE(front.graph);
  l->plan = compiler::lower(*front.graph, l->diags);
  REQUIRE(l->plan);
  return l;
}

std::vector<std::string> removed(const std::string& text) {
  auto l = lower_text(text);
  std::vector<std::string> names;
  for (const auto& r : compiler::analyse_facts(*l->plan).removals) names.push_back(l->plan->elements[r.element].name);
  return names;
}

std::uint32_t index_of(const compiler::Plan& plan, const std::string& name) {
  for (std::uint32_t i = 0; i < plan.elements.size(); ++i)
    if (plan.elements[i].name == name) return i;
  FAIL("no element " << name);
  return 0;
}

}  // namespace

TEST_CASE("facts: a second CheckIPHeader after DecIPTTL is removed, the first is not") {
  CHECK(removed("FromDump(a.pcap) -> c1 :: CheckIPHeader(14) -> DecIPTTL -> Counter -> c2 :: CheckIPHeader(14)"
                " -> ToDump(b.pcap);") == std::vector<std::string>{"c2"});
}

TEST_CASE("facts: what the second check needs must all hold") {
  // CHECKSUM false checks less; another OFFSET is another header; BADSRC not checked before.
  CHECK(
      removed("FromDump(a.pcap) -> CheckIPHeader(14, CHECKSUM false) -> CheckIPHeader(14) -> ToDump(b.pcap);").empty());
  CHECK(removed("FromDump(a.pcap) -> CheckIPHeader(14) -> CheckIPHeader(0) -> ToDump(b.pcap);").empty());
  CHECK(
      removed("FromDump(a.pcap) -> CheckIPHeader(14) -> CheckIPHeader(14, BADSRC 1.2.3.4) -> ToDump(b.pcap);").empty());
  // The other way round, each is implied.
  CHECK(removed("FromDump(a.pcap) -> CheckIPHeader(14, BADSRC 1.2.3.4) -> c :: CheckIPHeader(14, CHECKSUM false)"
                " -> ToDump(b.pcap);") == std::vector<std::string>{"c"});
}

TEST_CASE("facts: an element that declares nothing keeps nothing") {
  CHECK(
      removed("FromDump(a.pcap) -> CheckIPHeader(14) -> EtherMirror -> CheckIPHeader(14) -> ToDump(b.pcap);").empty());
}

TEST_CASE("facts: a merge keeps only what every path carries") {
  CHECK(removed("cl :: Classifier(12/0800, -); m :: CheckIPHeader(14);\n"
                "FromDump(a.pcap) -> cl; cl [0] -> CheckIPHeader(14) -> m; cl [1] -> m; m -> ToDump(b.pcap);")
            .empty());
  CHECK(removed("cl :: Classifier(12/0800, -); m :: CheckIPHeader(14);\n"
                "FromDump(a.pcap) -> CheckIPHeader(14) -> cl; cl [0] -> Paint(1) -> m; cl [1] -> m;"
                " m -> ToDump(b.pcap);") == std::vector<std::string>{"m"});
}

TEST_CASE("facts: Strip moves offsets, the annotation and the headroom") {
  auto l = lower_text("FromDump(a.pcap) -> CheckIPHeader(14) -> Strip(14) -> d :: DecIPTTL -> ToDump(b.pcap);");
  auto in = compiler::input_facts(*l->plan);
  const auto& facts = in[index_of(*l->plan, "d")];
  REQUIRE(facts);
  auto has = [&](Fact f) { return std::find(facts->begin(), facts->end(), f) != facts->end(); };
  CHECK(has({Fact::Kind::IPv4Header, 0}));
  CHECK(has({Fact::Kind::IPv4Checksum, 0}));
  CHECK(has({Fact::Kind::IPv4Trimmed, 0}));
  CHECK(has({Fact::Kind::NetworkOffset, 0}));
  CHECK(has({Fact::Kind::Headroom, 14}));
  CHECK(!has({Fact::Kind::IPv4Header, 14}));
}

TEST_CASE("facts: Strip/Unstrip pairs cancel only when proven") {
  CHECK(removed("FromDump(a.pcap) -> CheckIPHeader(14) -> s :: Strip(14) -> Paint(1) -> u :: Unstrip(14)"
                " -> ToDump(b.pcap);") == std::vector<std::string>{"s", "u"});
  // Nothing known about the length.
  CHECK(removed("FromDump(a.pcap) -> Strip(14) -> Unstrip(14) -> ToDump(b.pcap);").empty());
  // Counter reads the length between them.
  CHECK(removed("FromDump(a.pcap) -> CheckIPHeader(14) -> Strip(14) -> Counter -> Unstrip(14) -> ToDump(b.pcap);")
            .empty());
  // Unstrip first: the headroom must be known.
  CHECK(removed("FromDump(a.pcap) -> CheckIPHeader(14) -> Unstrip(14) -> Strip(14) -> ToDump(b.pcap);").empty());
  CHECK(removed("FromDump(a.pcap) -> Strip(14) -> CheckIPHeader -> u :: Unstrip(14) -> s :: Strip(14)"
                " -> ToDump(b.pcap);") == std::vector<std::string>{"u", "s"});
  // Tee's copies have the pool's headroom, not the original's.
  CHECK(removed("t :: Tee(2); FromDump(a.pcap) -> Strip(14) -> CheckIPHeader -> t;\n"
                "t [0] -> Unstrip(14) -> Strip(14) -> ToDump(b.pcap); t [1] -> ToDump(c.pcap);")
            .empty());
}

namespace {
compiler::FactAnalysis facts_of(const std::string& text) {
  auto l = lower_text(text);
  return compiler::analyse_facts(*l->plan);
}
}  // namespace

TEST_CASE("facts: received packets' annotations are reset only where an element may read a stale one") {
  // Nothing reads an annotation: forwarding, counting, classifying by absolute offsets.
  CHECK_FALSE(facts_of("FromDump(a.pcap) -> ToDump(b.pcap);").reset_annotations);
  CHECK_FALSE(facts_of("FromDump(a.pcap) -> Counter -> c :: Classifier(12/0800, -) -> ToDump(b.pcap); c[1] -> Discard;")
                  .reset_annotations);
  // CheckIPHeader sets the network offset before DecIPTTL reads it; Strip and Unstrip only move it.
  auto ttl = facts_of(
      "FromDump(a.pcap) -> Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14) -> ToDump(b.pcap);");
  CHECK_FALSE(ttl.reset_annotations);
  CHECK(ttl.annotations_why == "no element reads an annotation before one sets it");
  // DecIPTTL with no CheckIPHeader before it reads whatever the buffer held.
  auto bare = facts_of("FromDump(a.pcap) -> Strip(14) -> d :: DecIPTTL -> ToDump(b.pcap);");
  CHECK(bare.reset_annotations);
  CHECK(bare.annotations_why == "d (DecIPTTL) reads the network offset annotation, which may not be set on its way there");
  // Set on one path only: a merge keeps the stale one.
  CHECK(facts_of("src :: FromDump(a.pcap) -> c :: Classifier(12/0800, -); c[0] -> Strip(14) -> CheckIPHeader -> "
                 "d :: DecIPTTL -> ToDump(b.pcap); c[1] -> Strip(14) -> d;")
            .reset_annotations);
  // CheckIPHeader's bad-packet output does not carry the offset it sets on output 0.
  CHECK(facts_of("FromDump(a.pcap) -> Strip(14) -> c :: CheckIPHeader -> ToDump(b.pcap); c[1] -> DecIPTTL -> "
                 "Discard;")
            .reset_annotations);
  // The next hop: LookupIPRoute sets it for ARPQuerier; without it ARPQuerier reads a stale one.
  CHECK_FALSE(facts_of("FromDump(a.pcap) -> Strip(14) -> CheckIPHeader -> LookupIPRoute(0.0.0.0/0 0) -> "
                       "ARPQuerier(10.0.0.1, 00:00:00:00:00:01) -> ToDump(b.pcap);")
                  .reset_annotations);
  CHECK(facts_of("FromDump(a.pcap) -> Strip(14) -> CheckIPHeader -> "
                 "ARPQuerier(10.0.0.1, 00:00:00:00:00:01) -> ToDump(b.pcap);")
            .reset_annotations);
  // ARP replies on input 1 only teach it addresses: their next hop is never read.
  CHECK_FALSE(facts_of("src :: FromDump(a.pcap) -> c :: Classifier(12/0806, -); c[0] -> [1] q :: ARPQuerier(10.0.0.1, "
                       "00:00:00:00:00:01) -> ToDump(b.pcap); c[1] -> Strip(14) -> CheckIPHeader -> "
                       "LookupIPRoute(0.0.0.0/0 0) -> q;")
                  .reset_annotations);
  // Paint sets the colour for what follows it; IPRewriter with no CheckIPHeader before it reads
  // a stale network offset.
  CHECK_FALSE(facts_of("FromDump(a.pcap) -> Paint(1) -> ToDump(b.pcap);").reset_annotations);
  CHECK(facts_of("FromDump(a.pcap) -> Paint(1, ANNO 3) -> IPRewriter(pattern 1.1.1.1 - - - 0 0) -> ToDump(b.pcap);")
            .reset_annotations);
}

TEST_CASE("facts: the IPv6 next hop is set by GetIP6Address or LookupIP6Route before IP6NDSolicitor reads it") {
  CHECK_FALSE(facts_of("FromDump(a.pcap) -> Strip(14) -> CheckIP6Header -> GetIP6Address(24) -> "
                       "IP6NDSolicitor(2001:db8::1, 00:00:00:00:00:01) -> ToDump(b.pcap);")
                  .reset_annotations);
  CHECK_FALSE(facts_of("FromDump(a.pcap) -> Strip(14) -> MarkIPHeader -> LookupIP6Route(::/0 0) -> "
                       "IP6NDSolicitor(2001:db8::1, 00:00:00:00:00:01) -> ToDump(b.pcap);")
                  .reset_annotations);
  // (LookupIP6Route reads the network offset, which CheckIP6Header sets on one output only.)
  auto routed = facts_of(
      "FromDump(a.pcap) -> Strip(14) -> CheckIP6Header -> r :: LookupIP6Route(::/0 0) -> "
      "IP6NDSolicitor(2001:db8::1, 00:00:00:00:00:01) -> ToDump(b.pcap);");
  CHECK(routed.annotations_why ==
        "r (LookupIP6Route) reads the network offset annotation, which may not be set on its way there");
  auto bare = facts_of(
      "FromDump(a.pcap) -> Strip(14) -> n :: IP6NDSolicitor(2001:db8::1, 00:00:00:00:00:01) -> "
      "ToDump(b.pcap);");
  CHECK(bare.reset_annotations);
  CHECK(bare.annotations_why ==
        "n (IP6NDSolicitor) reads the destination IPv6 annotation, which may not be set on its way there");
  // The IPv4 next hop and the user bytes share its bytes but do not set all of it.
  CHECK(facts_of("FromDump(a.pcap) -> Strip(14) -> SetIPAddress(10.0.0.1) -> Paint(1, ANNO 4) -> "
                 "IP6NDSolicitor(2001:db8::1, 00:00:00:00:00:01) -> ToDump(b.pcap);")
            .reset_annotations);
}

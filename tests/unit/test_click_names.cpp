// Click's class names nb lacks: the table behind "Click's X is not in nb (yet): use Y".
#include <nb/compiler/click_names.hpp>
#include <nb/compiler/driver.hpp>
#include <nb/compiler/registry.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace nb;

namespace {

std::string check(const std::string& text) {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags;
  auto id = sources.add("click.nbc", text);
  compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
  std::ostringstream out;
  diags.render(out, sources);
  return out.str();
}

}  // namespace

TEST_CASE("every replacement names an element class nb has", "[click]") {
  const auto& registry = compiler::Registry::builtin();
  // The table shrinks as nb gains Click's classes; this only guards against losing it whole.
  REQUIRE(compiler::click_replacements().size() >= 10);
  for (const auto& r : compiler::click_replacements()) {
    INFO("Click's " << r.click);
    CHECK(compiler::find_click_replacement(r.click) == &r);
    CHECK(registry.find(r.click) == nullptr);  // a class nb has gets no "not in nb (yet)"
    if (!r.nb_class.empty()) {
      CHECK(registry.find(r.nb_class) != nullptr);
      CHECK(r.use.find(r.nb_class) != std::string_view::npos);
    }
  }
  CHECK(compiler::find_click_replacement("Counter") == nullptr);
  CHECK(compiler::find_click_replacement("rangeiplookup") == nullptr);
}

TEST_CASE("an unknown Click class gets what to use instead of a spelling hint", "[click]") {
  std::string out = check("FromDump(in.pcap) -> RangeIPLookup(10.0.0.0/8 0) -> Discard;\n");
  CHECK(out.find("error: unknown element class 'RangeIPLookup'") != std::string::npos);
  CHECK(out.find("note: Click's RangeIPLookup is not in nb (yet): use LookupIPRoute") != std::string::npos);
  CHECK(out.find("did you mean") == std::string::npos);

  // Written without arguments, as a reference, in a chain.
  out = check("FromDump(in.pcap) -> Strip(14) -> DiscardNoFree;\n");
  CHECK(out.find("note: Click's DiscardNoFree is not in nb (yet): use Discard") != std::string::npos);

  // Inside a compound's body.
  out = check("elementclass A { input -> MixedQueue(100) -> output; }\nFromDump(in.pcap) -> A -> Discard;\n");
  CHECK(out.find("Click's MixedQueue is not in nb (yet)") != std::string::npos);

  // A misspelling that is no Click class keeps its did-you-mean.
  out = check("FromDump(in.pcap) -> Conter -> Discard;\n");
  CHECK(out.find("did you mean 'Counter'?") != std::string::npos);
}

TEST_CASE("Click's old NDAdv name points at IP6NDAdvertiser", "[click][ip6]") {
  const std::string out = check("FromDump(in.pcap) -> NDAdv(2001:db8::5/128 00:a0:c9:9c:fd:9e) -> Discard;\n");
  CHECK(out.find("error: unknown element class 'NDAdv'") != std::string::npos);
  CHECK(out.find("note: Click's NDAdv is not in nb (yet): use IP6NDAdvertiser, which takes the same arguments") !=
        std::string::npos);
}

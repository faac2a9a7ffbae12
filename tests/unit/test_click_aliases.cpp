// Click's names for elements nb has under another name (issue 18): each is the same element -
// the same ops, parameters and handlers - so what the original's tests show holds for it.
#include <nb/compiler/registry.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <utility>

using nb::compiler::Registry;

TEST_CASE("Click's alias names share their element's ops, parameters and handlers", "[click]") {
  const std::pair<const char*, const char*> aliases[] = {
      {"PollDevice", "FromDevice"},        {"StaticIPLookup", "LookupIPRoute"}, {"RadixIPLookup", "LookupIPRoute"},
      {"DirectIPLookup", "LookupIPRoute"}, {"LinearIPLookup", "LookupIPRoute"}, {"SimpleQueue", "Queue"},
      {"ThreadSafeQueue", "Queue"},
  };
  const Registry& reg = Registry::builtin();
  for (const auto& [alias, original] : aliases) {
    INFO(alias << " as " << original);
    const auto* a = reg.find(alias);
    const auto* o = reg.find(original);
    REQUIRE(a != nullptr);
    REQUIRE(o != nullptr);
    CHECK(a->spec->ops == o->spec->ops);
    CHECK(a->spec->params.data() == o->spec->params.data());
    CHECK(a->spec->params.size() == o->spec->params.size());
    CHECK(a->spec->handlers.data() == o->spec->handlers.data());
    CHECK(a->spec->ports == o->spec->ports);
    CHECK(a->spec->port_open == o->spec->port_open);
    CHECK(a->processing.inputs == o->processing.inputs);
    CHECK(a->processing.outputs == o->processing.outputs);
  }
}

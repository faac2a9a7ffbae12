// Elaboration and graph checks through nb::compiler::compile_front_end: compound expansion and
// naming, splicing of compound ports, typed parameters, output counts, edge ports, and the
// diagnostics of the graph checks.
#include <nb/compiler/driver.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/lang/parser.hpp>

#include "../../elements/classifier/byte_pattern.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <vector>

using namespace nb;
using compiler::Graph;

namespace {

struct Compiled {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags{0};
  lang::FileId file = lang::kNoFile;
  compiler::FrontEndResult result;

  std::string rendered() const {
    std::ostringstream out;
    diags.render(out, sources);
    return out.str();
  }
  std::size_t errors() const { return diags.error_count(); }
  std::vector<std::string> error_messages() const {
    std::vector<std::string> out;
    for (const auto& d : diags.diagnostics()) {
      if (d.severity == lang::Severity::Error) out.push_back(d.message);
    }
    return out;
  }
  const lang::Diagnostic& first_error() const {
    for (const auto& d : diags.diagnostics()) {
      if (d.severity == lang::Severity::Error) return d;
    }
    FAIL("no error");
    return diags.diagnostics().front();
  }
  std::string_view text(lang::Span s) const { return sources.text(s); }
  lang::LineCol at(lang::Span s) const { return sources.file(file).line_col(s.begin); }
};

std::unique_ptr<Compiled> compile(std::string text, const compiler::Registry& registry = compiler::Registry::builtin()) {
  auto c = std::make_unique<Compiled>();
  c->file = c->sources.add("test.nbc", std::move(text));
  c->result = compiler::compile_front_end(c->sources, c->file, registry, c->diags);
  return c;
}

// Compiles text that must check cleanly and returns its graph.
const Graph& graph_of(const Compiled& c) {
  INFO(c.rendered());
  REQUIRE(c.errors() == 0);
  REQUIRE(c.result.graph.has_value());
  return *c.result.graph;
}

const compiler::Element& element(const Graph& g, std::string_view name) {
  int i = g.find(name);
  INFO("element " << std::string(name));
  REQUIRE(i >= 0);
  return g.elements[static_cast<std::size_t>(i)];
}

std::string class_of(const compiler::Element& e) { return std::string(e.cls->spec->class_name); }

// Every edge as "from[port] -> [port]to", sorted: independent of the order of statements.
std::vector<std::string> edges(const Graph& g) {
  std::vector<std::string> out;
  for (const auto& e : g.edges) {
    out.push_back(g.elements[e.from].name + "[" + std::to_string(e.from_port) + "] -> [" + std::to_string(e.to_port) +
                  "]" + g.elements[e.to].name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> names(const Graph& g) {
  std::vector<std::string> out;
  for (const auto& e : g.elements) out.push_back(e.name);
  return out;
}

template <class T>
T value_of(const compiler::Element& e, std::string_view param) {
  const compiler::ParamValue* p = e.param(param);
  INFO("parameter " << std::string(param) << " of " << e.name);
  REQUIRE(p != nullptr);
  REQUIRE(std::holds_alternative<T>(p->value));
  return std::get<T>(p->value);
}

}  // namespace

// ---- names -----------------------------------------------------------------------------------

TEST_CASE("anonymous elements are named Class@N by their position", "[checks][names]") {
  auto c = compile("FromDump(in.pcap) -> Counter -> Strip(14) -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) == std::vector<std::string>{"FromDump@1", "Counter@2", "Strip@3", "Discard@4"});
  for (const auto& e : g.elements) CHECK(e.anonymous);
  CHECK(class_of(element(g, "Strip@3")) == "Strip");
}

TEST_CASE("declared elements keep their names and count in the numbering", "[checks][names]") {
  auto c = compile("src :: FromDump(in.pcap);\nsrc -> c :: Counter -> Counter -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) == std::vector<std::string>{"src", "c", "Counter@3", "Discard@4"});
  CHECK_FALSE(element(g, "src").anonymous);
  CHECK_FALSE(element(g, "c").anonymous);
  CHECK(element(g, "Counter@3").anonymous);
}

TEST_CASE("compound elements are expanded into name/inner", "[checks][compound]") {
  auto c = compile(
      "elementclass Pipe { input -> c :: Counter -> Strip(14) -> output }\n"
      "FromDump(in.pcap) -> f :: Pipe -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) == std::vector<std::string>{"FromDump@1", "f/c", "f/Strip@2", "Discard@3"});
  CHECK(class_of(element(g, "f/c")) == "Counter");
  CHECK(g.find("f") == -1);  // the compound itself is not an element
  CHECK(edges(g) == std::vector<std::string>{"FromDump@1[0] -> [0]f/c", "f/Strip@2[0] -> [0]Discard@3",
                                             "f/c[0] -> [0]f/Strip@2"});
}

TEST_CASE("anonymous compound instances are named after their class", "[checks][compound]") {
  auto c = compile(
      "elementclass Pipe { input -> Counter -> output }\n"
      "FromDump(in.pcap) -> Pipe -> Pipe -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) == std::vector<std::string>{"FromDump@1", "Pipe@2/Counter@1", "Pipe@3/Counter@1", "Discard@4"});
  CHECK(edges(g) == std::vector<std::string>{"FromDump@1[0] -> [0]Pipe@2/Counter@1",
                                             "Pipe@2/Counter@1[0] -> [0]Pipe@3/Counter@1",
                                             "Pipe@3/Counter@1[0] -> [0]Discard@4"});
}

TEST_CASE("nested compounds nest their names", "[checks][compound]") {
  auto c = compile(
      "elementclass Outer {\n"
      "  elementclass Inner { input -> c :: Counter -> output }\n"
      "  input -> in :: Inner -> Inner -> output\n"
      "}\n"
      "FromDump(in.pcap) -> o :: Outer -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(g.find("o/in/c") >= 0);
  CHECK(g.find("o/Inner@2/c") >= 0);
  CHECK(edges(g) == std::vector<std::string>{"FromDump@1[0] -> [0]o/in/c", "o/Inner@2/c[0] -> [0]Discard@3",
                                             "o/in/c[0] -> [0]o/Inner@2/c"});
  // Inner is local to Outer.
  auto outside = compile(
      "elementclass Outer { elementclass Inner { input -> output } input -> Inner -> output }\n"
      "FromDump(in.pcap) -> Inner -> Discard;");
  REQUIRE(outside->errors() >= 1);
  CHECK(outside->error_messages()[0] == "unknown element class 'Inner'");
}

TEST_CASE("an anonymous compound is named compound@N", "[checks][compound]") {
  auto c = compile("FromDump(in.pcap) -> { input -> Counter -> output } -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) == std::vector<std::string>{"FromDump@1", "compound@2/Counter@1", "Discard@3"});
}

// ---- splicing ----------------------------------------------------------------------------------

TEST_CASE("input -> output inside a compound passes straight through", "[checks][splice]") {
  auto c = compile(
      "elementclass Wire { input -> output }\n"
      "FromDump(in.pcap) -> Wire -> w :: Wire -> Wire -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) == std::vector<std::string>{"FromDump@1", "Discard@5"});
  REQUIRE(g.edges.size() == 1);
  CHECK(edges(g) == std::vector<std::string>{"FromDump@1[0] -> [0]Discard@5"});
}

TEST_CASE("compound ports map to the ports of the elements inside", "[checks][splice]") {
  auto c = compile(
      "elementclass Swap { input [0] -> [1] output; input [1] -> [0] output }\n"
      "elementclass Merge { input [0] -> c :: Counter -> output; input [1] -> c }\n"
      "a :: FromDump(a.pcap); b :: FromDump(b.pcap); s :: Swap; m :: Merge;\n"
      "a -> [0] s; b -> [1] s;\n"
      "s [0] -> [0] m; s [1] -> [1] m;\n"
      "m -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) == std::vector<std::string>{"a", "b", "m/c", "Discard@5"});
  CHECK(edges(g) == std::vector<std::string>{"a[0] -> [0]m/c", "b[0] -> [0]m/c", "m/c[0] -> [0]Discard@5"});
}

TEST_CASE("spliced edges keep the ports of the primitive elements", "[checks][splice]") {
  auto c = compile(
      "elementclass Checked { input -> chk :: CheckIPHeader -> output; chk [1] -> [1] output }\n"
      "FromDump(in.pcap) -> k :: Checked;\n"
      "k [0] -> ToDump(good.pcap);\n"
      "k [1] -> [0] ToDump(bad.pcap);");
  const Graph& g = graph_of(*c);
  CHECK(edges(g) == std::vector<std::string>{"FromDump@1[0] -> [0]k/chk", "k/chk[0] -> [0]ToDump@3",
                                             "k/chk[1] -> [0]ToDump@4"});
  CHECK(element(g, "k/chk").noutputs == 2);
}

// ---- parameters ------------------------------------------------------------------------------

TEST_CASE("arguments are parsed by their type", "[checks][params]") {
  auto c = compile(
      "FromDump(in.pcap, STOP true) -> Strip(14) -> Paint(0x2a, 3) -> Unstrip(LENGTH 14)"
      " -> ToDump(\"out file.pcap\", 96);");
  const Graph& g = graph_of(*c);
  const auto& strip = element(g, "Strip@2");
  CHECK(value_of<std::uint64_t>(strip, "LENGTH") == 14);
  CHECK(strip.param("LENGTH")->text == "14");
  CHECK_FALSE(strip.param("LENGTH")->is_default);
  CHECK(c->text(strip.param("LENGTH")->span) == "14");

  const auto& src = element(g, "FromDump@1");
  CHECK(value_of<std::string>(src, "FILENAME") == "in.pcap");
  CHECK(value_of<bool>(src, "STOP") == true);
  CHECK(src.param("STOP")->text == "true");  // the value, without the keyword
  CHECK(value_of<bool>(src, "LOOP") == false);
  CHECK(src.param("LOOP")->is_default);
  CHECK_FALSE(src.param("LOOP")->span.valid());

  CHECK(value_of<std::uint64_t>(element(g, "Paint@3"), "COLOR") == 42);
  CHECK(value_of<std::uint64_t>(element(g, "Paint@3"), "ANNO") == 3);
  CHECK(value_of<std::uint64_t>(element(g, "Unstrip@4"), "LENGTH") == 14);
  CHECK(value_of<std::string>(element(g, "ToDump@5"), "FILENAME") == "out file.pcap");
  CHECK(value_of<std::uint64_t>(element(g, "ToDump@5"), "SNAPLEN") == 96);
}

TEST_CASE("CheckIPHeader without arguments gets its defaults", "[checks][params]") {
  auto c = compile("FromDump(in.pcap) -> chk :: CheckIPHeader -> Discard;");
  const Graph& g = graph_of(*c);
  const auto& chk = element(g, "chk");
  CHECK(value_of<std::uint64_t>(chk, "OFFSET") == 0);
  CHECK(chk.param("OFFSET")->is_default);
  CHECK(value_of<bool>(chk, "CHECKSUM") == true);
  CHECK(value_of<bool>(chk, "VERBOSE") == false);
  CHECK(chk.param("BADSRC") == nullptr);  // no default
  // Parameters are kept in schema order.
  REQUIRE(chk.params.size() == 3);
  CHECK(chk.params[0].param->name == "OFFSET");
  CHECK(chk.params[1].param->name == "CHECKSUM");
  CHECK(chk.params[2].param->name == "VERBOSE");
}

TEST_CASE("keyword arguments may come in any order; params stay in schema order", "[checks][params]") {
  auto c = compile("FromDevice(1, PROMISC yes, BURST 8, QUEUE 2) -> ToDevice(net_null0);");
  const Graph& g = graph_of(*c);
  const auto& in = element(g, "FromDevice@1");
  CHECK(value_of<std::uint64_t>(in, "QUEUE") == 2);
  CHECK(value_of<std::uint64_t>(in, "BURST") == 8);
  CHECK(value_of<bool>(in, "PROMISC") == true);
  CHECK(value_of<std::uint64_t>(in, "NDESC") == 0);
  std::vector<std::string> order;
  for (const auto& p : in.params) order.emplace_back(p.param->name);
  CHECK(order == std::vector<std::string>{"DEVNAME", "PROMISC", "QUEUE", "BURST", "NDESC", "METHOD", "SNIFFER"});
}

TEST_CASE("defines and formals are substituted before parsing", "[checks][params]") {
  auto c = compile(
      "define($LEN 14, $BASE trace);\n"
      "elementclass P { $color, ANNO $a | input -> Paint($color, $a) -> output }\n"
      "FromDump(${BASE}_in.pcap) -> Strip($LEN) -> P(7, ANNO 2) -> ToDump($BASE.out);");
  const Graph& g = graph_of(*c);
  CHECK(value_of<std::string>(element(g, "FromDump@1"), "FILENAME") == "trace_in.pcap");
  CHECK(value_of<std::uint64_t>(element(g, "Strip@2"), "LENGTH") == 14);
  CHECK(element(g, "Strip@2").param("LENGTH")->text == "14");
  const auto& paint = element(g, "P@3/Paint@1");
  CHECK(value_of<std::uint64_t>(paint, "COLOR") == 7);
  CHECK(value_of<std::uint64_t>(paint, "ANNO") == 2);
  CHECK(value_of<std::string>(element(g, "ToDump@4"), "FILENAME") == "trace.out");
}

TEST_CASE("defines inside a class are local; formals shadow nothing outside", "[checks][params]") {
  auto c = compile(
      "define($N 1);\n"
      "elementclass A { define($N 2); input -> Paint($N) -> output }\n"
      "FromDump(x) -> A -> Paint($N) -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(value_of<std::uint64_t>(element(g, "A@2/Paint@1"), "COLOR") == 2);
  CHECK(value_of<std::uint64_t>(element(g, "Paint@3"), "COLOR") == 1);
}

TEST_CASE("single quotes stop substitution", "[checks][params]") {
  auto c = compile("define($X a.pcap);\nFromDump('$X') -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(value_of<std::string>(element(g, "FromDump@1"), "FILENAME") == "$X");
}

TEST_CASE("Classifier patterns become byte patterns", "[checks][params]") {
  namespace bp = nb::elements::byte_pattern;
  auto c = compile(
      "c :: Classifier(12/0800 !23/06, 14/4?, -);\n"
      "FromDump(in.pcap) -> c; c [0] -> Discard; c [1] -> Discard; c [2] -> Discard;");
  const Graph& g = graph_of(*c);
  const auto& cl = element(g, "c");
  auto patterns = cl.params_named("PATTERN");
  REQUIRE(patterns.size() == 3);
  // The compiler keeps each pattern's text; Classifier parses it (and validated it).
  auto parsed = [&](std::size_t i) {
    REQUIRE(std::holds_alternative<std::string>(patterns[i]->value));
    bp::Pattern p;
    std::vector<nb::ParamError> errors;
    REQUIRE(bp::parse(std::get<std::string>(patterns[i]->value), p, errors));
    return p;
  };
  const auto p0 = parsed(0);
  CHECK_FALSE(p0.match_all);
  REQUIRE(p0.clauses.size() == 2);
  CHECK(p0.clauses[0].offset == 12);
  CHECK(p0.clauses[0].value == std::vector<std::uint8_t>{0x08, 0x00});
  CHECK_FALSE(p0.clauses[0].negated);
  CHECK(p0.clauses[1].offset == 23);
  CHECK(p0.clauses[1].negated);
  const auto p1 = parsed(1);
  REQUIRE(p1.clauses.size() == 1);
  CHECK(p1.clauses[0].mask == std::vector<std::uint8_t>{0xf0});
  CHECK(parsed(2).match_all);
}

// ---- output counts and ports -----------------------------------------------------------------

TEST_CASE("Classifier has one output per pattern", "[checks][ports]") {
  auto c = compile(
      "c :: Classifier(12/0806, 12/0800, -);\n"
      "FromDump(in.pcap) -> c; c [0] -> Discard; c [1] -> Discard; c [2] -> Discard;");
  const Graph& g = graph_of(*c);
  const auto& cl = element(g, "c");
  CHECK(cl.noutputs == 3);
  CHECK(cl.outputs_fixed);
  CHECK(cl.ninputs == 1);
}

TEST_CASE("Tee(N) has N outputs; plain Tee as many as are connected", "[checks][ports]") {
  auto c = compile(
      "t :: Tee(3); u :: Tee;\n"
      "FromDump(a) -> t; t [0] -> Discard; t [1] -> Discard; t [2] -> u;\n"
      "u [0] -> Discard; u [1] -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(element(g, "t").noutputs == 3);
  CHECK(element(g, "t").outputs_fixed);
  CHECK(value_of<std::uint64_t>(element(g, "t"), "N") == 3);
  CHECK(element(g, "u").noutputs == 2);
  CHECK_FALSE(element(g, "u").outputs_fixed);
  CHECK(element(g, "u").param("N") == nullptr);
}

TEST_CASE("optional outputs count only when connected", "[checks][ports]") {
  auto c = compile(
      "FromDump(a) -> one :: CheckIPHeader -> Discard;\n"
      "FromDump(b) -> two :: CheckIPHeader -> Discard; two [1] -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(element(g, "one").noutputs == 1);
  CHECK(element(g, "two").noutputs == 2);
  CHECK(element(g, "FromDump@1").ninputs == 0);
  CHECK(element(g, "Discard@3").noutputs == 0);
}

TEST_CASE("edges carry the ports and the spans written", "[checks][ports]") {
  auto c = compile("cl :: Classifier(12/0800, -);\nFromDump(a) -> cl;\ncl [1] -> [0] d :: Discard;\ncl [0] -> Discard;");
  const Graph& g = graph_of(*c);
  const compiler::Edge* e = nullptr;
  for (const auto& edge : g.edges) {
    if (g.elements[edge.from].name == "cl" && edge.from_port == 1) e = &edge;
  }
  REQUIRE(e != nullptr);
  CHECK(g.elements[e->to].name == "d");
  CHECK(e->to_port == 0);
  CHECK(c->text(e->from_span) == "cl [1]");
  CHECK(c->text(e->to_span) == "[0] d :: Discard");
  CHECK(c->text(e->arrow) == "->");
  CHECK(c->at(e->arrow).line == 3);
  CHECK(c->at(e->arrow).column == 8);
}

TEST_CASE("require statements are recorded", "[checks]") {
  auto c = compile("require(nb); require(package x, y)\nFromDump(a) -> Discard;");
  const Graph& g = graph_of(*c);
  REQUIRE(g.requirements.size() == 2);
  REQUIRE(g.requirements[1].args.size() == 2);
  CHECK(g.requirements[1].args[0].raw == "package x");
}

TEST_CASE("synonyms resolve to built-in and compound classes", "[checks][compound]") {
  auto c = compile(
      "elementclass Drop Discard; elementclass P { input -> Counter -> output } elementclass Q P;\n"
      "FromDump(a) -> q :: Q -> Drop;");
  const Graph& g = graph_of(*c);
  CHECK(class_of(element(g, "Drop@3")) == "Discard");
  CHECK(class_of(element(g, "q/Counter@1")) == "Counter");
}

// ---- errors of elaboration and of the graph checks --------------------------------------------

TEST_CASE("each graph error is reported once, at the right place", "[checks][errors]") {
  struct Case {
    const char* text;
    const char* message;
    unsigned line, column;
  };
  const Case cases[] = {
      {"FromDump(a) -> c :: Counter -> Discard;\nc -> Discard;", "output 0 of 'c' (Counter) is already connected", 2, 1},
      {"FromDump(a) -> Counter;", "output 0 of 'Counter@2' (Counter) is not connected", 1, 16},
      {"FromDump(a) -> c :: Counter -> Discard;\nc [1] -> Discard;", "output 1 is out of range: 'c' (Counter) has 1 output",
       2, 1},
      {"FromDump(a) -> Discard -> Discard;", "'Discard@2' (Discard) has no outputs", 1, 16},
      {"a :: Counter; b :: Counter;\nFromDump(x) -> a -> b;\nb -> a;", "this connection closes a cycle", 3, 3},
      {"t :: Tee(2); FromDump(a) -> t; t [0] -> Discard;", "output 1 of 't' (Tee) is not connected", 1, 1},
      {"FromDump(a) -> Conter -> Discard;", "unknown element class 'Conter'", 1, 16},
      {"FromDump(a) -> x -> Discard;", "undeclared element 'x'", 1, 16},
      {"c :: Counter; c :: Counter; FromDump(a) -> c -> Discard;", "redeclaration of 'c'", 1, 15},
      {"FromDump(a) -> Strip -> Discard;", "missing required argument LENGTH of Strip", 1, 16},
      {"FromDump(a) -> Strip(1, 2) -> Discard;", "too many arguments for Strip", 1, 25},
      {"FromDump(a, STPO true) -> Discard;", "unknown keyword 'STPO' for FromDump", 1, 13},
      {"FromDump(a, STOP 1, STOP 0) -> Discard;", "STOP is given more than once", 1, 21},
      {"FromDump(a) -> Strip(-3) -> Discard;", "an unsigned integer cannot be negative", 1, 22},
      {"FromDump(a) -> Strip(1x) -> Discard;", "expected a digit, found 'x'", 1, 23},
      {"FromDump(a) -> input;", "'input' can only be used inside an elementclass", 1, 16},
      {"elementclass A { input -> output } elementclass A { input -> output }", "redefinition of elementclass 'A'", 1,
       49},
  };
  for (const Case& k : cases) {
    INFO("input: " << k.text);
    auto c = compile(k.text);
    INFO(c->rendered());
    REQUIRE(c->errors() == 1);
    const auto& d = c->first_error();
    CHECK(d.message.find(k.message) != std::string::npos);
    CHECK(c->at(d.span).line == k.line);
    CHECK(c->at(d.span).column == k.column);
    CHECK_FALSE(c->result.graph.has_value());
  }
}

TEST_CASE("did-you-mean notes suggest the closest name", "[checks][errors]") {
  auto c = compile("FromDump(a) -> DecIPTL -> Discard;");
  REQUIRE(c->errors() == 1);
  const auto& d = c->first_error();
  REQUIRE_FALSE(d.notes.empty());
  CHECK(d.notes[0].message == "did you mean 'DecIPTTL'?");

  auto k = compile("FromDump(a, LOPP true) -> Discard;");
  REQUIRE(k->errors() == 1);
  REQUIRE_FALSE(k->first_error().notes.empty());
  CHECK(k->first_error().notes[0].message == "did you mean 'LOOP'?");

  auto v = compile("define($INPUT a);\nFromDump($INPTU) -> Discard;");
  REQUIRE(v->errors() == 1);
  CHECK(v->first_error().message == "undefined variable '$INPTU'");
  REQUIRE_FALSE(v->first_error().notes.empty());
  CHECK(v->first_error().notes[0].message == "did you mean '$INPUT'?");
}

TEST_CASE("errors inside a compound point into the body and note the instance", "[checks][errors]") {
  auto c = compile(
      "elementclass P {\n"
      "  input -> Strip(1x) -> output\n"
      "}\n"
      "FromDump(a) -> p :: P -> Discard;");
  REQUIRE(c->errors() == 1);
  const auto& d = c->first_error();
  CHECK(c->at(d.span).line == 2);
  CHECK(c->at(d.span).column == 19);
  bool noted = false;
  for (const auto& n : d.notes) noted = noted || (n.span.valid() && c->text(n.span) == "p");
  CHECK(noted);
}

TEST_CASE("a substituted argument is reported at the variable with the text it became", "[checks][errors]") {
  auto c = compile("define($L fourteen);\nFromDump(a) -> Strip($L) -> Discard;");
  REQUIRE(c->errors() == 1);
  const auto& d = c->first_error();
  CHECK(c->text(d.span) == "$L");
  bool noted = false;
  for (const auto& n : d.notes) noted = noted || n.message.find("'fourteen'") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("independent errors are all reported in one run", "[checks][errors]") {
  auto c = compile(
      "x :: Conter;\n"
      "FromDump(a) -> Strip(1a) -> d :: Discard;\n"
      "d :: Discard;\n");
  CHECK(c->errors() == 3);
  auto g = compile(
      "FromDump(a) -> c :: Counter -> Discard;\nc -> Discard;\n"
      "cl :: Classifier(12/0800, -); FromDump(b) -> cl -> Discard;\n"
      "p :: Counter; q :: Counter; FromDump(z) -> p -> q -> p;");
  CHECK(g->errors() == 3);
}

// ---- a custom registry: argument types no built-in element uses --------------------------------

namespace {

constexpr nb::ParamSpec kRouteParams[] = {
    {"PREFIX", nb::ParamType::IPv4Prefix, nb::ParamKind::Positional, true, "", "destination"},
    {"GW", nb::ParamType::IPv4Address, nb::ParamKind::Positional, false, "0.0.0.0", "gateway"},
    {"ETH", nb::ParamType::EtherAddress, nb::ParamKind::Keyword, false, "", "next hop"},
};
constexpr nb::ElementSpec kRouteSpec{
    .class_name = "TestRoute",
    .ports = "1/1",
    .params = kRouteParams,
    .brief = "test element",
    .description = "",
    .example = "",
};

const compiler::Registry& test_registry() {
  static const compiler::Registry r = [] {
    compiler::Registry reg = compiler::Registry::builtin();
    auto err = reg.add(kRouteSpec);
    REQUIRE_FALSE(err.has_value());
    return reg;
  }();
  return r;
}

}  // namespace

TEST_CASE("addresses and prefixes are typed values", "[checks][params]") {
  auto c = compile("FromDump(a) -> TestRoute(10.1.2.3/8, 10.0.0.1, ETH 00:11:22:33:44:55) -> Discard;",
                   test_registry());
  const Graph& g = graph_of(*c);
  const auto& r = element(g, "TestRoute@2");
  auto prefix = value_of<compiler::IPv4Prefix>(r, "PREFIX");
  CHECK(prefix.addr == 0x0a000000u);
  CHECK(prefix.length == 8);
  CHECK(value_of<compiler::IPv4Address>(r, "GW").addr == 0x0a000001u);
  CHECK(value_of<compiler::EtherAddress>(r, "ETH").bytes == std::array<std::uint8_t, 6>{0, 0x11, 0x22, 0x33, 0x44, 0x55});
}

TEST_CASE("bad addresses are reported inside the argument", "[checks][errors]") {
  struct Case {
    const char* args;
    const char* bad;  // the text the error must cover
    const char* message;
  };
  const Case cases[] = {
      {"10.0.0.0/33", "33", "prefix length 33 is larger than 32"},
      {"10.0.0.0/8, 10.0.300.1", "300", "larger than 255"},
      {"10.0.0.0/8, 10.0.0.1, ETH 00:11:22:33:44:GG", "G", "hex digit"},
      {"10.0.0.0/255.0.255.0", "255.0.255.0", "not contiguous"},
  };
  for (const Case& k : cases) {
    INFO("arguments: " << k.args);
    auto c = compile(std::string("FromDump(a) -> TestRoute(") + k.args + ") -> Discard;", test_registry());
    INFO(c->rendered());
    REQUIRE(c->errors() == 1);
    const auto& d = c->first_error();
    CHECK(d.message.find(k.message) != std::string::npos);
    CHECK(c->text(d.span) == k.bad);
  }
}

// ---- known problems: each test states the right behaviour ---------------------------------------

TEST_CASE("an undefined variable is one error, not also a type error", "[checks][errors]") {
  auto c = compile("FromDump(a) -> Strip($LEN) -> Discard;");
  INFO(c->rendered());
  CHECK(c->errors() == 1);
}

TEST_CASE("an edge to a missing input port does not also leave its source unconnected",
          "[checks][errors]") {
  auto c = compile("FromDump(a) -> [1] Counter -> Discard;");
  INFO(c->rendered());
  CHECK(c->errors() == 1);
}

TEST_CASE("a broken element inside a compound does not also break the compound's ports",
          "[checks][errors]") {
  auto c = compile("elementclass P { input -> Conter -> output }\nFromDump(a) -> P -> Discard;");
  INFO(c->rendered());
  CHECK(c->errors() == 1);
  auto r = compile("elementclass P { input -> P -> output }\nFromDump(a) -> P -> Discard;");
  INFO(r->rendered());
  CHECK(r->errors() == 1);
}

TEST_CASE("a missing compound argument is one error", "[checks][errors]") {
  auto c = compile("elementclass P { $n | input -> Strip($n) -> output }\nFromDump(a) -> P -> Discard;");
  INFO(c->rendered());
  CHECK(c->errors() == 1);
}

TEST_CASE("an unknown keyword of a compound class is named as such", "[checks][errors]") {
  auto c = compile(
      "elementclass P { $c, LEN $len | input -> Strip($len) -> Paint($c) -> output }\n"
      "FromDump(a) -> P(1, LNE 14) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() >= 1);
  CHECK(c->first_error().message.find("unknown keyword 'LNE'") != std::string::npos);
  CHECK(c->errors() == 1);
}

TEST_CASE("comments inside a configuration are white space", "[checks][params]") {
  auto c = compile(
      "FromDump(in.pcap /* trace */, STOP true) -> Strip(14 /* Ethernet */)\n"
      "  -> CheckIPHeader(CHECKSUM false // no checksum\n) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 0);
  REQUIRE(c->result.graph.has_value());
  const Graph& g = *c->result.graph;
  CHECK(value_of<std::string>(element(g, "FromDump@1"), "FILENAME") == "in.pcap");
  CHECK(value_of<std::uint64_t>(element(g, "Strip@2"), "LENGTH") == 14);
  CHECK(value_of<bool>(element(g, "CheckIPHeader@3"), "CHECKSUM") == false);
}

TEST_CASE("a port after the last element or before the first is an error", "[checks][errors]") {
  // Click: "output port useless at end of chain", "input port useless at start of chain".
  auto out = compile("FromDump(a) -> c :: Counter [1];\nc -> Discard;");
  CHECK(out->errors() == 1);
  auto in = compile("[1] FromDump(a) -> Discard;");
  CHECK(in->errors() == 1);
}

TEST_CASE("CheckIPHeader's BADSRC addresses are checked", "[checks][params]") {
  auto c = compile("FromDump(a) -> CheckIPHeader(BADSRC 10.0.0.1 10.0.0.256) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->text(c->first_error().span) == "256");
}

TEST_CASE("a cycle through a compound is reported at the connection that closes it",
          "[checks][errors]") {
  auto c = compile(
      "elementclass P { input -> Counter -> output }\n"
      "FromDump(a) -> x :: Counter -> t :: Tee; t [1] -> Discard;\n"
      "t [0] -> p :: P -> x;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->at(c->first_error().span).line == 3);
}

TEST_CASE("a formal parameter declared twice is an error", "[checks][errors]") {
  // Today the second $a silently wins.
  auto c = compile("elementclass A { $a, $a | input -> Paint($a) -> output }\nFromDump(x) -> A(1, 2) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->at(c->first_error().span).column == 22);
}

TEST_CASE("an unknown keyword on a positional parameter is named as such", "[checks][errors]") {
  // Strip(LENTH 14) is read as the positional value "LENTH 14": "expected a digit, found 'L'".
  auto c = compile("FromDump(a) -> Strip(LENTH 14) -> Discard;");
  REQUIRE(c->errors() == 1);
  CHECK(c->first_error().message.find("LENTH") != std::string::npos);
}

// ---- regressions ------------------------------------------------------------------------

TEST_CASE("errors in an argument with comments point at the right column", "[checks][params]") {
  auto c = compile("FromDump(a) -> Strip(/* c */ 1y /* d */) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->text(c->first_error().span) == "y");
  CHECK(c->at(c->first_error().span).column == 31);
  // A comment between two words is one space, as in Click.
  auto k = compile("FromDump(a /* trace */, /* keyword: */ STOP /* c */ true) -> Discard;");
  INFO(k->rendered());
  REQUIRE(k->errors() == 0);
  CHECK(value_of<bool>(element(*k->result.graph, "FromDump@1"), "STOP") == true);
  // A configuration of nothing but a comment has no arguments.
  auto e = compile("FromDump(a) -> Counter(/* none */) -> Discard;");
  INFO(e->rendered());
  CHECK(e->errors() == 0);
  // A classifier pattern after a comment.
  auto p = compile("FromDump(a) -> c :: Classifier(12/0800, /* c */ -); c [0] -> Discard; c [1] -> Discard;");
  INFO(p->rendered());
  REQUIRE(p->errors() == 0);
  CHECK(element(*p->result.graph, "c").noutputs == 2);
  // Variables inside comments are not substituted (and not undefined).
  auto v = compile("define($N 14 /* $NOPE */);\nFromDump(a) -> Strip($N /* $ALSO_NOPE */) -> Discard;");
  INFO(v->rendered());
  REQUIRE(v->errors() == 0);
  CHECK(value_of<std::uint64_t>(element(*v->result.graph, "Strip@2"), "LENGTH") == 14);
}

TEST_CASE("an undefined variable passed on to a compound is one error", "[checks][errors]") {
  auto c = compile("elementclass P { $n | input -> Strip($n) -> output }\nFromDump(a) -> P($NOPE) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->first_error().message == "undefined variable '$NOPE'");
  auto k = compile("FromDump(a) -> Strip(LENGTH $NOPE) -> Discard;");
  INFO(k->rendered());
  CHECK(k->errors() == 1);
  auto r = compile("FromDump(a, $NOPE true) -> Discard;");
  INFO(r->rendered());
  CHECK(r->errors() == 1);
}

TEST_CASE("a connection into an element without inputs is one error", "[checks][errors]") {
  auto c = compile("FromDump(a) -> b;\nb :: FromDump(c) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->first_error().message.find("has no inputs") != std::string::npos);
  // An output beyond the element's outputs: the destination's input is not reported unconnected.
  auto o = compile("FromDump(a) -> c :: Counter -> Discard;\nc [1] -> d :: Counter -> Discard;");
  INFO(o->rendered());
  CHECK(o->errors() == 1);
  CHECK(o->diags.warning_count() == 0);
}

TEST_CASE("a positional argument after a keyword is one error", "[checks][errors]") {
  auto c = compile("FromDump(STOP true, x) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->first_error().message == "positional argument after a keyword argument");
}

TEST_CASE("an unknown compound keyword suggests the right one", "[checks][errors]") {
  auto c = compile(
      "elementclass P { $c, LEN $len | input -> Strip($len) -> Paint($c) -> output }\n"
      "FromDump(a) -> P(1, LNE 14) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  const auto& d = c->first_error();
  CHECK(d.message == "unknown keyword 'LNE' for elementclass P");
  CHECK(c->text(d.span) == "LNE");
  bool hint = false;
  for (const auto& n : d.notes) hint = hint || n.message == "did you mean 'LEN'?";
  CHECK(hint);
  // Too many arguments is still one error, without "missing" ones.
  auto t = compile("elementclass P { $c | input -> Paint($c) -> output }\nFromDump(a) -> P(1, 2) -> Discard;");
  INFO(t->rendered());
  REQUIRE(t->errors() == 1);
  CHECK(t->first_error().message == "too many arguments for elementclass P");
}

TEST_CASE("keywords in lower case get a hint", "[checks][errors]") {
  auto c = compile("FromDump(x, stop true) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  const auto& d = c->first_error();
  CHECK(d.message == "unknown keyword 'stop' for FromDump");
  CHECK(c->text(d.span) == "stop");
  REQUIRE_FALSE(d.notes.empty());
  CHECK(d.notes[0].message == "keywords are upper case: did you mean 'STOP'?");
  auto s = compile("FromDump(x) -> Strip(length 14) -> Discard;");
  INFO(s->rendered());
  REQUIRE(s->errors() == 1);
  CHECK(s->first_error().message == "unknown keyword 'length' for Strip");
  // A misspelt upper-case keyword with a positional parameter left is still a keyword.
  auto k = compile("FromDump(a) -> Strip(LENTH 14) -> Discard;");
  INFO(k->rendered());
  REQUIRE(k->errors() == 1);
  CHECK(k->first_error().message == "unknown keyword 'LENTH' for Strip");
  REQUIRE_FALSE(k->first_error().notes.empty());
  CHECK(k->first_error().notes[0].message == "did you mean 'LENGTH'?");
}

TEST_CASE("output counts are worded with the right number", "[checks][errors]") {
  auto c = compile("t :: Tee(0);\nFromDump(x) -> t;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->first_error().message == "Tee cannot have 0 outputs: it needs at least 1 output");
  using compiler::PortRange;
  CHECK(compiler::describe_count(PortRange{1, 1}, "output") == "1 output");
  CHECK(compiler::describe_count(PortRange{2, 2}, "input") == "2 inputs");
  CHECK(compiler::describe_count(PortRange{0, 0}, "output") == "0 outputs");
  CHECK(compiler::describe_count(PortRange{1, 2}, "output") == "1 or 2 outputs");
  CHECK(compiler::describe_count(PortRange{0, PortRange::kUnbounded}, "output") == "any number of outputs");
  CHECK(compiler::describe_count(PortRange{2, PortRange::kUnbounded}, "output") == "at least 2 outputs");
}

TEST_CASE("an element used as a class is named as such", "[checks][errors]") {
  auto c = compile("c :: Counter;\nd :: c;\nFromDump(x) -> c -> d -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  const auto& d = c->first_error();
  CHECK(d.message == "'c' is an element, not an element class");
  CHECK(c->at(d.span).line == 2);
  REQUIRE(d.notes.size() == 1);
  CHECK(c->at(d.notes[0].span).line == 1);
}

TEST_CASE("classes that are never instantiated have their class names checked", "[checks][errors]") {
  auto c = compile("elementclass P { input -> Conter -> output }\nFromDump(a) -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->first_error().message == "unknown element class 'Conter'");
  // Nested classes, declarations, synonyms and anonymous compounds inside such a class.
  auto n = compile(
      "elementclass P {\n"
      "  elementclass Q { input -> Bad1 -> output }\n"
      "  x :: Bad2;\n"
      "  elementclass S Bad3;\n"
      "  input -> { input -> Bad4 -> output } -> Q -> x -> output\n"
      "}\n"
      "FromDump(a) -> Discard;");
  INFO(n->rendered());
  CHECK(n->errors() == 4);
  // Classes defined later, classes of the enclosing scope and built-ins are fine.
  auto ok = compile(
      "elementclass P { input -> Q -> c :: Counter -> R -> output; elementclass R { input -> output } }\n"
      "elementclass Q { input -> output }\nFromDump(a) -> Q -> Discard;");
  INFO(ok->rendered());
  CHECK(ok->errors() == 0);
}

TEST_CASE("a deep instantiation shows a few context notes", "[checks][errors]") {
  std::string text;
  for (int i = 0; i < 10; ++i)
    text += "elementclass C" + std::to_string(i) + " { input -> C" + std::to_string(i + 1) + " -> output }\n";
  text += "elementclass C10 { input -> Strip(1x) -> output }\nFromDump(x) -> C0 -> Discard;\n";
  auto c = compile(text);
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  const auto& notes = c->first_error().notes;
  std::size_t instantiated = 0;
  for (const auto& n : notes) instantiated += n.message.find("instantiated here") != std::string::npos;
  CHECK(instantiated == 5);
  bool more = false;
  for (const auto& n : notes) more = more || n.message == "... and 6 more instantiations";
  CHECK(more);
}

TEST_CASE("a cycle inside a compound body is reported there, with its instance", "[checks][errors]") {
  auto c = compile(
      "elementclass P { input -> t :: Tee; t [0] -> output; t [1] -> a :: Counter -> t }\n"
      "FromDump(x) -> p :: P -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  const auto& d = c->first_error();
  CHECK(c->at(d.span).line == 1);
  bool instantiated = false;
  for (const auto& n : d.notes) instantiated = instantiated || (n.span.valid() && c->text(n.span) == "p");
  CHECK(instantiated);
}

// ---- schema bounds: a plugin's documented range is the compiler's to enforce ---------------------

namespace {

constexpr nb::ParamSpec kRangeParams[] = {
    {"MAX", nb::ParamType::Unsigned, nb::ParamKind::Positional, true, "", "1 to 255", 1, 255},
    {"DELTA", nb::ParamType::Integer, nb::ParamKind::Keyword, false, "0", "-5 to 5", -5, 5},
};
constexpr nb::ElementSpec kRangeSpec{
    .class_name = "TestRange",
    .ports = "1/1",
    .params = kRangeParams,
    .brief = "test element",
    .description = "",
    .example = "",
};

const compiler::Registry& range_registry() {
  static const compiler::Registry r = [] {
    compiler::Registry reg = compiler::Registry::builtin();
    auto err = reg.add(kRangeSpec);
    REQUIRE_FALSE(err.has_value());
    return reg;
  }();
  return r;
}

}  // namespace

TEST_CASE("unsigned and integer arguments outside the schema's bounds are errors at the value",
          "[checks][params]") {
  struct Case {
    const char* args;
    const char* bad;  // the text the error must cover
    const char* message;
  };
  const Case cases[] = {
      {"0", "0", "0 is smaller than the minimum 1"},  // an Unsigned minimum was never checked
      {"256", "256", "256 is larger than the maximum 255"},
      {"7, DELTA -6", "-6", "-6 is smaller than the minimum -5"},
      {"7, DELTA 6", "6", "6 is larger than the maximum 5"},
  };
  for (const Case& k : cases) {
    INFO("arguments: " << k.args);
    auto c = compile(std::string("FromDump(a) -> TestRange(") + k.args + ") -> Discard;", range_registry());
    INFO(c->rendered());
    REQUIRE(c->errors() == 1);
    const auto& d = c->first_error();
    CHECK(d.message.find(k.message) != std::string::npos);
    CHECK(c->text(d.span) == k.bad);
  }
  for (const char* ok : {"1", "255", "1, DELTA -5", "9, DELTA 5"}) {
    INFO("arguments: " << ok);
    auto c = compile(std::string("FromDump(a) -> TestRange(") + ok + ") -> Discard;", range_registry());
    INFO(c->rendered());
    CHECK(c->errors() == 0);
  }
  // Tee's N below 1 keeps the port check's message, which says how many outputs Tee needs.
  auto tee = compile("FromDump(a) -> t :: Tee(0); t[0] -> Discard;");
  INFO(tee->rendered());
  CHECK(tee->error_messages().at(0).find("Tee cannot have 0 outputs") != std::string::npos);
}

// ---- element configure() reads checked against the schema (issue 20) ---------------------------

namespace {

// Reads a parameter as another type, or one its schema lacks: bugs the schema check must catch
// (GraphArgs used to give them 0 or false without a word).
template <int Mistake>
struct MisreadsArgs {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  struct Config {
    std::uint64_t max;
  };
  struct State {};
  static bool configure(const Args& args, Config& config, std::string&) {
    if constexpr (Mistake == 0) config.max = args.get_unsigned("MAX");  // right
    if constexpr (Mistake == 1) config.max = args.get_bool("MAX");      // an Unsigned read as a bool
    if constexpr (Mistake == 2) config.max = args.get_unsigned("MAXIMUM");  // not in the schema
    if constexpr (Mistake == 3) config.max = static_cast<std::uint64_t>(args.get_integer("MAX"));
    return true;
  }
  static void push(const Config&, State&, Context& ctx, std::uint32_t, Packet p NB_OWNED) { ctx.send(0, std::move(p)); }
};
constexpr nb::ParamSpec kMisreadParams[] = {
    {"MAX", nb::ParamType::Unsigned, nb::ParamKind::Positional, true, "", "a number"},
};
template <int Mistake>
constexpr ElementOps kMisreadOps = kernel_ops<MisreadsArgs<Mistake>>("none");
template <int Mistake>
constexpr ElementSpec MisreadsArgs<Mistake>::spec{
    .class_name = Mistake == 0 ? "ReadsArgs" : Mistake == 1 ? "MisreadsType" : Mistake == 2 ? "MisreadsName" : "MisreadsSign",
    .ports = "1/1",
    .params = kMisreadParams,
    .brief = "test element",
    .description = "",
    .example = "",
    .ops = &kMisreadOps<Mistake>,
};

std::size_t lower_errors(const std::string& text, const compiler::Registry& reg, std::string& rendered) {
  auto c = compile(text, reg);
  if (c->errors() == 0 && c->result.graph) compiler::lower(*c->result.graph, c->diags);
  rendered = c->rendered();
  return c->errors();
}

}  // namespace

TEST_CASE("a configure() that reads a parameter by a wrong name or type is an error", "[checks][params]") {
  compiler::Registry reg = compiler::Registry::builtin();
  REQUIRE_FALSE(reg.add(MisreadsArgs<0>::spec).has_value());
  REQUIRE_FALSE(reg.add(MisreadsArgs<1>::spec).has_value());
  REQUIRE_FALSE(reg.add(MisreadsArgs<2>::spec).has_value());
  REQUIRE_FALSE(reg.add(MisreadsArgs<3>::spec).has_value());
  std::string out;
  CHECK(lower_errors("FromDump(a) -> ReadsArgs(3) -> Discard;", reg, out) == 0);
  INFO(out);
  CHECK(lower_errors("FromDump(a) -> MisreadsType(3) -> Discard;", reg, out) == 1);
  CHECK(out.find("Args::get_bool(\"MAX\") reads a parameter of type") != std::string::npos);
  CHECK(lower_errors("FromDump(a) -> MisreadsName(3) -> Discard;", reg, out) == 1);
  CHECK(out.find("Args::get_unsigned(\"MAXIMUM\") reads a parameter the class does not declare") != std::string::npos);
  CHECK(lower_errors("FromDump(a) -> MisreadsSign(3) -> Discard;", reg, out) == 1);
}

TEST_CASE("every registered class's example checks and configures without an error", "[checks][params]") {
  const compiler::Registry& reg = compiler::Registry::builtin();
  // Examples name files relative to the source tree (SignatureMatcher reads configs/ids.rules
  // when configured); ctest runs the test elsewhere.
  struct InSourceTree {
    std::filesystem::path before = std::filesystem::current_path();
    InSourceTree() { std::filesystem::current_path(NB_SOURCE_DIR); }
    ~InSourceTree() { std::filesystem::current_path(before); }
  } in_source_tree;
  for (const auto& [name, cls] : reg.classes()) {
    INFO(name);
    const ElementSpec& s = *cls.spec;
    CHECK(s.ops != nullptr);
    REQUIRE_FALSE(s.example.empty());
    std::string out;
    const std::size_t errors = lower_errors(std::string(s.example), reg, out);
    INFO(out);
    CHECK(errors == 0);
  }
}

namespace {

// What `nbc doc CLASS` prints (the real binary, as a user runs it).
std::string nbc_doc(const std::string& cls) {
  std::string out;
  FILE* f = ::popen((std::string(NB_NBC) + " doc '" + cls + "' 2>&1").c_str(), "r");
  REQUIRE(f != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  CHECK(::pclose(f) == 0);
  return out;
}

// The lines of the part of `doc` that starts with the line `heading` and ends at a blank line.
std::vector<std::string> section(const std::string& doc, const std::string& heading) {
  std::vector<std::string> lines;
  std::istringstream in(doc);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (!inside) {
      inside = line == heading;
      continue;
    }
    if (line.empty()) break;
    lines.push_back(line);
  }
  return lines;
}

bool has_line(const std::vector<std::string>& lines, std::string_view prefix) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); });
}

}  // namespace

TEST_CASE("every registered class's doc names each of its handlers and drop reasons", "[checks][doc]") {
  const compiler::Registry& reg = compiler::Registry::builtin();
  for (const auto& [name, cls] : reg.classes()) {
    INFO(name);
    const ElementSpec& s = *cls.spec;
    CHECK_FALSE(s.brief.empty());
    CHECK_FALSE(s.description.empty());
    const std::string doc = nbc_doc(name);
    INFO(doc);
    const std::vector<std::string> handlers = section(doc, "HANDLERS");
    for (const HandlerSpec& h : s.handlers) {
      INFO("handler " << std::string(h.name));
      CHECK_FALSE(h.doc.empty());
      CHECK(has_line(handlers, "  " + std::string(h.name) + " ("));
    }
    if (s.ops == nullptr) continue;
    const std::vector<std::string> drops = section(doc, "DROP REASONS");
    for (const DropReason& r : s.ops->drop_reasons) {
      INFO("drop reason " << std::string(r.name));
      CHECK_FALSE(r.doc.empty());
      CHECK(std::find(drops.begin(), drops.end(), "  " + std::string(r.name)) != drops.end());
    }
  }
}

// ---- port elements -----------------------------------------------------------------------------

namespace {

// Port elements as a plugin would declare them: other class and parameter names than the
// built-ins', no optional parameters (ACTIVE absent must not pause the source).
constexpr ParamSpec kTapInParams[] = {
    {"FILE", ParamType::Filename, ParamKind::Positional, true, "", "the trace"},
};
constexpr ParamSpec kTapOutParams[] = {
    {.name = "FILE",
     .type = ParamType::Filename,
     .kind = ParamKind::Positional,
     .required = true,
     .default_value = "",
     .doc = "the copy",
     .file_access = FileAccess::Write},
};
constexpr ParamSpec kWireParams[] = {
    {"PORT", ParamType::Device, ParamKind::Positional, true, "", "the device"},
    {"QUEUE", ParamType::Unsigned, ParamKind::Keyword, false, "0", "queue", 0, 7},
};
constexpr ElementSpec port_spec(std::string_view name, std::span<const ParamSpec> params, const ElementOps* ops,
                                PortOpen open, std::string_view param) {
  return {.class_name = name,
          .ports = ops == &kSourceOps ? "0/1" : "1/0",
          .params = params,
          .brief = "test",
          .description = "",
          .example = "",
          .ops = ops,
          .port_open = open,
          .port_param = param};
}

constexpr ElementSpec kTapIn{.class_name = "TapIn",
                             .ports = "0/1",
                             .params = kTapInParams,
                             .brief = "test",
                             .description = "",
                             .example = "",
                             .ops = &kSourceOps,
                             .port_open = PortOpen::PcapRead,
                             .port_param = "FILE"};
constexpr ElementSpec kTapOut{.class_name = "TapOut",
                              .ports = "1/0",
                              .params = kTapOutParams,
                              .brief = "test",
                              .description = "",
                              .example = "",
                              .ops = &kSinkOps,
                              .port_open = PortOpen::PcapWrite,
                              .port_param = "FILE"};
constexpr ElementSpec kWireIn{.class_name = "WireIn",
                              .ports = "0/1",
                              .params = kWireParams,
                              .brief = "test",
                              .description = "",
                              .example = "",
                              .ops = &kSourceOps,
                              .port_open = PortOpen::DeviceRx,
                              .port_param = "PORT"};

const compiler::Registry& port_registry() {
  static const compiler::Registry r = [] {
    compiler::Registry reg = compiler::Registry::builtin();
    for (const ElementSpec* s : {&kTapIn, &kTapOut, &kWireIn}) {
      auto err = reg.add(*s);
      INFO(err.value_or(""));
      REQUIRE_FALSE(err.has_value());
    }
    return reg;
  }();
  return r;
}

}  // namespace

TEST_CASE("a port element's spec, not its class name, says how its port is opened", "[checks][ports]") {
  auto c = compile("TapIn(in.pcap) -> TapOut(out.pcap); WireIn(net_null0, QUEUE 3) -> ToDevice(net_null0);",
                   port_registry());
  const Graph& g = graph_of(*c);
  auto plan = compiler::lower(g, c->diags);
  INFO(c->rendered());
  REQUIRE(plan.has_value());
  REQUIRE(plan->ports.size() == 3);
  const compiler::PlanPort& in = plan->ports[static_cast<std::size_t>(plan->elements[0].port)];
  CHECK(in.kind == compiler::PlanPort::Kind::PcapIn);
  CHECK(in.file == "in.pcap");
  CHECK(in.active);  // no ACTIVE parameter: the source runs
  CHECK_FALSE(in.loop);
  const compiler::PlanPort& out = plan->ports[static_cast<std::size_t>(plan->elements[1].port)];
  CHECK(out.kind == compiler::PlanPort::Kind::PcapOut);
  CHECK(out.file == "out.pcap");
  // WireIn and ToDevice share the device's port.
  CHECK(plan->elements[2].port == plan->elements[3].port);
  const compiler::PlanPort& dev = plan->ports[static_cast<std::size_t>(plan->elements[2].port)];
  CHECK(dev.kind == compiler::PlanPort::Kind::Device);
  CHECK(dev.device == "net_null0");
  CHECK(dev.rx_queue == 3);

  // A plugin's file reader gets the built-in's checks: a read file written again is refused,
  // and so is a ',' in the name net_pcap would read.
  auto clash = compile("TapIn(x.pcap) -> ToDump(x.pcap);", port_registry());
  REQUIRE(clash->result.graph.has_value());
  CHECK_FALSE(compiler::lower(*clash->result.graph, clash->diags).has_value());
  CHECK(clash->rendered().find("which TapIn") != std::string::npos);
  auto comma = compile("TapIn(\"a,b.pcap\") -> Discard;", port_registry());
  CHECK(comma->rendered().find("pcap file names cannot contain ','") != std::string::npos);

  // Two receivers on one device: the message names the class of the first.
  auto twice = compile("WireIn(0) -> Discard; FromDevice(0) -> Discard;", port_registry());
  REQUIRE(twice->result.graph.has_value());
  CHECK_FALSE(compiler::lower(*twice->result.graph, twice->diags).has_value());
  CHECK(twice->rendered().find("device '0' already has a WireIn") != std::string::npos);
}

TEST_CASE("FromDump's time window reaches its port in microseconds, with what each bound counts from",
          "[checks][ports]") {
  using From = compiler::TraceWindow::From;
  auto window_of = [](const std::string& args) {
    auto c = compile("FromDump(in.pcap" + args + ") -> Discard;");
    INFO(c->rendered());
    REQUIRE(c->result.graph.has_value());
    auto plan = compiler::lower(*c->result.graph, c->diags);
    REQUIRE(plan.has_value());
    return plan->ports[static_cast<std::size_t>(plan->elements[0].port)].window;
  };
  CHECK_FALSE(window_of("").any());
  compiler::TraceWindow w = window_of(", START 1700000000.25, END 1700000060");
  CHECK(w.start_from == From::Epoch);
  CHECK(w.start_us == 1'700'000'000'250'000);
  CHECK(w.end_from == From::Epoch);
  CHECK(w.end_us == 1'700'000'060'000'000);
  w = window_of(", START_AFTER 500ms, END_AFTER 2min");
  CHECK(w.start_from == From::FirstRecord);
  CHECK(w.start_us == 500'000);
  CHECK(w.end_from == From::FirstRecord);
  CHECK(w.end_us == 120'000'000);
  w = window_of(", INTERVAL 1h, TIMING true");
  CHECK(w.start_from == From::None);
  CHECK(w.end_from == From::Start);
  CHECK(w.end_us == 3'600'000'000);
  // Bounds compared only at run time (START against the first record's time): accepted.
  w = window_of(", START 1700000000, END_AFTER 1s");
  CHECK(w.start_from == From::Epoch);
  CHECK(w.end_from == From::FirstRecord);
}

TEST_CASE("a port element whose spec does not fit together is refused at registration", "[checks][ports]") {
  compiler::Registry reg;
  // A source that names no port to open.
  static constexpr ElementSpec no_port = port_spec("NoPort", kTapInParams, &kSourceOps, PortOpen::None, "");
  CHECK(reg.add(no_port).value_or("").find("names no port to open") != std::string::npos);
  // The named parameter is missing, or of the wrong type.
  static constexpr ElementSpec bad_param =
      port_spec("BadParam", kTapInParams, &kSourceOps, PortOpen::PcapRead, "FILENAME");
  CHECK(reg.add(bad_param).value_or("").find("which is not a Filename parameter") != std::string::npos);
  static constexpr ElementSpec device_file =
      port_spec("DeviceFile", kTapInParams, &kSourceOps, PortOpen::DeviceRx, "FILE");
  CHECK(reg.add(device_file).value_or("").find("which is not a Device parameter") != std::string::npos);
  // A writer declared with a file it reads (the read/write clash check would miss it).
  static constexpr ElementSpec reads_written =
      port_spec("ReadsWritten", kTapInParams, &kSinkOps, PortOpen::PcapWrite, "FILE");
  CHECK(reg.add(reads_written).value_or("").find("file_access Write") != std::string::npos);
  // Ops that do not match the direction.
  static constexpr ElementSpec wrong_ops = port_spec("WrongOps", kTapInParams, &kSinkOps, PortOpen::PcapRead, "FILE");
  CHECK(reg.add(wrong_ops).value_or("").find("are not kSourceOps") != std::string::npos);
  // An optional parameter the compiler reads by name, with another type.
  static constexpr ParamSpec queue_text[] = {
      {"PORT", ParamType::Device, ParamKind::Positional, true, "", ""},
      {"QUEUE", ParamType::String, ParamKind::Keyword, false, "", ""},
  };
  static constexpr ElementSpec bad_queue = port_spec("BadQueue", queue_text, &kSinkOps, PortOpen::DeviceTx, "PORT");
  CHECK(reg.add(bad_queue).value_or("").find("'QUEUE' of a port element must be Unsigned") != std::string::npos);
  // A file reader's time window is read as times: a plugin's START must be one too.
  static constexpr ParamSpec start_text[] = {
      {"FILE", ParamType::Filename, ParamKind::Positional, true, "", ""},
      {"START", ParamType::String, ParamKind::Keyword, false, "", ""},
  };
  static constexpr ElementSpec bad_start = port_spec("BadStart", start_text, &kSourceOps, PortOpen::PcapRead, "FILE");
  CHECK(reg.add(bad_start).value_or("").find("'START' of a port element must be Duration") != std::string::npos);
  // Every built-in port element passes.
  CHECK(compiler::Registry::builtin().find("FromDump")->spec->port_open == PortOpen::PcapRead);
  CHECK(reg.names().empty());
}

TEST_CASE("an IPv4 address reads the same in an address argument and inside an element's own text",
          "[checks][params]") {
  // One dotted-quad scanner (nb/text.hpp) for the compiler and the elements: a part with leading
  // zeros was an address to the compiler but not to LookupIPRoute's routes or IPFilter's rules.
  for (const char* addr : {"10.0.0.1", "0010.0.0.1", "10.000.0.1"}) {
    INFO(addr);
    const std::string a(addr);
    auto c = compile("FromDump(x) -> Paint(1) -> ToDump(y); FromDevice(0, PROMISC false) -> CheckIPHeader(BADSRC " +
                     a + ") -> LookupIPRoute(" + a + "/32 0) -> IPFilter(allow src host " + a + ") -> Discard;");
    INFO(c->rendered());
    REQUIRE(c->errors() == 0);
    CHECK(compiler::lower(*c->result.graph, c->diags).has_value());
    CHECK(c->errors() == 0);
  }
  for (const char* bad : {"10.0.0", "256.0.0.1", "10.0.0.1.2", "10..0.1"}) {
    INFO(bad);
    const std::string a(bad);
    auto route = compile("FromDump(x) -> LookupIPRoute(\"" + a + "/32 0\") -> Discard;");
    if (route->errors() == 0) CHECK_FALSE(compiler::lower(*route->result.graph, route->diags).has_value());
    auto filter = compile("FromDump(x) -> IPFilter(allow src host " + a + ") -> Discard;");
    CHECK(filter->errors() == 1);
  }
}

TEST_CASE("port lists, element lists and '=>' expand to Click's connections", "[checks][ports]") {
  auto c = compile(
      "cl :: Classifier(12/0800, 12/0806, -);\n"
      "FromDump(a) -> cl => Paint(1), Paint(2), Paint(3) -> d :: Discard;\n"
      "t :: Tee(3);\n"
      "FromDump(b) -> t [0-2] => s :: Counter, u :: Counter, [0] d;\n"
      "s, u -> d;\n");
  const Graph& g = graph_of(*c);
  CHECK(edges(g) == std::vector<std::string>{"FromDump@2[0] -> [0]cl", "FromDump@8[0] -> [0]t", "Paint@3[0] -> [0]d",
                                             "Paint@4[0] -> [0]d", "Paint@5[0] -> [0]d", "cl[0] -> [0]Paint@3",
                                             "cl[1] -> [0]Paint@4", "cl[2] -> [0]Paint@5", "s[0] -> [0]d",
                                             "t[0] -> [0]s", "t[1] -> [0]u", "t[2] -> [0]d", "u[0] -> [0]d"});
}

TEST_CASE("a port list names ports that must exist", "[checks][ports][errors]") {
  auto c = compile("FromDump(a) -> c :: Counter [0-1] -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->at(c->first_error().span).column == 16);
}

TEST_CASE("${VAR-DEFAULT} is VAR's value, or DEFAULT where VAR is not defined", "[checks][define]") {
  auto c = compile(
      "define($LEN 14);\n"
      "FromDump(${FILE-in.pcap}) -> a :: Strip(${LEN-20}) -> b :: Strip(${NONE-}4) -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(value_of<std::string>(element(g, "FromDump@1"), "FILENAME") == "in.pcap");
  CHECK(value_of<std::uint64_t>(element(g, "a"), "LENGTH") == 14);
  CHECK(value_of<std::uint64_t>(element(g, "b"), "LENGTH") == 4);
  // Without a '-', an undefined variable is still an error.
  auto bad = compile("FromDump(${FILE}) -> Discard;");
  CHECK(bad->errors() == 1);
}

TEST_CASE("a define's value is expanded where it is defined, as Click does", "[checks][define]") {
  // Click's test-ping.click: define($DEV eth0, $GW $DEV:gw). $GW used to be the text "$DEV:gw".
  auto c = compile(
      "define($BASE in, $FILE ${BASE}.pcap, $LEN 14, $TWICE $LEN$LEN);\n"
      "FromDump($FILE) -> a :: Strip($TWICE) -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(value_of<std::string>(element(g, "FromDump@1"), "FILENAME") == "in.pcap");
  CHECK(value_of<std::uint64_t>(element(g, "a"), "LENGTH") == 1414);
  // Quoted text stays as written; a variable not defined yet leaves the value as it is.
  auto q = compile("define($A 1, $B '$A');\nFromDump($B) -> Discard;");
  CHECK(value_of<std::string>(element(graph_of(*q), "FromDump@1"), "FILENAME") == "$A");
}

TEST_CASE("a push cycle a packet can leave runs through a queue, with a warning", "[checks][cycles]") {
  // Click's fake-iprouter.click sends ICMP errors back to the route table; nb used to refuse it.
  auto c = compile(
      "FromDump(a) -> rt :: LookupIPRoute(10.0.0.0/8 0, 0.0.0.0/0 1);\n"
      "rt[0] -> Discard;\n"
      "rt[1] -> ttl :: DecIPTTL -> m :: IPMirror -> rt;\n"
      "ttl[1] -> Discard;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 0);
  REQUIRE(c->result.graph);
  const Graph& g = *c->result.graph;
  auto find = [&](std::string_view name) -> int {
    for (std::size_t i = 0; i < g.elements.size(); ++i)
      if (g.elements[i].name == name) return static_cast<int>(i);
    return -1;
  };
  const int q = find("rt@cycle/queue");
  const int u = find("rt@cycle/unqueue");
  REQUIRE(q >= 0);
  REQUIRE(u >= 0);
  CHECK(g.elements[q].cls->spec->class_name == "Queue");
  CHECK(g.elements[u].cls->spec->class_name == "Unqueue");
  // m -> queue -> unqueue -> rt, and no connection from m straight to rt any more.
  bool m_to_q = false, q_to_u = false, u_to_rt = false, m_to_rt = false;
  for (const auto& e : g.edges) {
    const std::string& from = g.elements[e.from].name;
    const std::string& to = g.elements[e.to].name;
    m_to_q = m_to_q || (from == "m" && to == "rt@cycle/queue");
    q_to_u = q_to_u || (from == "rt@cycle/queue" && to == "rt@cycle/unqueue");
    u_to_rt = u_to_rt || (from == "rt@cycle/unqueue" && to == "rt" && e.to_port == 0);
    m_to_rt = m_to_rt || (from == "m" && to == "rt");
  }
  CHECK(m_to_q);
  CHECK(q_to_u);
  CHECK(u_to_rt);
  CHECK_FALSE(m_to_rt);
  CHECK(c->rendered().find("warning: this connection closes a push cycle") != std::string::npos);
  CHECK(c->at(c->diags.diagnostics().front().span).line == 3);
  // The plan takes the implicit Unqueue as a task.
  auto plan = compiler::lower(g, c->diags);
  REQUIRE(plan);
  CHECK(std::any_of(plan->tasks.begin(), plan->tasks.end(),
                    [&](const auto& t) { return plan->elements[t.puller].name == "rt@cycle/unqueue"; }));
}

TEST_CASE("a cycle whose only way out copies every packet stays an error", "[checks][cycles]") {
  auto c = compile("FromDump(a) -> t :: Tee -> Discard;\nt[1] -> x :: Counter -> t;");
  INFO(c->rendered());
  REQUIRE(c->errors() == 1);
  CHECK(c->rendered().find("a copy of every packet goes round it again") != std::string::npos);
}

TEST_CASE("Click's flow codes say which inputs reach which outputs", "[checks][cycles]") {
  auto all = compiler::parse_flow_code("");
  REQUIRE(all);
  CHECK(all->flows(3, 0));
  auto same = compiler::parse_flow_code("#/#");
  REQUIRE(same);
  CHECK(same->flows(0, 0));
  CHECK(same->flows(1, 1));
  CHECK_FALSE(same->flows(1, 0));
  CHECK_FALSE(same->flows(0, 1));
  auto xy = compiler::parse_flow_code("xy/x");  // input 1 (and later ones) reach nothing
  REQUIRE(xy);
  CHECK(xy->flows(0, 0));
  CHECK(xy->flows(0, 5));
  CHECK_FALSE(xy->flows(1, 0));
  CHECK_FALSE(xy->flows(4, 2));
  auto set = compiler::parse_flow_code("[xy]y/x");
  REQUIRE(set);
  CHECK(set->flows(0, 0));
  CHECK_FALSE(set->flows(1, 0));
  CHECK_FALSE(compiler::parse_flow_code("x"));
  CHECK_FALSE(compiler::parse_flow_code("x/[y"));
  CHECK_FALSE(compiler::parse_flow_code("x/1"));
}

TEST_CASE("KernelTun's output 1 gets what is not IP through a Classifier the compiler adds", "[checks][host]") {
  auto c = compile(
      "tun :: KernelTun(1.0.0.1/8);\n"
      "tun -> CheckIPHeader -> Discard;\n"
      "tun[1] -> nonip :: Discard;\n");
  const Graph& g = graph_of(*c);
  const compiler::Element& split = element(g, "tun/split");
  CHECK(class_of(split) == "Classifier");
  CHECK(split.noutputs == 2);
  CHECK(element(g, "tun").noutputs == 1);
  const std::vector<std::string> e = edges(g);
  CHECK(std::find(e.begin(), e.end(), "tun[0] -> [0]tun/split") != e.end());
  CHECK(std::find(e.begin(), e.end(), "tun/split[1] -> [0]nonip") != e.end());

  // One output: nothing added, every packet to output 0 (as before).
  auto one = compile("tun :: KernelTun(1.0.0.1/8) -> Discard;\n");
  CHECK(graph_of(*one).find("tun/split") < 0);

  // Output 1 alone: the usual error at the element, not at a hidden one.
  auto alone = compile("tun :: KernelTun(1.0.0.1/8);\ntun[1] -> Discard;\n");
  CHECK(alone->rendered().find("output 0 of 'tun' (KernelTun) is not connected") != std::string::npos);
  CHECK(alone->rendered().find("split") == std::string::npos);
  // KernelTap has no such output.
  auto tap = compile("tap :: KernelTap(1.0.0.1/8);\ntap -> Discard;\ntap[1] -> Discard;\n");
  CHECK(tap->rendered().find("output 1 is out of range: 'tap' (KernelTap) has 1 output") != std::string::npos);
}

TEST_CASE("several ToDevices may send through one device when their transmit settings agree", "[checks][ports]") {
  auto c = compile(
      "FromDevice(net_null0) -> c :: Classifier(12/0806, -);\n"
      "c[0] -> a :: ToDevice(net_null0);\n"
      "c[1] -> b :: ToDevice(net_null0, BURST 16);\n");
  REQUIRE(c->result.graph.has_value());
  auto plan = compiler::lower(*c->result.graph, c->diags);
  INFO(c->rendered());
  REQUIRE(plan.has_value());
  const Graph& g = *c->result.graph;
  const auto a = static_cast<std::size_t>(g.find("a")), b = static_cast<std::size_t>(g.find("b"));
  CHECK(plan->elements[a].port == plan->elements[b].port);
  CHECK(plan->ports[static_cast<std::size_t>(plan->elements[a].port)].tx_burst == 16);

  auto differ = compile(
      "FromDevice(net_null0) -> c :: Classifier(12/0806, -);\n"
      "c[0] -> a :: ToDevice(net_null0, BURST 8);\n"
      "c[1] -> b :: ToDevice(net_null0, BURST 16);\n");
  REQUIRE(differ->result.graph.has_value());
  CHECK_FALSE(compiler::lower(*differ->result.graph, differ->diags).has_value());
  CHECK(differ->rendered().find("'a' and 'b' send through device 'net_null0' with different BURST") !=
        std::string::npos);

  // Two files are still one writer each.
  auto files = compile("FromDump(a.pcap) -> t :: Tee; t[0] -> ToDump(o.pcap); t[1] -> ToDump(o.pcap);\n");
  if (files->result.graph) CHECK_FALSE(compiler::lower(*files->result.graph, files->diags).has_value());
  CHECK(files->errors() > 0);
}

TEST_CASE("FromDevice's SNIFFER false asks the runtime to keep the kernel from the device", "[checks][ports]") {
  auto c = compile("FromDevice(eth0, SNIFFER false) -> Discard;\nFromDevice(net_null1) -> Discard;\n");
  REQUIRE(c->result.graph.has_value());
  auto plan = compiler::lower(*c->result.graph, c->diags);
  INFO(c->rendered());
  REQUIRE(plan.has_value());
  REQUIRE(plan->ports.size() == 2);
  CHECK(plan->ports[0].hide_from_kernel);
  CHECK_FALSE(plan->ports[1].hide_from_kernel);
}

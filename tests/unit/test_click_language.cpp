// The rest of Click's language (issue 18, item 4) and `nbc flatten` (item 5): command-line
// definitions, __REST__, overloaded compounds and `...`, the override idiom, #line,
// require(library), and the flat configuration of a graph.
#include <nb/compiler/driver.hpp>
#include <nb/compiler/flatten.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/lang/parser.hpp>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace nb;
using compiler::Graph;
namespace fs = std::filesystem;

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
  const lang::Diagnostic& first_error() const {
    for (const auto& d : diags.diagnostics()) {
      if (d.severity == lang::Severity::Error) return d;
    }
    FAIL("no error");
    return diags.diagnostics().front();
  }
};

std::unique_ptr<Compiled> compile(std::string text, compiler::Definitions defs = {}, std::string name = "test.nbc") {
  auto c = std::make_unique<Compiled>();
  c->file = c->sources.add(std::move(name), std::move(text));
  c->result = compiler::compile_front_end(c->sources, c->file, compiler::Registry::builtin(), c->diags, {}, defs);
  return c;
}

const Graph& graph_of(const Compiled& c) {
  INFO(c.rendered());
  REQUIRE(c.errors() == 0);
  REQUIRE(c.result.graph.has_value());
  return *c.result.graph;
}

// Every element as "name :: Class(args)" and every edge, in the graph's order.
std::string signature(const Graph& g) {
  std::string s;
  for (const auto& e : g.elements) {
    s += e.name + " :: " + std::string(e.cls->spec->class_name) + "(";
    for (const auto& a : e.args) s += a + ";";
    s += ")\n";
  }
  for (const auto& e : g.edges)
    s += fmt::format("{}[{}] -> [{}]{}\n", g.elements[e.from].name, e.from_port, e.to_port, g.elements[e.to].name);
  return s;
}

std::string arg_of(const Graph& g, std::string_view name, std::size_t i = 0) {
  int k = g.find(name);
  INFO("element " << std::string(name));
  REQUIRE(k >= 0);
  const auto& e = g.elements[static_cast<std::size_t>(k)];
  REQUIRE(i < e.args.size());
  return e.args[i];
}

std::vector<std::string> names(const Graph& g) {
  std::vector<std::string> out;
  for (const auto& e : g.elements) out.push_back(e.name);
  return out;
}

}  // namespace

// ---- definitions from the command line ---------------------------------------------------------

TEST_CASE("a definition overrides a top-level define and fills ${NAME-DEFAULT}", "[click-lang][definitions]") {
  const char* text = "define($LEN 14);\nFromDump(in.pcap) -> Strip($LEN) -> ToDump(${OUT-out.pcap});";
  auto plain = compile(text);
  CHECK(arg_of(graph_of(*plain), "Strip@2") == "14");
  CHECK(arg_of(graph_of(*plain), "ToDump@3") == "out.pcap");
  auto c = compile(text, {{"$LEN", "20"}, {"$OUT", "x.pcap"}});
  CHECK(arg_of(graph_of(*c), "Strip@2") == "20");
  CHECK(arg_of(graph_of(*c), "ToDump@3") == "x.pcap");
}

TEST_CASE("a definition defines a variable the file does not", "[click-lang][definitions]") {
  const char* text = "FromDump(in.pcap) -> Strip($LEN) -> Discard;";
  CHECK(compile(text)->errors() == 1);
  auto c = compile(text, {{"$LEN", "6"}});
  CHECK(arg_of(graph_of(*c), "Strip@2") == "6");
}

TEST_CASE("a definition does not override a define inside a class body", "[click-lang][definitions]") {
  auto c = compile(
      "elementclass S { define($LEN 2); input -> Strip($LEN) -> output }\n"
      "FromDump(in.pcap) -> S -> Strip($LEN) -> Discard;",
      {{"$LEN", "6"}});
  const Graph& g = graph_of(*c);
  CHECK(arg_of(g, "S@2/Strip@1") == "2");
  CHECK(arg_of(g, "Strip@3") == "6");
}

TEST_CASE("an unused definition is a warning with a hint", "[click-lang][definitions]") {
  auto c = compile("define($LEN 14);\nFromDump(in.pcap) -> Strip($LEN) -> Discard;", {{"$LNE", "3"}});
  graph_of(*c);
  REQUIRE(c->diags.warning_count() == 1);
  CHECK(c->rendered().find("warning: LNE=3 from the command line: the configuration does not use $LNE") !=
        std::string::npos);
  CHECK(c->rendered().find("did you mean LEN?") != std::string::npos);
}

TEST_CASE("command-line definitions are parsed as NAME=VALUE", "[click-lang][definitions]") {
  compiler::Definition d;
  std::string error;
  CHECK(compiler::parse_definition("RATE=10", d, error));
  CHECK(d.name == "$RATE");
  CHECK(d.value == "10");
  CHECK(compiler::parse_definition("$R_1@x=a=b", d, error));
  CHECK(d.name == "$R_1@x");
  CHECK(d.value == "a=b");
  CHECK(compiler::parse_definition("EMPTY=", d, error));
  CHECK(d.value.empty());
  CHECK_FALSE(compiler::parse_definition("=3", d, error));
  CHECK(error.find("the name before '=' is missing") != std::string::npos);
  CHECK_FALSE(compiler::parse_definition("A-B=3", d, error));
  CHECK(error.find("'-' is none of them") != std::string::npos);
  CHECK_FALSE(compiler::parse_definition("RATE", d, error));
  CHECK(compiler::is_definition("RATE=1"));
  CHECK(compiler::is_definition("IN=traces/a.pcap"));
  CHECK_FALSE(compiler::is_definition("./a=b.nbc"));
  CHECK_FALSE(compiler::is_definition("cfg.nbc"));
  compiler::Definitions defs;
  CHECK(compiler::add_definition(defs, {"$A", "1"}, error));
  CHECK_FALSE(compiler::add_definition(defs, {"$A", "2"}, error));
  CHECK(error == "$A is defined twice on the command line (A=1 and A=2)");
}

// ---- __REST__ ----------------------------------------------------------------------------------

TEST_CASE("__REST__ takes the arguments the other formals do not", "[click-lang][rest]") {
  // Click's own example: $a = 1, $count = 3, $rest = "2, FOO 4".
  auto c = compile(
      "elementclass R { $a, COUNT $count, __REST__ $rest | input -> Strip($a) -> Strip($count) -> "
      "output; Tee($rest) }\n"
      "FromDump(in.pcap) -> R(1, 2, COUNT 3, FOO 4) -> Discard;");
  // Tee($rest) gets two arguments, which it does not take: the error shows what $rest became.
  CHECK(c->errors() >= 1);
  auto ok = compile(
      "elementclass Pick { $len, __REST__ $patterns | input -> Strip($len) -> "
      "c :: Classifier($patterns); c [0-2] => [0-2] output }\n"
      "FromDump(in.pcap) -> Pick(14, 12/0800, 12/0806, -) => Discard, Discard, Discard;");
  const Graph& g = graph_of(*ok);
  int k = g.find("Pick@2/c");
  REQUIRE(k >= 0);
  CHECK(g.elements[static_cast<std::size_t>(k)].args == std::vector<std::string>{"12/0800", "12/0806", "-"});
  CHECK(arg_of(g, "Pick@2/Strip@1") == "14");
}

TEST_CASE("__REST__ may be empty", "[click-lang][rest]") {
  auto c = compile(
      "elementclass P { $len, __REST__ $rest | input -> Strip($len) -> output }\n"
      "FromDump(in.pcap) -> P(14) -> Discard;");
  CHECK(arg_of(graph_of(*c), "P@2/Strip@1") == "14");
}

// ---- overloads and the override idiom -------------------------------------------------------------

TEST_CASE("an overloaded class uses the first body that takes the arguments", "[click-lang][overload]") {
  auto c = compile(
      "elementclass Either { input -> output || $n | input -> Strip($n) -> output "
      "|| $n, $m | input -> Strip($n) -> Strip($m) -> output }\n"
      "FromDump(in.pcap) -> Either -> Either(4) -> Either(1, 2) -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) == std::vector<std::string>{"FromDump@1", "Either@3/Strip@1", "Either@4/Strip@1", "Either@4/Strip@2",
                                             "Discard@5"});
}

TEST_CASE("no body of an overloaded class takes the arguments", "[click-lang][overload]") {
  auto c = compile(
      "elementclass Either { input -> output || $n | input -> Strip($n) -> output }\n"
      "FromDump(in.pcap) -> Either(1, 2) -> Discard;");
  REQUIRE(c->errors() == 1);
  CHECK(c->first_error().message == "no body of the overloaded elementclass 'Either' takes 2 arguments");
  CHECK(c->first_error().notes.size() == 2);
}

TEST_CASE("'...' extends the class a compound hides", "[click-lang][overload]") {
  // Click's example extends Queue; Strip serves here: Strip(14) is the built-in one.
  auto c = compile(
      "elementclass Strip { $a, $b | input -> Strip($a) -> Strip($b) -> output || ... }\n"
      "FromDump(in.pcap) -> Strip(14) -> Strip(1, 2) -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) ==
        std::vector<std::string>{"FromDump@1", "Strip@2", "Strip@3/Strip@1", "Strip@3/Strip@2", "Discard@4"});
  CHECK(c->diags.warning_count() == 0);
}

TEST_CASE("'...' with nothing to extend is an error", "[click-lang][overload]") {
  auto c = compile(
      "elementclass Mine { $a | input -> Strip($a) -> output || ... }\n"
      "FromDump(in.pcap) -> Mine -> Discard;");
  REQUIRE(c->errors() == 1);
  CHECK(c->first_error().message.find("there is no other class 'Mine' to extend") != std::string::npos);
}

TEST_CASE("a class that redefines a built-in uses the built-in inside", "[click-lang][override]") {
  auto c = compile(
      "elementclass Strip { $n | input -> Counter -> Strip($n) -> output }\n"
      "FromDump(in.pcap) -> Strip(14) -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) == std::vector<std::string>{"FromDump@1", "Strip@2/Counter@1", "Strip@2/Strip@2", "Discard@3"});
  CHECK(c->diags.warning_count() == 0);  // the idiom hides the built-in on purpose
}

TEST_CASE("a nested class that redefines an outer one uses the outer one inside", "[click-lang][override]") {
  auto c = compile(
      "elementclass P { input -> Counter -> output }\n"
      "elementclass Q { elementclass P { input -> P -> Strip(1) -> output } input -> P -> output }\n"
      "FromDump(in.pcap) -> Q -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(names(g) == std::vector<std::string>{"FromDump@1", "Q@2/P@1/P@1/Counter@1", "Q@2/P@1/Strip@2", "Discard@3"});
}

TEST_CASE("a class that contains itself with nothing to hide is still recursive", "[click-lang][override]") {
  auto c = compile("elementclass Loop { input -> Loop -> output }\nFromDump(in.pcap) -> Loop -> Discard;");
  REQUIRE(c->errors() == 1);
  CHECK(c->first_error().message == "recursive compound class 'Loop': it contains itself");
}

// ---- #line -------------------------------------------------------------------------------------

TEST_CASE("#line directives rename and renumber diagnostics", "[click-lang][line]") {
  auto c = compile(
      "FromDump(in.pcap) -> Discard;\n#line 40 \"orig.click\"\nFromDump(b.pcap) -> Strip(x) -> Discard;\n"
      "# 7\nStrip(y) -> Discard;\n  #line 3 \"other.click\" 1 3\nStrip(z) -> Discard;");
  CHECK(c->errors() == 3);
  const std::string r = c->rendered();
  CHECK(r.find("orig.click:40:27: error: invalid unsigned integer") != std::string::npos);
  CHECK(r.find("   40 | FromDump(b.pcap) -> Strip(x) -> Discard;") != std::string::npos);
  CHECK(r.find("orig.click:7:7: error:") != std::string::npos);
  CHECK(r.find("other.click:3:7: error:") != std::string::npos);
}

TEST_CASE("a malformed #line is a syntax error, and # inside a configuration is text", "[click-lang][line]") {
  auto bad = compile("#lin 3\nFromDump(in.pcap) -> Discard;");
  REQUIRE(bad->errors() == 1);
  CHECK(bad->first_error().message.find("malformed line directive") != std::string::npos);
  auto zero = compile("#line 0\nFromDump(in.pcap) -> Discard;");
  CHECK(zero->errors() == 1);
  auto inside =
      compile("FromDump(in.pcap) -> c :: Classifier(\n# 5 \"x\"\n12/0800, -);\nc [0] -> Discard; c [1] -> Discard;");
  CHECK(inside->errors() >= 1);  // '# 5 "x"' is an argument, not a directive
  CHECK(inside->rendered().find("x:") == std::string::npos);
}

// ---- require(library) ----------------------------------------------------------------------------

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "nb-lib-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
  }
};

TEST_CASE("require(library) includes classes and defines next to the requiring file", "[click-lang][library]") {
  TempDir d;
  d.write("lib/a.nbc",
          "require(library b.nbc);\ndefine($HDR 14);\nelementclass S { input -> Strip($HDR) -> C -> output }\n");
  d.write("lib/b.nbc", "elementclass C { input -> Counter -> output }\n");
  const std::string main =
      "require(library \"../lib/a.nbc\", library ../lib/b.nbc);\nFromDump(in.pcap) -> S -> C -> Discard;";
  auto c = compile(main, {}, (d.path / "sub/main.nbc").string());
  const Graph& g = graph_of(*c);
  CHECK(names(g) ==
        std::vector<std::string>{"FromDump@1", "S@2/Strip@1", "S@2/C@2/Counter@1", "C@3/Counter@1", "Discard@4"});
  CHECK(arg_of(g, "S@2/Strip@1") == "14");
  auto over = compile(main, {{"$HDR", "4"}}, (d.path / "sub/main.nbc").string());
  CHECK(arg_of(graph_of(*over), "S@2/Strip@1") == "4");
  CHECK(compiler::to_flat_config(g).find("library") == std::string::npos);
}

TEST_CASE("a cycle of libraries, a library with elements and a missing one are errors", "[click-lang][library]") {
  TempDir d;
  d.write("c1.nbc", "require(library c2.nbc);\n");
  d.write("c2.nbc", "require(library c1.nbc);\n");
  d.write("els.nbc", "FromDump(in.pcap) -> Discard;\n");
  auto cyc = compile("require(library c1.nbc);\nFromDump(in.pcap) -> Discard;", {}, (d.path / "m.nbc").string());
  REQUIRE(cyc->errors() == 1);
  CHECK(cyc->first_error().message.find("require(library) cycle:") != std::string::npos);
  CHECK(cyc->first_error().notes.size() == 2);
  auto self = compile("require(library m.nbc);\nFromDump(in.pcap) -> Discard;", {}, (d.path / "m.nbc").string());
  REQUIRE(self->errors() == 1);
  CHECK(self->first_error().message.find("require(library) cycle:") != std::string::npos);
  auto els = compile("require(library els.nbc);\nFromDump(in.pcap) -> Discard;", {}, (d.path / "m.nbc").string());
  REQUIRE(els->errors() == 1);
  CHECK(els->first_error().message == "a library may only define element classes, variables and requirements");
  auto missing = compile("require(library nope.nbc);\nFromDump(in.pcap) -> Discard;", {}, (d.path / "m.nbc").string());
  REQUIRE(missing->errors() == 1);
  CHECK(missing->first_error().message.find("cannot include library: cannot open") != std::string::npos);
  auto twice = compile("require(library c2.nbc, library c2.nbc);\nFromDump(in.pcap) -> Discard;", {},
                       (d.path / "x.nbc").string());
  CHECK(twice->errors() == 1);  // the cycle between c1 and c2, once: c2 is included once
}

// ---- flatten -------------------------------------------------------------------------------------

TEST_CASE("flatten prints every element once and every connection", "[click-lang][flatten]") {
  auto c = compile(
      "define($N 14);\nelementclass P { $n | input -> Strip($n) -> c :: Counter -> output }\n"
      "FromDump(in.pcap) -> p :: P($N) -> t :: Tee(2); t [1] -> Discard; t -> ToDump(\"a b.pcap\");");
  const std::string flat = compiler::to_flat_config(graph_of(*c));
  CHECK(flat ==
        "FromDump@1 :: FromDump(in.pcap);\n"
        "p/Strip@1 :: Strip(14);\n"
        "p/c :: Counter;\n"
        "t :: Tee(2);\n"
        "Discard@4 :: Discard;\n"
        "ToDump@5 :: ToDump(\"a b.pcap\");\n"
        "\n"
        "p/Strip@1 [0] -> [0] p/c;\n"
        "p/c [0] -> [0] t;\n"
        "FromDump@1 [0] -> [0] p/Strip@1;\n"
        "t [1] -> [0] Discard@4;\n"
        "t [0] -> [0] ToDump@5;\n");
}

// Every configuration of the corpus that checks: its flat form checks and has the same graph.
TEST_CASE("flatten round-trips the corpus", "[click-lang][flatten][corpus]") {
  struct InSourceDir {
    InSourceDir() : old(fs::current_path()) { fs::current_path(NB_SOURCE_DIR); }
    ~InSourceDir() { fs::current_path(old); }
    fs::path old;
  } in_source;
  std::size_t n = 0;
  std::vector<fs::path> files;
  for (const auto& dir : fs::directory_iterator(fs::path(NB_SOURCE_DIR) / "tests")) {
    if (!dir.is_directory()) continue;
    for (const auto& e : fs::directory_iterator(dir.path())) {
      if (e.path().extension() == ".nbc") files.push_back(e.path());
    }
  }
  for (const auto& e : fs::directory_iterator(fs::path(NB_SOURCE_DIR) / "configs")) {
    if (e.path().extension() == ".nbc") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& path : files) {
    lang::SourceManager sources;
    lang::DiagnosticEngine diags;
    std::string err;
    auto id = sources.load(path.string(), err);
    REQUIRE(id != lang::kNoFile);
    auto front = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
    if (front.graph) compiler::lower(*front.graph, diags);
    if (!front.graph || diags.has_errors()) continue;
    ++n;
    INFO("file: " << path.string());
    const std::string flat = compiler::to_flat_config(*front.graph);
    auto again = compile(flat, {}, path.string() + ".flat");
    INFO(flat);
    const Graph& g = graph_of(*again);
    CHECK(signature(g) == signature(*front.graph));
    CHECK(compiler::to_flat_config(g) == flat);
  }
  CHECK(n >= 40);
}

// ---- element groups and open port lists ----------------------------------------------------------

namespace {
// The edges of a graph as "from[p] -> [q]to", sorted: the same connections, whatever their order.
std::vector<std::string> edges(const Graph& g) {
  std::vector<std::string> out;
  for (const auto& e : g.edges)
    out.push_back(
        fmt::format("{}[{}] -> [{}]{}", g.elements[e.from].name, e.from_port, e.to_port, g.elements[e.to].name));
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("an element group expands into the connections it stands for", "[click-lang][group]") {
  auto c = compile(
      "x :: FromDump(in.pcap); y :: Discard;\n"
      "x -> c :: Classifier(12/0800, -) => ( input [0] -> output;\n"
      "                                      input [1] -> Paint(1) -> output ) -> y;");
  const Graph& g = graph_of(*c);
  // No element for the group: only the elements written in it, named as in the body around it.
  CHECK(names(g) == std::vector<std::string>{"x", "y", "c", "Paint@4"});
  CHECK(edges(g) ==
        std::vector<std::string>{"Paint@4[0] -> [0]y", "c[0] -> [0]y", "c[1] -> [0]Paint@4", "x[0] -> [0]c"});
  // `nbc flatten` prints the expanded graph.
  const std::string flat = compiler::to_flat_config(g);
  CHECK(flat.find("group") == std::string::npos);
  CHECK(flat.find("c [1] -> [0] Paint@4;") != std::string::npos);
}

TEST_CASE("Click's equivalent forms of a group give the same graph", "[click-lang][group]") {
  const std::string head = "x :: FromDump(in.pcap); y :: Discard;\n";
  const std::vector<std::string> expected = edges(graph_of(*compile(head + "x -> y;")));
  for (const char* form : {"x -> ( input -> output ) -> y;", "x -> ( [0] -> [0] ) -> y;", "x -> (->) -> y;",
                           "x -> ( -> Counter -> ) -> y;"}) {
    auto c = compile(head + form);
    INFO(form);
    std::vector<std::string> got = edges(graph_of(*c));
    if (std::string(form).find("Counter") != std::string::npos) {
      CHECK(got == std::vector<std::string>{"Counter@3[0] -> [0]y", "x[0] -> [0]Counter@3"});
    } else {
      CHECK(got == expected);
    }
  }
  // Implied port lists, and the same lists written out.
  const std::string two = "x :: Classifier(12/0800, -); FromDump(in.pcap) -> x; y :: Discard;\n";
  const std::vector<std::string> pairs = edges(graph_of(*compile(two + "x -> y; x [1] -> y;")));
  CHECK(edges(graph_of(*compile(two + "x => ( [0]->[0]; [1]->[1] ) -> y;"))) == pairs);
  CHECK(edges(graph_of(*compile(two + "x => [0,1] ( [0]->[0]; [1]->[1] ) [0,1] -> y;"))) == pairs);
  // Click's fifth form makes x -> y twice: a connection made twice is one, as in Click.
  CHECK(edges(graph_of(*compile(head + "x -> ( [0]->[0]; [1]->[1] ) => ( [0]->[0]; [1]->[1] ) -> y;"))) == expected);
  CHECK(edges(graph_of(*compile(head + "x -> y; x -> y;"))) == expected);
  CHECK(edges(graph_of(*compile(head + "x [0, 0] -> y;"))) == expected);
}

TEST_CASE("a group opens no scope", "[click-lang][group]") {
  auto c = compile(
      "d :: Discard;\n"
      "FromDump(in.pcap) -> ( input -> t :: Tee(2) -> output; t [1] -> d ) -> Discard;\n"
      "FromDump(b.pcap) -> ( -> c :: Counter -> d2 :: Discard );\n"
      "elementclass E { input -> (-> Strip(14) -> inner :: Counter ->) -> output }\n"
      "FromDump(c.pcap) -> e :: E -> Discard;");
  const Graph& g = graph_of(*c);
  CHECK(g.find("t") >= 0);  // declared inside a group, named as at the top level
  CHECK(g.find("c") >= 0);
  CHECK(g.find("e/inner") >= 0);
  const std::vector<std::string> all = edges(g);
  CHECK(std::count(all.begin(), all.end(), "t[1] -> [0]d") == 1);  // a name from outside, used inside
}

TEST_CASE("open port lists connect as many ports as the other side names", "[click-lang][ports]") {
  auto c = compile(
      "c :: Classifier(12/0800, 12/0806, 12/86dd, -); FromDump(in.pcap) -> c;\n"
      "a :: Discard; b :: Discard; d :: Counter;\n"
      "c [0] -> Discard; c [1-] => a, b, d; d -> Discard;");
  const std::vector<std::string> all = edges(graph_of(*c));
  for (const char* e : {"c[1] -> [0]a", "c[2] -> [0]b", "c[3] -> [0]d"})
    CHECK(std::count(all.begin(), all.end(), e) == 1);
  auto d = compile("t :: Tee(3); FromDump(in.pcap) -> t; t [] => Discard, Discard, Discard;");
  CHECK(edges(graph_of(*d)).size() == 4);
}

TEST_CASE("errors inside a group point at the words written there", "[click-lang][group][errors]") {
  auto c = compile("x :: FromDump(in.pcap);\nx -> ( input -> Cuonter -> output ) -> Discard;");
  REQUIRE(c->errors() == 1);
  const lang::Diagnostic& d = c->first_error();
  CHECK(d.message == "unknown element class 'Cuonter'");
  CHECK(c->sources.file(c->file).line_col(d.span.begin).line == 2);
  CHECK(c->sources.file(c->file).line_col(d.span.begin).column == 17);
  // A group's output has one destination, as any output.
  auto two = compile("FromDump(in.pcap) -> (->) -> Discard, Discard;");
  REQUIRE(two->errors() >= 1);
  CHECK(two->first_error().message == "output 0 of the element group is already connected");
  // An input of a group feeds one element.
  auto fan = compile("FromDump(in.pcap) -> ( input -> Discard; input -> Discard );");
  REQUIRE(fan->errors() >= 1);
  CHECK(fan->first_error().message == "input 0 of the element group is connected to more than one element");
}

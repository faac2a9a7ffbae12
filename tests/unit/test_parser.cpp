// The parser: one test per grammar construct against the AST, error recovery, and robustness
// against deep nesting, huge inputs and random garbage.
#include <nb/compiler/driver.hpp>
#include <nb/lang/format.hpp>
#include <nb/lang/parser.hpp>

#include <fmt/format.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace nb;
using lang::ElementRef;

namespace {

// One parsed text with everything it refers to.
struct Parsed {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags{0};  // no error limit: tests count every error
  lang::FileId file = lang::kNoFile;
  lang::Program program;

  std::string_view text(lang::Span s) const { return sources.text(s); }
  lang::LineCol at(lang::Span s) const { return sources.file(file).line_col(s.begin); }
  std::string rendered() const {
    std::ostringstream out;
    diags.render(out, sources);
    return out.str();
  }
  std::size_t errors() const { return diags.error_count(); }
};

std::unique_ptr<Parsed> parse(std::string text, lang::ParseLimits limits = {}) {
  auto p = std::make_unique<Parsed>();
  p->file = p->sources.add("test.nbc", std::move(text));
  p->program = lang::parse(p->sources, p->file, p->diags, limits);
  return p;
}

const lang::Connection& connection(const Parsed& p, std::size_t i) {
  REQUIRE(i < p.program.statements.size());
  const auto* c = std::get_if<lang::Connection>(&p.program.statements[i].node);
  REQUIRE(c != nullptr);
  return *c;
}

const lang::ElementClassDecl& elementclass(const Parsed& p, std::size_t i) {
  REQUIRE(i < p.program.statements.size());
  const auto* d = std::get_if<std::shared_ptr<lang::ElementClassDecl>>(&p.program.statements[i].node);
  REQUIRE(d != nullptr);
  REQUIRE(*d != nullptr);
  return **d;
}

// Every diagnostic (and note) with a location points into the file.
void check_locations(const Parsed& p) {
  const std::size_t size = p.sources.file(p.file).text().size();
  for (const lang::Diagnostic& d : p.diags.diagnostics()) {
    INFO(d.message);
    if (d.severity == lang::Severity::Error) {
      REQUIRE(d.span.valid());
    }
    if (!d.span.valid()) continue;
    CHECK(d.span.file == p.file);
    CHECK(d.span.begin <= d.span.end);
    CHECK(d.span.end <= size);
    for (const lang::Note& n : d.notes) {
      if (!n.span.valid()) continue;
      CHECK(n.span.begin <= n.span.end);
      CHECK(n.span.end <= size);
    }
  }
}

}  // namespace

// ---- declarations ------------------------------------------------------------------------

TEST_CASE("a declaration names one element of a class", "[parser]") {
  auto p = parse("c :: Counter;");
  REQUIRE(p->errors() == 0);
  REQUIRE(p->program.statements.size() == 1);
  const auto& conn = connection(*p, 0);
  REQUIRE(conn.hops.size() == 1);
  const ElementRef& e = conn.hops[0].element;
  CHECK(e.kind == ElementRef::Kind::Declaration);
  REQUIRE(e.names.size() == 1);
  CHECK(e.names[0].text == "c");
  CHECK(p->text(e.names[0].span) == "c");
  CHECK(e.cls.name.text == "Counter");
  CHECK(p->text(e.cls.name.span) == "Counter");
  CHECK_FALSE(e.cls.config.has_value());
  CHECK(e.cls.inline_body == nullptr);
  CHECK(p->text(p->program.statements[0].span) == "c :: Counter");
}

TEST_CASE("a declaration may carry a configuration", "[parser]") {
  auto p = parse("src :: FromDump(in.pcap, STOP true);");
  REQUIRE(p->errors() == 0);
  const ElementRef& e = connection(*p, 0).hops[0].element;
  CHECK(e.kind == ElementRef::Kind::Declaration);
  CHECK(e.cls.name.text == "FromDump");
  REQUIRE(e.cls.config.has_value());
  CHECK(e.cls.config->raw == "in.pcap, STOP true");
  CHECK(p->text(e.cls.config->span) == "(in.pcap, STOP true)");
  REQUIRE(e.cls.config->args.size() == 2);
  CHECK(e.cls.config->args[0].raw == "in.pcap");
  CHECK(e.cls.config->args[1].raw == "STOP true");
}

TEST_CASE("several names can be declared at once", "[parser]") {
  auto p = parse("a, b ,c :: Tee(2);");
  REQUIRE(p->errors() == 0);
  const ElementRef& e = connection(*p, 0).hops[0].element;
  CHECK(e.kind == ElementRef::Kind::Declaration);
  REQUIRE(e.names.size() == 3);
  CHECK(e.names[0].text == "a");
  CHECK(e.names[1].text == "b");
  CHECK(e.names[2].text == "c");
  CHECK(p->text(e.names[2].span) == "c");
  CHECK(e.cls.name.text == "Tee");
  REQUIRE(e.cls.config.has_value());
  CHECK(e.cls.config->raw == "2");
}

TEST_CASE("element names may contain digits, '_', '@' and '/'", "[parser]") {
  auto p = parse("_a1/b@2 :: Counter;");
  REQUIRE(p->errors() == 0);
  const ElementRef& e = connection(*p, 0).hops[0].element;
  REQUIRE(e.names.size() == 1);
  CHECK(e.names[0].text == "_a1/b@2");
}

// ---- anonymous elements and references -----------------------------------------------------

TEST_CASE("Class(config) is an anonymous element; a bare word is a reference", "[parser]") {
  auto p = parse("FromDump(x.pcap) -> Counter -> Strip(14) -> c;");
  REQUIRE(p->errors() == 0);
  const auto& conn = connection(*p, 0);
  REQUIRE(conn.hops.size() == 4);
  const ElementRef& a = conn.hops[0].element;
  CHECK(a.kind == ElementRef::Kind::Anonymous);
  CHECK(a.names.empty());
  CHECK(a.cls.name.text == "FromDump");
  REQUIRE(a.cls.config.has_value());
  CHECK(a.cls.config->raw == "x.pcap");
  CHECK(p->text(a.span) == "FromDump(x.pcap)");
  // A bare class name is resolved later: the parser cannot tell it from an element name.
  const ElementRef& b = conn.hops[1].element;
  CHECK(b.kind == ElementRef::Kind::Reference);
  REQUIRE(b.names.size() == 1);
  CHECK(b.names[0].text == "Counter");
  CHECK(conn.hops[2].element.kind == ElementRef::Kind::Anonymous);
  CHECK(conn.hops[2].element.cls.name.text == "Strip");
  CHECK(conn.hops[3].element.kind == ElementRef::Kind::Reference);
  CHECK(conn.hops[3].element.names[0].text == "c");
}

TEST_CASE("an empty configuration has no arguments", "[parser]") {
  auto p = parse("Counter() -> Counter( ) -> Discard;");
  REQUIRE(p->errors() == 0);
  const auto& conn = connection(*p, 0);
  REQUIRE(conn.hops.size() == 3);
  REQUIRE(conn.hops[0].element.cls.config.has_value());
  CHECK(conn.hops[0].element.cls.config->args.empty());
  CHECK(conn.hops[0].element.kind == ElementRef::Kind::Anonymous);
  REQUIRE(conn.hops[1].element.cls.config.has_value());
  CHECK(conn.hops[1].element.cls.config->args.empty());
  CHECK(conn.hops[1].element.cls.config->raw == " ");
}

// ---- ports and chains ---------------------------------------------------------------------

TEST_CASE("ports are written on both sides of an arrow", "[parser]") {
  auto p = parse("a [1] -> [2] b;\nc[ 3 ]->[4]d;");
  REQUIRE(p->errors() == 0);
  REQUIRE(p->program.statements.size() == 2);
  const auto& first = connection(*p, 0);
  REQUIRE(first.hops.size() == 2);
  REQUIRE(first.hops[0].out_port.has_value());
  CHECK(first.hops[0].out_port->port == 1);
  CHECK(p->text(first.hops[0].out_port->span) == "[1]");
  CHECK_FALSE(first.hops[0].in_port.has_value());
  REQUIRE(first.hops[1].in_port.has_value());
  CHECK(first.hops[1].in_port->port == 2);
  CHECK(p->text(first.hops[1].in_port->span) == "[2]");
  CHECK_FALSE(first.hops[1].out_port.has_value());
  CHECK(p->text(first.hops[1].arrow) == "->");
  CHECK_FALSE(first.hops[0].arrow.valid());

  const auto& second = connection(*p, 1);
  REQUIRE(second.hops.size() == 2);
  CHECK(second.hops[0].out_port->port == 3);
  CHECK(p->text(second.hops[0].out_port->span) == "[ 3 ]");
  CHECK(second.hops[1].in_port->port == 4);
}

TEST_CASE("a chain keeps every hop, its ports and its arrows", "[parser]") {
  auto p = parse("src -> a :: Counter\n  -> [0] cl [1]\n  -> Discard;");
  REQUIRE(p->errors() == 0);
  const auto& conn = connection(*p, 0);
  REQUIRE(conn.hops.size() == 4);
  CHECK(conn.hops[0].element.names[0].text == "src");
  CHECK(conn.hops[1].element.kind == ElementRef::Kind::Declaration);
  CHECK(conn.hops[1].element.names[0].text == "a");
  CHECK(conn.hops[2].in_port->port == 0);
  CHECK(conn.hops[2].out_port->port == 1);
  CHECK(conn.hops[3].element.names[0].text == "Discard");
  for (std::size_t i = 1; i < conn.hops.size(); ++i) CHECK(p->text(conn.hops[i].arrow) == "->");
  auto lc = p->at(conn.hops[3].arrow);
  CHECK(lc.line == 3);
  CHECK(lc.column == 3);
  CHECK(p->text(conn.span) == "src -> a :: Counter\n  -> [0] cl [1]\n  -> Discard");
}

TEST_CASE("the largest port number is accepted, a larger one is an error", "[parser]") {
  auto ok = parse("a [65535] -> b;");
  CHECK(ok->errors() == 0);
  CHECK(connection(*ok, 0).hops[0].out_port->port == 65535);
  auto bad = parse("a [65536] -> b;");
  REQUIRE(bad->errors() == 1);
  CHECK(bad->diags.diagnostics()[0].message == "port number 65536 is too large");
  CHECK(bad->text(bad->diags.diagnostics()[0].span) == "65536");
}

TEST_CASE("statements need no separator and empty statements are skipped", "[parser]") {
  auto p = parse(";; a :: Counter b :: Counter;;; a -> b\n");
  REQUIRE(p->errors() == 0);
  REQUIRE(p->program.statements.size() == 3);
  CHECK(connection(*p, 0).hops[0].element.names[0].text == "a");
  CHECK(connection(*p, 1).hops[0].element.names[0].text == "b");
  CHECK(connection(*p, 2).hops.size() == 2);
}

// ---- compound classes ----------------------------------------------------------------------

TEST_CASE("elementclass with positional and keyword formals", "[parser]") {
  auto p = parse("elementclass Pipe { $len, COLOR $c |\n  input -> Strip($len) -> Paint($c) -> output;\n}");
  REQUIRE(p->errors() == 0);
  const auto& d = elementclass(*p, 0);
  CHECK(d.name.text == "Pipe");
  CHECK(p->text(d.name.span) == "Pipe");
  CHECK_FALSE(d.synonym.has_value());
  CHECK(d.has_formals_bar);
  REQUIRE(d.formals.size() == 2);
  CHECK_FALSE(d.formals[0].keyword.has_value());
  CHECK(d.formals[0].variable.text == "$len");
  CHECK(p->text(d.formals[0].variable.span) == "$len");
  REQUIRE(d.formals[1].keyword.has_value());
  CHECK(d.formals[1].keyword->text == "COLOR");
  CHECK(d.formals[1].variable.text == "$c");
  REQUIRE(d.body.size() == 1);
  const auto* body = std::get_if<lang::Connection>(&d.body[0].node);
  REQUIRE(body != nullptr);
  REQUIRE(body->hops.size() == 4);
  CHECK(body->hops[0].element.names[0].text == "input");
  CHECK(body->hops[1].element.cls.name.text == "Strip");
  CHECK(body->hops[1].element.cls.config->raw == "$len");
  CHECK(body->hops[3].element.names[0].text == "output");
  std::string_view body_text = p->text(d.body_span);
  CHECK(body_text.front() == '{');
  CHECK(body_text.back() == '}');
}

TEST_CASE("elementclass without formals; bodies may contain classes", "[parser]") {
  auto p = parse("elementclass Outer {\n  elementclass Inner { input -> output }\n  input -> Inner -> output\n}");
  REQUIRE(p->errors() == 0);
  const auto& d = elementclass(*p, 0);
  CHECK(d.formals.empty());
  CHECK_FALSE(d.has_formals_bar);
  REQUIRE(d.body.size() == 2);
  const auto* inner = std::get_if<std::shared_ptr<lang::ElementClassDecl>>(&d.body[0].node);
  REQUIRE(inner != nullptr);
  CHECK((*inner)->name.text == "Inner");
  REQUIRE((*inner)->body.size() == 1);
  CHECK(std::holds_alternative<lang::Connection>(d.body[1].node));
}

TEST_CASE("an anonymous compound is an element with an inline body", "[parser]") {
  auto p = parse("x :: { input -> output };\nFromDump(a) -> { $n | input -> Strip($n) -> output }(14) -> x;");
  REQUIRE(p->errors() == 0);
  REQUIRE(p->program.statements.size() == 2);
  const ElementRef& decl = connection(*p, 0).hops[0].element;
  CHECK(decl.kind == ElementRef::Kind::Declaration);
  CHECK(decl.names[0].text == "x");
  CHECK(decl.cls.name.text.empty());
  REQUIRE(decl.cls.inline_body != nullptr);
  CHECK(decl.cls.inline_body->body.size() == 1);

  const auto& chain = connection(*p, 1);
  REQUIRE(chain.hops.size() == 3);
  const ElementRef& anon = chain.hops[1].element;
  CHECK(anon.kind == ElementRef::Kind::Anonymous);
  REQUIRE(anon.cls.inline_body != nullptr);
  REQUIRE(anon.cls.inline_body->formals.size() == 1);
  CHECK(anon.cls.inline_body->formals[0].variable.text == "$n");
  REQUIRE(anon.cls.config.has_value());
  CHECK(anon.cls.config->raw == "14");
}

TEST_CASE("elementclass A B makes a synonym", "[parser]") {
  auto p = parse("elementclass Drop Discard;");
  REQUIRE(p->errors() == 0);
  const auto& d = elementclass(*p, 0);
  CHECK(d.name.text == "Drop");
  REQUIRE(d.synonym.has_value());
  CHECK(d.synonym->text == "Discard");
  CHECK(p->text(d.synonym->span) == "Discard");
  CHECK(d.body.empty());
}

// ---- define and require ------------------------------------------------------------------

TEST_CASE("define entries have a variable and a value with spans", "[parser]") {
  auto p = parse("define($IN in.pcap, $MSG two  words, $N 14)");
  REQUIRE(p->errors() == 0);
  const auto* d = std::get_if<lang::Define>(&p->program.statements.at(0).node);
  REQUIRE(d != nullptr);
  REQUIRE(d->entries.size() == 3);
  CHECK(d->entries[0].variable.text == "$IN");
  CHECK(p->text(d->entries[0].variable.span) == "$IN");
  CHECK(d->entries[0].value.raw == "in.pcap");
  CHECK(p->text(d->entries[0].value.span) == "in.pcap");
  CHECK(d->entries[1].variable.text == "$MSG");
  CHECK(d->entries[1].value.raw == "two  words");
  CHECK(p->text(d->entries[1].value.span) == "two  words");
  CHECK(d->entries[2].variable.text == "$N");
  CHECK(d->entries[2].value.raw == "14");
}

TEST_CASE("define reports entries that are not '$NAME value'", "[parser]") {
  auto p = parse("define(NAME 1, $OK 2, $X-1 3);");
  REQUIRE(p->errors() == 2);
  const auto& diags = p->diags.diagnostics();
  CHECK(diags[0].message == "define expects '$NAME value'");
  CHECK(p->text(diags[0].span) == "NAME 1");
  CHECK(diags[1].message == "expected a space between the variable name and its value");
  CHECK(p->text(diags[1].span) == "-");
  const auto* d = std::get_if<lang::Define>(&p->program.statements.at(0).node);
  REQUIRE(d != nullptr);
  REQUIRE(d->entries.size() == 1);
  CHECK(d->entries[0].variable.text == "$OK");
}

TEST_CASE("require keeps its arguments", "[parser]") {
  auto p = parse("require(nb, package \"nb-extra\");");
  REQUIRE(p->errors() == 0);
  const auto* r = std::get_if<lang::Require>(&p->program.statements.at(0).node);
  REQUIRE(r != nullptr);
  REQUIRE(r->config.args.size() == 2);
  CHECK(r->config.args[0].raw == "nb");
  CHECK(r->config.args[1].raw == "package \"nb-extra\"");
}

TEST_CASE("'define', 'require' and 'elementclass' are keywords only as whole words", "[parser]") {
  auto p = parse("defined :: Counter; requirement :: Counter; elementclasses :: Counter;");
  REQUIRE(p->errors() == 0);
  REQUIRE(p->program.statements.size() == 3);
  CHECK(connection(*p, 0).hops[0].element.names[0].text == "defined");
  CHECK(connection(*p, 1).hops[0].element.names[0].text == "requirement");
  CHECK(connection(*p, 2).hops[0].element.names[0].text == "elementclasses");
}

// ---- configuration strings -----------------------------------------------------------------

TEST_CASE("configuration arguments split at top-level commas only", "[parser][config]") {
  auto p = parse("c :: Classifier( 12/0800 20/0001 , \"a, b\", f(1, 2), 'c,d', [x, y], \"q\\\",\" ,-);");
  REQUIRE(p->errors() == 0);
  const auto& cfg = *connection(*p, 0).hops[0].element.cls.config;
  std::vector<std::string> raws;
  for (const auto& a : cfg.args) raws.push_back(a.raw);
  CHECK(raws == std::vector<std::string>{"12/0800 20/0001", "\"a, b\"", "f(1, 2)", "'c,d'", "[x, y]", "\"q\\\",\"", "-"});
  // Every argument's span covers exactly its (trimmed) text.
  for (const auto& a : cfg.args) CHECK(p->text(a.span) == a.raw);
}

TEST_CASE("commas inside comments in a configuration do not split", "[parser][config]") {
  auto p = parse("s :: Strip(14 /* a, b */, // c, d\n 15);");
  REQUIRE(p->errors() == 0);
  const auto& cfg = *connection(*p, 0).hops[0].element.cls.config;
  REQUIRE(cfg.args.size() == 2);
  for (const auto& a : cfg.args) CHECK(p->text(a.span) == a.raw);
  CHECK(cfg.args[0].raw.rfind("14", 0) == 0);
  CHECK(cfg.args[1].raw.find("15") != std::string::npos);
}

TEST_CASE("split_config gives each argument its own span", "[parser][config]") {
  lang::SourceManager sources;
  std::string text = "x( a ,b,, \"c,d\" )";
  auto id = sources.add("s.nbc", text);
  // The configuration text without the parentheses starts at offset 2.
  lang::Span base{id, 2, static_cast<std::uint32_t>(text.size() - 1)};
  auto args = lang::split_config(std::string_view(text).substr(2, text.size() - 3), base);
  REQUIRE(args.size() == 4);
  CHECK(args[0].raw == "a");
  CHECK(args[0].span.begin == 3);
  CHECK(args[0].span.end == 4);
  CHECK(args[1].raw == "b");
  CHECK(args[2].raw.empty());
  CHECK(args[2].span.begin == args[2].span.end);
  CHECK(args[3].raw == "\"c,d\"");
  for (const auto& a : args) CHECK(sources.text(a.span) == a.raw);
  CHECK(lang::split_config("   ", base).empty());
  CHECK(lang::split_config("", base).empty());
}

// ---- comments ----------------------------------------------------------------------------

TEST_CASE("comments outside configurations are collected in order", "[parser][comments]") {
  auto p = parse("// one\nx /* two */ :: Counter(/* not collected */); // three\n/* four\n */");
  REQUIRE(p->errors() == 0);
  const auto& cs = p->program.comments;
  REQUIRE(cs.size() == 4);
  CHECK(p->text(cs[0].span) == "// one");
  CHECK_FALSE(cs[0].block);
  CHECK(p->text(cs[1].span) == "/* two */");
  CHECK(cs[1].block);
  CHECK(p->text(cs[2].span) == "// three");
  CHECK(p->text(cs[3].span) == "/* four\n */");
  CHECK(cs[3].block);
  REQUIRE(p->program.statements.size() == 1);
  CHECK(connection(*p, 0).hops[0].element.names[0].text == "x");
}

TEST_CASE("'/' joins path names but '//' starts a comment", "[parser][comments]") {
  auto p = parse("a/b :: Counter; a//b :: Counter\n;");
  REQUIRE(p->errors() == 0);
  REQUIRE(p->program.statements.size() == 2);
  CHECK(connection(*p, 0).hops[0].element.names[0].text == "a/b");
  CHECK(connection(*p, 1).hops[0].element.names[0].text == "a");
  REQUIRE(p->program.comments.size() == 1);
  CHECK(p->text(p->program.comments[0].span) == "//b :: Counter");
}

// ---- syntax errors -------------------------------------------------------------------------

TEST_CASE("each syntax error is reported once, where it is", "[parser][errors]") {
  struct Case {
    const char* text;
    unsigned line, column;
    const char* message;
  };
  const Case cases[] = {
      {"a -> ;", 1, 6, "expected an element after '->', found ';'"},
      {"a [1 -> b;", 1, 6, "expected ']' after the port number, found '->'"},
      {"a [x] -> b;", 1, 4, "expected a port number, found 'x'"},
      {"a :: ;", 1, 6, "expected an element class after '::', found ';'"},
      {"a, b Counter;", 1, 6, "expected '::' after a list of element names, found 'Counter'"},
      {"a, :: Counter;", 1, 4, "expected an element name after ',', found '::'"},
      {"elementclass ;", 1, 14, "expected a class name after 'elementclass', found ';'"},
      {"elementclass A;", 1, 15, "expected '{' or the name of an existing class after the new class name, found ';'"},
      {"elementclass A { $a b | }", 1, 21, "expected '|' after the formal parameters, found 'b'"},
      {"elementclass A { $a, | }", 1, 22, "expected a formal parameter such as '$name' after ',', found '|'"},
      {"elementclass A { input -> output || ... || input -> output }", 1, 41,
       "'...' must be the last alternative of an overloaded class"},
      {"require;", 1, 8, "expected '(' after 'require', found ';'"},
      {"define;", 1, 7, "expected '(' after 'define', found ';'"},
      {"}", 1, 1, "unmatched '}'"},
      {")", 1, 1, "found ')'"},
      {"\x01 -> a;", 1, 1, "found byte 0x01"},
      {"\n\n  a -> b -> -> c;", 3, 13, "expected an element after '->', found '->'"},
  };
  for (const Case& c : cases) {
    INFO("input: " << c.text);
    auto p = parse(c.text);
    INFO(p->rendered());
    REQUIRE(p->errors() == 1);
    const lang::Diagnostic& d = p->diags.diagnostics().at(0);
    CHECK(d.message.find(c.message) != std::string::npos);
    auto lc = p->at(d.span);
    CHECK(lc.line == c.line);
    CHECK(lc.column == c.column);
    check_locations(*p);
  }
}

TEST_CASE("unterminated constructs at the end of the file", "[parser][errors]") {
  SECTION("block comment: at the '/*'") {
    auto p = parse("a :: Counter;\n  /* never closed\n");
    REQUIRE(p->errors() == 1);
    const auto& d = p->diags.diagnostics()[0];
    CHECK(d.message == "unterminated /* comment");
    CHECK(p->at(d.span).line == 2);
    CHECK(p->at(d.span).column == 3);
    CHECK(p->text(d.span) == "/*");
  }
  SECTION("block comment inside a configuration") {
    auto p = parse("a :: Strip(14 /* never closed");
    REQUIRE(p->errors() == 1);
    CHECK(p->diags.diagnostics()[0].message == "unterminated /* comment");
    CHECK(p->at(p->diags.diagnostics()[0].span).column == 15);
  }
  SECTION("string: at the opening quote, with a note at the '('") {
    auto p = parse("a :: ToDump(\"out.pcap);\nb :: Counter;");
    REQUIRE(p->errors() == 1);
    const auto& d = p->diags.diagnostics()[0];
    CHECK(d.message == "unterminated string: missing closing '\"'");
    CHECK(p->at(d.span).column == 13);
    REQUIRE(d.notes.size() == 1);
    CHECK(p->text(d.notes[0].span) == "(");
  }
  SECTION("parenthesis: at the '('") {
    auto p = parse("a :: Strip(14;\nb :: Counter;\n");
    REQUIRE(p->errors() == 1);
    const auto& d = p->diags.diagnostics()[0];
    CHECK(d.message == "unterminated '(': expected ')' before the end of the file");
    CHECK(p->at(d.span).line == 1);
    CHECK(p->at(d.span).column == 11);
  }
  SECTION("brace: at the end of the file") {
    auto p = parse("elementclass A {\n  input -> output;\n");
    REQUIRE(p->errors() == 1);
    const auto& d = p->diags.diagnostics()[0];
    CHECK(d.message == "expected a statement or '}', found end of file");
    CHECK(d.span.begin == p->sources.file(p->file).text().size());
  }
  SECTION("arrow at the very end") {
    auto p = parse("a -> b ->");
    REQUIRE(p->errors() == 1);
    CHECK(p->diags.diagnostics()[0].message == "expected an element after '->', found end of file");
    CHECK(p->at(p->diags.diagnostics()[0].span).column == 10);
  }
}

TEST_CASE("an unterminated brace points back at its '{'", "[parser][errors]") {
  // Without a note the user has to hunt for the '{' in a long file (the '(' case points at
  // the '(' already).
  auto p = parse("elementclass A {\n  input -> output;\n\n\nx :: Counter;\n");
  REQUIRE(p->errors() == 1);
  const auto& d = p->diags.diagnostics()[0];
  bool points_at_brace = p->text(d.span) == "{";
  for (const auto& n : d.notes) points_at_brace = points_at_brace || (n.span.valid() && p->text(n.span) == "{");
  CHECK(points_at_brace);
}

TEST_CASE("three independent bad statements give three errors", "[parser][errors]") {
  auto p = parse("a :: Counter;\nb -> ;\nc :: Counter;\nd [x] -> c;\ne :: ;\nf :: Counter;");
  INFO(p->rendered());
  REQUIRE(p->errors() == 3);
  const auto& ds = p->diags.diagnostics();
  CHECK(p->at(ds[0].span).line == 2);
  CHECK(p->at(ds[1].span).line == 4);
  CHECK(p->at(ds[2].span).line == 5);
  // The good statements around them are kept.
  std::vector<std::string> names;
  for (const auto& st : p->program.statements) {
    if (auto* c = std::get_if<lang::Connection>(&st.node)) names.push_back(c->hops[0].element.names.at(0).text);
  }
  CHECK(names == std::vector<std::string>{"a", "c", "f"});
}

TEST_CASE("errors inside a compound body are reported and parsing resumes after it", "[parser][errors]") {
  // (`input -> ;` alone is Click's implicit output there: an arrow with nothing after it is not.)
  auto p = parse("elementclass A {\n  input -> -> ;\n}\nb :: Counter;\nc -> ;\n");
  INFO(p->rendered());
  REQUIRE(p->errors() == 2);
  CHECK(p->at(p->diags.diagnostics()[0].span).line == 2);
  CHECK(p->at(p->diags.diagnostics()[1].span).line == 5);
  REQUIRE(p->program.statements.size() == 1);
  CHECK(connection(*p, 0).hops[0].element.names[0].text == "b");
}

TEST_CASE("recovery after a port without ']' still finds the next errors", "[parser][errors]") {
  // The resynchronisation counts the unclosed '[' and skips to the end of the file.
  auto p = parse("a [1 -> b;\nc :: Counter;\nd [x] -> c;\ne -> ;\n");
  INFO(p->rendered());
  CHECK(p->errors() == 3);
}

TEST_CASE("the error limit stops the parser early", "[parser][errors]") {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "a -> ;\n";
  lang::SourceManager sources;
  lang::DiagnosticEngine diags(5);
  auto id = sources.add("many.nbc", text);
  lang::parse(sources, id, diags);
  CHECK(diags.at_limit());
  CHECK(diags.diagnostics().size() == 5);
  std::ostringstream out;
  diags.render(out, sources);
  CHECK(out.str().find("many.nbc:5:6: error:") != std::string::npos);
  CHECK(out.str().find("many.nbc:6:6: error:") == std::string::npos);
}

// ---- robustness ----------------------------------------------------------------------------

TEST_CASE("a chain of 100,000 elements parses and checks", "[parser][robustness]") {
  std::string text = "FromDump(in.pcap)";
  for (int i = 0; i < 100000; ++i) text += " -> Counter";
  text += " -> Discard;";
  lang::SourceManager sources;
  lang::DiagnosticEngine diags;
  auto id = sources.add("long.nbc", text);
  auto result = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
  REQUIRE_FALSE(diags.has_errors());
  REQUIRE(result.program.statements.size() == 1);
  CHECK(std::get<lang::Connection>(result.program.statements[0].node).hops.size() == 100002);
  REQUIRE(result.graph.has_value());
  CHECK(result.graph->elements.size() == 100002);
  CHECK(result.graph->edges.size() == 100001);
  CHECK(result.graph->elements.back().name == "Discard@100002");
}

TEST_CASE("100,000 declarations parse and check", "[parser][robustness]") {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "c" + std::to_string(i) + " :: Counter;\n";
  text += "FromDump(in.pcap) -> c0";
  for (int i = 1; i < 100000; ++i) text += " -> c" + std::to_string(i);
  text += " -> Discard;\n";
  lang::SourceManager sources;
  lang::DiagnosticEngine diags;
  auto id = sources.add("decls.nbc", text);
  auto result = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
  REQUIRE_FALSE(diags.has_errors());
  CHECK(result.program.statements.size() == 100001);
  REQUIRE(result.graph.has_value());
  CHECK(result.graph->elements.size() == 100002);
  CHECK(result.graph->find("c99999") >= 0);
  CHECK(result.graph->edges.size() == 100001);
}

TEST_CASE("deep nesting gives an error, never a crash", "[parser][robustness]") {
  constexpr int kDepth = 10000;
  SECTION("anonymous compounds: { { { ... } } }") {
    std::string text = "a :: " + std::string(kDepth, '{') + std::string(kDepth, '}') + ";";
    auto p = parse(text);
    REQUIRE(p->errors() >= 1);
    CHECK(p->diags.diagnostics()[0].message.find("nested too deeply") != std::string::npos);
    check_locations(*p);
  }
  SECTION("unclosed braces") {
    auto p = parse(std::string(kDepth, '{'));
    REQUIRE(p->errors() >= 1);
    check_locations(*p);
  }
  SECTION("parentheses in a configuration") {
    std::string text = "FromDump(x) -> Strip(" + std::string(kDepth, '(') + std::string(kDepth, ')') + ") -> Discard;";
    auto p = parse(text);
    CHECK(p->errors() == 0);  // a configuration is scanned without recursion
    lang::SourceManager sources;
    lang::DiagnosticEngine diags;
    auto id = sources.add("parens.nbc", text);
    compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
    CHECK(diags.has_errors());  // but it is no unsigned integer
  }
  SECTION("unclosed parentheses in a configuration") {
    auto p = parse("a :: Strip(" + std::string(kDepth, '('));
    REQUIRE(p->errors() == 1);
    CHECK(p->at(p->diags.diagnostics()[0].span).column == 11);
  }
  SECTION("elementclass bodies") {
    std::string text;
    for (int i = 0; i < kDepth; ++i) text += "elementclass C" + std::to_string(i) + " { ";
    text += "input -> output";
    for (int i = 0; i < kDepth; ++i) text += " }";
    auto p = parse(text);
    REQUIRE(p->errors() >= 1);
    CHECK(p->diags.diagnostics()[0].message.find("nested too deeply") != std::string::npos);
    check_locations(*p);
  }
  SECTION("nesting up to the limit is fine") {
    std::string text = "a :: ";
    for (int i = 0; i < 60; ++i) text += "{ input -> ";
    text += "output";
    for (int i = 0; i < 60; ++i) text += " }";
    auto p = parse(text + ";");
    CHECK(p->errors() == 0);
  }
  SECTION("instantiation depth of compound classes is bounded") {
    std::string text;
    for (int i = 0; i < 1000; ++i)
      text += "elementclass C" + std::to_string(i) + " { input -> C" + std::to_string(i + 1) + " -> output }\n";
    text += "elementclass C1000 { input -> output }\nFromDump(x) -> C0 -> Discard;\n";
    lang::SourceManager sources;
    lang::DiagnosticEngine diags;
    auto id = sources.add("deep.nbc", text);
    compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
    REQUIRE(diags.has_errors());
    CHECK(diags.diagnostics()[0].message.find("instantiated too deeply") != std::string::npos);
    // Not one "instantiated here" note per level: a few, then how many more.
    const auto& notes = diags.diagnostics()[0].notes;
    CHECK(notes.size() <= 6);
    REQUIRE_FALSE(notes.empty());
    CHECK(notes.back().message == "... and 95 more instantiations");
  }
}

TEST_CASE("random binary garbage never crashes and always yields a located error", "[parser][robustness]") {
  for (unsigned seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> len_dist(1, 4096);
    std::uniform_int_distribution<int> byte(0, 255);
    std::string text(static_cast<std::size_t>(len_dist(rng)), '\0');
    for (char& c : text) c = static_cast<char>(byte(rng));
    INFO("seed " << seed << ", " << text.size() << " bytes");
    lang::SourceManager sources;
    lang::DiagnosticEngine diags;
    auto id = sources.add("garbage.nbc", text);
    auto result = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
    REQUIRE(diags.has_errors());
    CHECK_FALSE(result.graph.has_value());
    for (const auto& d : diags.diagnostics()) {
      REQUIRE(d.span.valid());
      CHECK(d.span.begin <= d.span.end);
      CHECK(d.span.begin <= text.size());
    }
    std::ostringstream out;
    diags.render(out, sources);
    CHECK(out.str().find("garbage.nbc:") == 0);
  }
}

TEST_CASE("random token soup never crashes and every error has a location", "[parser][robustness]") {
  // Inputs built from the language's own tokens reach deeper into the grammar than bytes do.
  const std::vector<std::string> tokens = {
      "a",       "b",     "c",        "Counter", "Discard", "FromDump(x)", "Tee(2)", "Strip(14)", "input",
      "output",  "->",    "::",       ",",       ";",       ";",           "[0]",    "[1]",       "[",
      "]",       "{",     "}",        "(",       ")",       "$a",          "|",      "||",        "elementclass",
      "E",       "define", "($a 1)", "require", "(nb)",    "//c\n",       "/*c*/",  "\"s\"",     "'q'",
      " ",       "\n",    "->",       "->",      "1",       "${a}",        "@",      "/",         "\x01"};
  std::size_t with_errors = 0;
  for (unsigned seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, tokens.size() - 1);
    std::uniform_int_distribution<int> count(1, 60);
    std::string text;
    for (int i = count(rng); i > 0; --i) text += tokens[pick(rng)] + " ";
    INFO("seed " << seed << ": " << text);
    lang::SourceManager sources;
    lang::DiagnosticEngine diags;
    auto id = sources.add("soup.nbc", text);
    auto result = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
    if (diags.has_errors()) ++with_errors;
    CHECK(result.graph.has_value() == !diags.has_errors());
    for (const auto& d : diags.diagnostics()) {
      if (d.severity == lang::Severity::Error) REQUIRE(d.span.valid());
      if (!d.span.valid()) continue;
      CHECK(d.span.begin <= d.span.end);
      // Not end <= size: see "a diagnostic at the end of the file stays inside it".
      CHECK(d.span.begin <= text.size());
    }
  }
  CHECK(with_errors > 250);
}

namespace {

// Random programs that are syntactically valid (not necessarily meaningful): every construct,
// with white space and comments between tokens.
class ProgramGenerator {
 public:
  explicit ProgramGenerator(unsigned seed) : rng_(seed) {}

  std::string program() {
    std::string out;
    for (int i = pick(1, 8); i > 0; --i) out += gap() + statement(0) + gap() + ";";
    return out;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <class T>
  const T& one_of(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(pick(0, static_cast<int>(v.size()) - 1))];
  }

  // White space, or a comment with a number of its own so that tests can follow each one.
  std::string gap() {
    static const std::vector<std::string> gaps = {" ", " ", "", "\n", "\n\n", "  ", "/*", "//", "\t"};
    const std::string& g = one_of(gaps);
    if (g == "/*") return " /* c" + std::to_string(++comments_) + " */ ";
    if (g == "//") return " // l" + std::to_string(++comments_) + "\n";
    return g;
  }
  std::string name() {
    static const std::vector<std::string> names = {"a", "b", "c", "src", "x1", "p/q", "_u"};
    return one_of(names);
  }
  std::string class_text(int depth) {
    static const std::vector<std::string> classes = {
        "Counter", "Discard", "Strip(14)", "Tee", "Tee(2)", "Paint(1, 2)", "FromDump(\"f, g.pcap\")",
        "Classifier(12/0800, -)", "CheckIPHeader(CHECKSUM false)", "ToDump( out.pcap ,  64 )", "P", "P(3)",
        "Unstrip($L)", "Strip(${L})", "Strip(14 /* in a config */)", "Classifier(12/0800, // x\n -)"};
    if (depth < 2 && pick(0, 9) == 0) return compound(depth + 1) + (pick(0, 1) ? "(1)" : "");
    return one_of(classes);
  }
  std::string port() { return "[" + gap() + std::to_string(pick(0, 2)) + gap() + "]"; }
  std::string hop(int depth, bool first) {
    std::string h;
    if (!first && pick(0, 3) == 0) h += port() + gap();
    switch (pick(0, 3)) {
      case 0: h += name(); break;
      case 1: h += class_text(depth); break;
      default: h += name() + gap() + "::" + gap() + class_text(depth); break;
    }
    return h;
  }
  std::string chain(int depth) {
    std::string c = hop(depth, true);
    for (int i = pick(0, 4); i > 0; --i) {
      if (pick(0, 3) == 0) c += gap() + port();
      c += gap() + "->" + gap() + hop(depth, false);
    }
    return c;
  }
  std::string compound(int depth) {
    std::string c = "{" + gap();
    if (pick(0, 2) == 0) c += "$n, KEY $k |" + gap();
    c += "input" + gap() + "->" + gap() + chain(depth) + gap() + "->" + gap() + "output";
    for (int i = pick(0, 2); i > 0; --i) c += gap() + ";" + gap() + statement(depth);
    return c + gap() + "}";
  }
  std::string statement(int depth) {
    switch (pick(0, 9)) {
      case 0: return "elementclass" + gap() + " P" + gap() + compound(depth + 1);
      case 1: return "elementclass Q" + gap() + " P";
      case 2: return "define($L 14, $M two words)";
      case 3: return "require(nb)";
      case 4: return name() + gap() + "," + gap() + name() + gap() + "::" + gap() + class_text(depth);
      default: return chain(depth);
    }
  }

  std::mt19937 rng_;
  int comments_ = 0;
};

std::vector<std::string> error_messages(const std::string& text) {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags(0);
  auto id = sources.add("gen.nbc", text);
  compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
  std::vector<std::string> out;
  for (const auto& d : diags.diagnostics()) {
    if (d.severity == lang::Severity::Error) out.push_back(d.message);
  }
  return out;
}

}  // namespace

TEST_CASE("generated programs parse; fmt is idempotent and keeps their meaning", "[parser][fmt][robustness]") {
  for (unsigned seed = 1; seed <= 1000; ++seed) {
    std::string text = ProgramGenerator(seed).program();
    INFO("seed " << seed << ":\n" << text);
    auto p = parse(text);
    INFO(p->rendered());
    REQUIRE(p->errors() == 0);
    std::string once = lang::format_program(p->sources, p->program);
    INFO("formatted:\n" << once);
    auto q = parse(once);
    INFO(q->rendered());
    REQUIRE(q->errors() == 0);
    CHECK(lang::format_program(q->sources, q->program) == once);
    // Every comment survives (each has its own number), in its order (see also "fmt keeps
    // comments in their order").
    auto comment_texts = [](const Parsed& x) {
      std::vector<std::string> out;
      for (const auto& c : x.program.comments) out.emplace_back(x.text(c.span));
      return out;
    };
    CHECK(comment_texts(*q) == comment_texts(*p));
    // Same statements, and the same verdict from the compiler.
    CHECK(q->program.statements.size() == p->program.statements.size());
    CHECK(error_messages(once) == error_messages(text));
  }
}

TEST_CASE("generated programs with one token cut out never crash", "[parser][robustness]") {
  for (unsigned seed = 1; seed <= 1000; ++seed) {
    std::string text = ProgramGenerator(seed).program();
    std::mt19937 rng(seed);
    std::size_t at = std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng);
    std::size_t len = std::uniform_int_distribution<std::size_t>(1, 3)(rng);
    text.erase(at, len);
    INFO("seed " << seed << ":\n" << text);
    lang::SourceManager sources;
    lang::DiagnosticEngine diags;
    auto id = sources.add("cut.nbc", text);
    compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
    for (const auto& d : diags.diagnostics()) {
      if (d.severity == lang::Severity::Error) REQUIRE(d.span.valid());
      if (d.span.valid()) CHECK(d.span.begin <= text.size());
    }
    std::ostringstream out;
    diags.render(out, sources);  // rendering never fails either
    CHECK((diags.has_errors() == (out.str().find("error") != std::string::npos)));
  }
}

TEST_CASE("a diagnostic at the end of the file stays inside it", "[parser][robustness]") {
  // "found end of file" errors get a one-byte span starting at the end: it reaches past it.
  for (const char* text : {"a -> b ->", "require", "a :: Counter -> b ::", "elementclass A {"}) {
    INFO("input: " << text);
    auto p = parse(text);
    REQUIRE(p->errors() == 1);
    check_locations(*p);
  }
}

TEST_CASE("fmt keeps comments in their order", "[parser][fmt]") {
  // A comment after an anonymous compound's body moves before the statement, so ahead of the
  // comments inside the body (the corpus test compares comments in order).
  auto p = parse("FromDump(a) -> { input /* one */ -> output } /* two */ -> Discard;\n");
  REQUIRE(p->errors() == 0);
  std::string once = lang::format_program(p->sources, p->program);
  INFO("formatted:\n" << once);
  auto q = parse(once);
  REQUIRE(q->errors() == 0);
  REQUIRE(q->program.comments.size() == 2);
  CHECK(q->text(q->program.comments[0].span) == "/* one */");
  CHECK(q->text(q->program.comments[1].span) == "/* two */");
}

// ---- formatting of configuration comments --------------------------------------------------

TEST_CASE("fmt keeps a // comment at the end of a configuration from eating the ')'", "[parser][fmt]") {
  auto p = parse("Strip(14 // length\n) -> Discard;\n");
  REQUIRE(p->errors() == 0);
  std::string once = lang::format_program(p->sources, p->program);
  auto q = parse(once);
  INFO("formatted:\n" << once);
  REQUIRE(q->errors() == 0);
  CHECK(lang::format_program(q->sources, q->program) == once);
  REQUIRE(q->program.statements.size() == 1);
  CHECK(connection(*q, 0).hops.size() == 2);
}

// ---- regressions: comments in configurations ----------------------------------------------

TEST_CASE("a configuration argument's value has no comments; its raw text keeps them", "[parser][config]") {
  auto p = parse("c :: Classifier(12/0800 /* ip */ 20/0001, /* rest: */ -, // x, y\n 14/4?);\n");
  REQUIRE(p->errors() == 0);
  const auto& args = connection(*p, 0).hops[0].element.cls.config->args;
  REQUIRE(args.size() == 3);
  CHECK(args[0].raw == "12/0800 /* ip */ 20/0001");
  CHECK(args[0].value == "12/0800 20/0001");
  CHECK(args[1].raw == "/* rest: */ -");
  CHECK(args[1].value == "-");
  CHECK(args[2].value == "14/4?");
  for (const auto& a : args) CHECK(p->text(a.span) == a.raw);
  // Positions in the value map back to the file.
  CHECK(p->text(args[0].value_span(8, 15)) == "20/0001");
  CHECK(p->text(args[1].value_span(0, 1)) == "-");
  CHECK(p->text(args[2].value_span(0, 5)) == "14/4?");
  // Without comments the value is the raw text.
  auto q = parse("Strip(14)");
  const auto& plain = connection(*q, 0).hops[0].element.cls.config->args.at(0);
  CHECK(plain.value == "14");
  CHECK(plain.value_map.empty());
}

TEST_CASE("comments and quotes in configuration values follow Click's cp_uncomment", "[parser][config]") {
  lang::SourceManager sources;
  auto arg = [&](std::string text) {
    auto id = sources.add("v.nbc", text);
    return lang::make_config_arg(text, lang::Span{id, 0, static_cast<std::uint32_t>(text.size())});
  };
  CHECK(arg("  a  b  ").value == "a  b");              // white space inside is kept
  CHECK(arg("a/*x*/b").value == "a b");                 // a comment separates words
  CHECK(arg("a  /* x */  // y\n  b").value == "a b");   // one space for comments and the space around them
  CHECK(arg("/* only */").value.empty());
  CHECK(arg("\"a /* not */ b\"").value == "\"a /* not */ b\"");  // comments do not start in quotes
  CHECK(arg("'//' x").value == "'//' x");
  CHECK(arg("/* unterminated").value.empty());
}

TEST_CASE("define values may carry comments", "[parser][config]") {
  auto p = parse("define($N 14 /* bytes */, /* c */ $M 2)");
  REQUIRE(p->errors() == 0);
  const auto* d = std::get_if<lang::Define>(&p->program.statements.at(0).node);
  REQUIRE(d != nullptr);
  REQUIRE(d->entries.size() == 2);
  CHECK(d->entries[0].value.value == "14");
  CHECK(d->entries[0].value.raw == "14 /* bytes */");
  CHECK(d->entries[1].variable.text == "$M");
  CHECK(p->text(d->entries[1].variable.span) == "$M");
  CHECK(d->entries[1].value.value == "2");
}

TEST_CASE("define without a value is an error at the define", "[parser][errors]") {
  auto p = parse("define($IN);\nFromDump($IN) -> Discard;");
  INFO(p->rendered());
  REQUIRE(p->errors() == 1);
  CHECK(p->text(p->diags.diagnostics()[0].span) == "$IN");
  CHECK(p->diags.diagnostics()[0].message == "'$IN' is defined without a value");
  auto q = parse("define($IN /* nothing */, $OK 1);");
  CHECK(q->errors() == 1);
  CHECK(parse("define($EMPTY \"\");")->errors() == 0);
}

// ---- regressions: syntax errors ---------------------------------------------------------

TEST_CASE("ports that connect nothing are errors where they are written", "[parser][errors]") {
  auto p = parse("FromDump(a) -> c :: Counter [1];\n[2] c -> Discard;\n[0] d [1];\n");
  INFO(p->rendered());
  REQUIRE(p->errors() == 4);
  const auto& ds = p->diags.diagnostics();
  CHECK(ds[0].message == "output port useless at end of chain");
  CHECK(p->text(ds[0].span) == "[1]");
  CHECK(p->at(ds[0].span).column == 29);
  CHECK(ds[1].message == "input port useless at start of chain");
  CHECK(p->at(ds[1].span).line == 2);
  CHECK(p->at(ds[1].span).column == 1);
  CHECK(p->at(ds[2].span).line == 3);
  CHECK(p->at(ds[3].span).line == 3);
  // The statements are kept.
  CHECK(p->program.statements.size() == 3);
}

TEST_CASE("recovery skips strings inside parentheses and does not count '['", "[parser][errors]") {
  // A ')' and a ';' inside a quoted string after the error must not end the statement there.
  auto p = parse("x [ -> ToDump(\"a);b\") -> c;\nd -> ;\n");
  INFO(p->rendered());
  REQUIRE(p->errors() == 2);
  CHECK(p->at(p->diags.diagnostics()[0].span).line == 1);
  CHECK(p->at(p->diags.diagnostics()[1].span).line == 2);
  // A '[' in a configuration string and a lone '[' do not hide the next statements.
  auto q = parse("a [ -> b;\ne [x] -> f;\ng -> ;\n");
  INFO(q->rendered());
  CHECK(q->errors() == 3);
}

TEST_CASE("an error at the end of the file renders its caret after the last character", "[parser][errors]") {
  auto p = parse("a -> b ->");
  REQUIRE(p->errors() == 1);
  const auto& d = p->diags.diagnostics()[0];
  CHECK(d.span.begin == 9);
  CHECK(d.span.end == 9);
  CHECK(p->rendered().find("    1 | a -> b ->\n      |          ^\n") != std::string::npos);
  auto q = parse("elementclass A {");
  REQUIRE(q->errors() == 1);
  CHECK(q->diags.diagnostics()[0].span.end == 16);
  CHECK(q->rendered().find("      |                 ^\n") != std::string::npos);
}

TEST_CASE("an unclosed '{' is pointed at even when the body has another problem", "[parser][errors]") {
  auto p = parse("elementclass A {\n  input -> output )\n}\n");
  INFO(p->rendered());
  REQUIRE(p->errors() == 1);
  const auto& d = p->diags.diagnostics()[0];
  CHECK(d.message == "expected a statement or '}', found ')'");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].message == "to match this '{'");
  CHECK(p->at(d.notes[0].span).line == 1);
  CHECK(p->at(d.notes[0].span).column == 16);
  // Nested: the innermost open brace.
  auto q = parse("elementclass A {\n  elementclass B {\n    input -> output\n");
  REQUIRE(q->errors() == 1);
  REQUIRE(q->diags.diagnostics()[0].notes.size() == 1);
  CHECK(q->at(q->diags.diagnostics()[0].notes[0].span).line == 2);
}

// '||' separates Click's overloaded bodies (it was "not supported" before issue 18); what can
// still go wrong around it is named once.
TEST_CASE("the '||' message names the token once", "[parser][errors]") {
  auto ok = parse("elementclass E { input -> output || $n | input -> Strip($n) -> output || ... }");
  REQUIRE(ok->errors() == 0);
  auto p = parse("elementclass E { input -> output || ... || }");
  REQUIRE(p->errors() == 1);
  CHECK(p->diags.diagnostics()[0].message == "'...' must be the last alternative of an overloaded class");
  auto q = parse("elementclass E { input -> output || -> -> }");  // `->` alone is input -> output
  REQUIRE(q->errors() == 1);
  CHECK(q->diags.diagnostics()[0].message.find("found '->'") != std::string::npos);
}

TEST_CASE("overloaded compound classes keep their bodies in order", "[parser]") {
  auto p = parse(
      "elementclass E { input -> output || $a | input -> Strip($a) -> output || $a, $b | "
      "input -> output || ... }");
  REQUIRE(p->errors() == 0);
  const auto& decl = std::get<std::shared_ptr<lang::ElementClassDecl>>(p->program.statements.at(0).node);
  CHECK(decl->formals.empty());
  REQUIRE(decl->overloads.size() == 2);
  CHECK(decl->overloads[0]->formals.size() == 1);
  CHECK(decl->overloads[1]->formals.size() == 2);
  CHECK(decl->overloads[1]->name.text == "E");
  CHECK(decl->extends);
}

TEST_CASE("formal parameters and their keywords are declared once", "[parser][errors]") {
  auto p = parse("elementclass A { $a, $b, $a | input -> output }");
  REQUIRE(p->errors() == 1);
  CHECK(p->diags.diagnostics()[0].message == "formal parameter '$a' is declared twice");
  CHECK(p->at(p->diags.diagnostics()[0].span).column == 26);
  REQUIRE(p->diags.diagnostics()[0].notes.size() == 1);
  CHECK(p->at(p->diags.diagnostics()[0].notes[0].span).column == 18);
  auto q = parse("elementclass A { N $a, N $b | input -> output }");
  REQUIRE(q->errors() == 1);
  CHECK(q->diags.diagnostics()[0].message == "keyword 'N' is declared twice");
  CHECK(q->at(q->diags.diagnostics()[0].span).column == 24);
}

// ---- regressions: fmt and the diagnostic engine ------------------------------------------

TEST_CASE("fmt keeps comments after several compound bodies in order", "[parser][fmt]") {
  auto p = parse(
      "FromDump(a) /* 1 */ -> { input /* 2 */ -> output } /* 3 */ -> { /* 4 */ input -> output } // 5\n"
      "  /* 6 */ -> Discard; // 7\n");
  REQUIRE(p->errors() == 0);
  std::string once = lang::format_program(p->sources, p->program);
  INFO("formatted:\n" << once);
  auto q = parse(once);
  REQUIRE(q->errors() == 0);
  CHECK(lang::format_program(q->sources, q->program) == once);
  std::vector<std::string> texts;
  for (const auto& c : q->program.comments) texts.emplace_back(q->text(c.span));
  CHECK(texts == std::vector<std::string>{"/* 1 */", "/* 2 */", "/* 3 */", "/* 4 */", "// 5", "/* 6 */", "// 7"});
}

TEST_CASE("without an error limit no warning is dropped", "[parser][diagnostics]") {
  lang::DiagnosticEngine unlimited(0);
  for (int i = 0; i < 500; ++i) unlimited.warning(lang::Span{}, "w");
  CHECK(unlimited.warning_count() == 500);
  CHECK(unlimited.diagnostics().size() == 500);
  // With a limit, warnings are bounded too, and the rendering says how many were left out.
  lang::DiagnosticEngine limited(5);
  for (int i = 0; i < 500; ++i) limited.warning(lang::Span{}, "w");
  CHECK(limited.warning_count() == 500);
  CHECK(limited.diagnostics().size() < 500);
  lang::SourceManager sources;
  std::ostringstream out;
  limited.render(out, sources);
  CHECK(out.str().find("more not shown") != std::string::npos);
}

TEST_CASE("did-you-mean counts a swap of two letters as one edit", "[parser][diagnostics]") {
  CHECK(lang::edit_distance("LNE", "LEN") == 1);
  CHECK(lang::edit_distance("abc", "abc") == 0);
  CHECK(lang::edit_distance("kitten", "sitting") == 3);
  CHECK(lang::closest_match("LNE", {"LEN", "COLOR"}) == "LEN");
  CHECK(lang::closest_match("Conuter", {"Counter", "Discard"}) == "Counter");
}

TEST_CASE("fmt keeps comments anywhere in a define entry", "[parser][fmt]") {
  auto p = parse("define(/* a */ $X /* b */ 1 /* c */, $Y 2, $Z 3 // d\n);\nStrip($X) -> Discard;\n");
  REQUIRE(p->errors() == 0);
  std::string once = lang::format_program(p->sources, p->program);
  INFO("formatted:\n" << once);
  for (const char* c : {"/* a */", "/* b */", "/* c */", "// d"}) CHECK(once.find(c) != std::string::npos);
  auto q = parse(once);
  REQUIRE(q->errors() == 0);
  CHECK(lang::format_program(q->sources, q->program) == once);
  const auto* d = std::get_if<lang::Define>(&q->program.statements.at(0).node);
  REQUIRE(d != nullptr);
  REQUIRE(d->entries.size() == 3);
  CHECK(d->entries[0].variable.text == "$X");
  CHECK(d->entries[0].value.value == "1");
  CHECK(d->entries[2].value.value == "3");
}

// ---- configuration input and the front end's limits (issue 15) --------------------------------

namespace {

// A folder for files of every kind, removed at the end.
struct Scratch {
  std::filesystem::path dir;
  Scratch() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "nb-parser-test.XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string file(const std::string& name, const std::string& text) const {
    std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
};

// The whole front end over one text: its rendered diagnostics and error count.
struct FrontEnd {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags;
  compiler::FrontEndResult result;
  std::string rendered;
};

std::unique_ptr<FrontEnd> front_end(std::string text) {
  auto f = std::make_unique<FrontEnd>();
  auto id = f->sources.add("test.nbc", std::move(text));
  f->result = compiler::compile_front_end(f->sources, id, compiler::Registry::builtin(), f->diags);
  std::ostringstream out;
  f->diags.render(out, f->sources);
  f->rendered = out.str();
  return f;
}

}  // namespace

TEST_CASE("a configuration is read only from a regular file, without blocking", "[parser][source]") {
  Scratch s;
  lang::SourceManager sources;
  std::string err;
  std::string ok = s.file("ok.nbc", "FromDump(a.pcap) -> Discard;\n");
  auto id = sources.load(ok, err);
  REQUIRE(id != lang::kNoFile);
  CHECK(sources.file(id).text() == "FromDump(a.pcap) -> Discard;\n");

  CHECK(sources.load(s.dir.string(), err) == lang::kNoFile);
  CHECK(err == fmt::format("'{}' is a directory", s.dir.string()));
  // A FIFO without a writer would block an open or a read for ever.
  std::string fifo = (s.dir / "fifo.nbc").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(sources.load(fifo, err) == lang::kNoFile);
  CHECK(err.find("is a FIFO, not a regular file") != std::string::npos);
  for (const char* dev : {"/dev/null", "/dev/zero", "/dev/urandom"}) {
    CHECK(sources.load(dev, err) == lang::kNoFile);
    CHECK(err.find("is a character device, not a regular file") != std::string::npos);
  }
  CHECK(sources.load((s.dir / "missing.nbc").string(), err) == lang::kNoFile);
  CHECK(err.find("cannot open") != std::string::npos);
  CHECK(err.find("No such file") != std::string::npos);

  std::string largest = s.file("largest.nbc", std::string(lang::kMaxSourceBytes, ' '));
  CHECK(sources.load(largest, err) != lang::kNoFile);
  std::string larger = s.file("larger.nbc", std::string(lang::kMaxSourceBytes + 1, ' '));
  CHECK(sources.load(larger, err) == lang::kNoFile);
  CHECK(err.find("is too large: a configuration may have at most 4 MiB") != std::string::npos);
}

TEST_CASE("an empty configuration is an error, not a graph that does nothing", "[parser][limits]") {
  for (const char* text : {"", "\n\n", "// only a comment\n", "elementclass Unused { input -> output }\n",
                           "define($X 1);\nrequire(package \"x\");\n"}) {
    INFO("text: " << text);
    auto f = front_end(text);
    CHECK_FALSE(f->result.graph);
    CHECK(f->diags.error_count() == 1);
    CHECK(f->rendered.find("test.nbc:1:1: error: the configuration has no elements") != std::string::npos);
  }
  // Errors of their own are not followed by this one.
  auto f = front_end("x :: Frobnicator;\n");
  CHECK(f->diags.error_count() == 1);
  CHECK(f->rendered.find("no elements") == std::string::npos);
}

TEST_CASE("snippets show printable text only, cut around the caret", "[parser][diagnostics]") {
  lang::SourceManager sources;
  // A 20,000-byte line of binary junk with the error in the middle.
  std::string junk;
  for (int i = 0; i < 20000; ++i) junk += static_cast<char>(i * 7 % 256 == '\n' ? 1 : i * 7 % 256);
  auto id = sources.add("junk.nbc", junk + "\nnext line\n");
  lang::DiagnosticEngine diags;
  diags.error(lang::Span{id, 10000, 10004}, std::string("bad \x1b[31m byte \x01"));
  std::ostringstream out;
  diags.render(out, sources);
  std::string r = out.str();
  INFO(r);
  CHECK(r.size() < 1000);
  for (char c : r) CHECK_FALSE((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t'));
  std::istringstream lines(r);
  std::string head, snippet, caret;
  std::getline(lines, head);
  std::getline(lines, snippet);
  std::getline(lines, caret);
  CHECK(head.rfind("junk.nbc:1:10001: error: bad ?[31m byte ?", 0) == 0);
  CHECK(snippet.rfind("    1 | ...", 0) == 0);
  CHECK(snippet.size() >= 3);
  CHECK(snippet.substr(snippet.size() - 3) == "...");
  // The caret is under the error's byte: every byte before it in the window is one column.
  std::size_t at = caret.find('^');
  REQUIRE(at != std::string::npos);
  CHECK(caret.find("^~~~") == at);
  CHECK(at == std::string("    1 | ...").size() + 60);

  // Well-formed UTF-8 is kept (one column per character); a stray byte is shown as '?'.
  lang::SourceManager s2;
  auto id2 = s2.add("u.nbc", "caf\xc3\xa9 \xff x");
  lang::DiagnosticEngine d2;
  d2.error(lang::Span{id2, 9, 10}, "here");
  std::ostringstream o2;
  d2.render(o2, s2);
  CHECK(o2.str().find("    1 | caf\xc3\xa9 ? x\n      |         ^\n") != std::string::npos);
}

TEST_CASE("an unknown class in a chain is said to be no class, not to be declared", "[parser][diagnostics]") {
  auto f = front_end("FromDump(a.pcap) -> Frobnicator -> Discard;\n");
  INFO(f->rendered);
  CHECK(f->rendered.find("test.nbc:1:21: error: unknown element class 'Frobnicator'") != std::string::npos);
  CHECK(f->rendered.find("declare it") == std::string::npos);
  CHECK(f->rendered.find("`nbc doc` lists every element class") != std::string::npos);
  auto g = front_end("FromDump(a.pcap) -> Dicsard;\n");
  CHECK(g->rendered.find("did you mean 'Discard'?") != std::string::npos);
  // A lower-case name is an element that was not declared.
  auto h = front_end("FromDump(a.pcap) -> sink;\n");
  CHECK(h->rendered.find("undeclared element 'sink'") != std::string::npos);
  CHECK(h->rendered.find("declare it first") != std::string::npos);
}

TEST_CASE("an integer out of range is shown short, with the parameter's own range", "[parser][diagnostics]") {
  auto f = front_end("FromDump(a.pcap) -> Paint(" + std::string(1000, '9') + ") -> Discard;\n");
  INFO(f->rendered);
  CHECK(f->diags.error_count() == 1);
  CHECK(f->rendered.find("integer 999999999999... (1000 digits) is out of range") != std::string::npos);
  CHECK(f->rendered.find("note: COLOR of Paint is at most 255") != std::string::npos);
  CHECK(f->rendered.size() < 2000);
}

TEST_CASE("expansion stops at its limits with one error where it was reached", "[parser][limits]") {
  auto doubling = [](const std::string& leaf, const std::string& top) {
    std::string t = "elementclass C0 { " + leaf + " }\n";
    for (int k = 1; k <= 40; ++k)
      t += fmt::format("elementclass C{} {{ input -> C{} -> C{} -> output }}\n", k, k - 1, k - 1);
    return t + top;
  };
  struct Case {
    std::string name, text, message;
  };
  auto repeat = [](std::string_view piece, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += piece;
    return out;
  };
  std::string defines;
  for (int i = 1; i < 500; ++i) defines += fmt::format(", $v{} {}", i, i);
  std::string hundred = "input";
  for (int i = 0; i < 100; ++i) hundred += " -> Counter";
  hundred += " -> output";
  // A thousand connections in a class instantiated ten thousand times.
  std::string many_edges = "elementclass A { a :: Tee; b :: Discard; input -> a";
  for (int i = 0; i < 1000; ++i) many_edges += "; a -> b";
  for (const char* level : {"B", "C"}) {
    many_edges += fmt::format(" }}\nelementclass {} {{ input -> t :: Tee", level);
    for (int i = 0; i < 100; ++i) many_edges += fmt::format("; t [{}] -> {}", i, level[0] == 'B' ? "A" : "B");
  }
  many_edges += " }\nFromDump(a.pcap) -> C;\n";
  std::string args = "elementclass S0 { $a | input -> Paint($a) -> output }\n";
  for (int k = 1; k <= 60; ++k)
    args += fmt::format("elementclass S{} {{ $a | input -> S{}($a$a) -> output }}\n", k, k - 1);
  args += "FromDump(a.pcap) -> S60(1) -> Discard;\n";
  std::vector<Case> cases{
      {"2^40 Counters", doubling("input -> Counter -> output", "FromDump(a.pcap) -> C40 -> Discard;\n"),
       "the expanded configuration is larger than 96 MiB"},
      {"2^40 instances and no element", doubling("input -> output", "FromDump(a.pcap) -> C40 -> Discard;\n"),
       "the expanded configuration is larger than 96 MiB"},
      {"a million short Counters",
       "elementclass H { " + hundred + " }\nelementclass T { input" + repeat(" -> H", 100) +
           " -> output }\nelementclass M { input" + repeat(" -> T", 100) +
           " -> output }\nFromDump(a.pcap) -> M -> Discard;\n",
       "the configuration expands to more than 150000 elements"},
      {"millions of connections", many_edges, "the expanded configuration is larger than 96 MiB"},
      {"500 defines in each of 2^40 instances",
       doubling("define($v0 0" + defines + "); input -> output", "FromDump(a.pcap) -> C40 -> Discard;\n"),
       "the expanded configuration is larger than 96 MiB"},
      {"2000 statements in each of 2^40 instances",
       doubling("a :: Counter; input -> a -> output;" + repeat(" a;", 2000), "FromDump(a.pcap) -> C40 -> Discard;\n"),
       "the expanded configuration is larger than 96 MiB"},
      {"an argument doubled 60 times", args,
       "test.nbc:41:38: error: after substitution this argument is longer than 1 MiB, the limit for one argument"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto f = front_end(c.text);
    INFO(f->rendered.substr(0, 2000));
    CHECK_FALSE(f->result.graph);
    CHECK(f->diags.error_count() == 1);
    CHECK(f->rendered.find(c.message) != std::string::npos);
  }
}

TEST_CASE("a 100,000-element graph is within the limits", "[parser][limits]") {
  // 10 x 100 x 100 Counters in three levels of compounds, as a generator might write them.
  std::string t = "elementclass H { input";
  for (int i = 0; i < 100; ++i) t += " -> Counter";
  t += " -> output }\nelementclass T { input";
  for (int i = 0; i < 100; ++i) t += " -> H";
  t += " -> output }\nFromDump(a.pcap)";
  for (int i = 0; i < 10; ++i) t += " -> T";
  t += " -> Discard;\n";
  auto f = front_end(t);
  INFO(f->rendered.substr(0, 2000));
  REQUIRE(f->result.graph);
  CHECK(f->result.graph->elements.size() == 100'002);
  CHECK(f->result.graph->edges.size() == 100'001);
}

TEST_CASE("many connections into one long chain of compound ports", "[parser][limits]") {
  // 2^12 sources reach one Discard through 2^12 - 1 nested pass-through instances: every edge
  // ends at the Discard, and is reported (arrow) where it is written least deep.
  std::string t = "elementclass F0 { FromDump(a.pcap) -> output }\nelementclass D0 { input -> output }\n";
  for (int k = 1; k <= 12; ++k) {
    t += fmt::format("elementclass F{} {{ F{} -> output; F{} -> output }}\n", k, k - 1, k - 1);
    t += fmt::format("elementclass D{} {{ input -> D{} -> D{} -> output }}\n", k, k - 1, k - 1);
  }
  t += "F12 -> D12 -> Discard;\n";
  auto f = front_end(t);
  INFO(f->rendered.substr(0, 2000));
  REQUIRE(f->result.graph);
  const compiler::Graph& g = *f->result.graph;
  CHECK(g.elements.size() == 4097);
  REQUIRE(g.edges.size() == 4096);
  int discard = g.find("Discard@3");
  REQUIRE(discard >= 0);
  for (const compiler::Edge& e : g.edges) {
    CHECK(e.to == static_cast<unsigned>(discard));
    CHECK(e.context.empty());  // the top level's "F12 -> D12"
  }
}

// ---- port lists, element lists and '=>' (Click >= 2.1) -------------------------------------

TEST_CASE("a port list names ports one by one and in ranges", "[parser][ports]") {
  auto p = parse("a [0, 2-3] => [ 1 - 3 ] b;");
  INFO(p->rendered());
  REQUIRE(p->errors() == 0);
  const auto& c = connection(*p, 0);
  REQUIRE(c.hops.size() == 2);
  const lang::PortRef& out = *c.hops[0].out_port;
  REQUIRE(out.ranges.size() == 2);
  CHECK(out.ranges[0].first == 0);
  CHECK(out.ranges[0].last == 0);
  CHECK(out.ranges[1].first == 2);
  CHECK(out.ranges[1].last == 3);
  CHECK(out.count() == 3);
  CHECK(out.port == 0);
  CHECK(p->text(out.span) == "[0, 2-3]");
  CHECK(c.hops[1].in_port->count() == 3);
  CHECK(c.hops[1].in_port->port == 1);
}

TEST_CASE("a port list may end with a comma, as Click's grammar allows", "[parser][ports]") {
  auto p = parse("a [0, 1,] => [2,3 , ] b;");
  INFO(p->rendered());
  REQUIRE(p->errors() == 0);
  const auto& c = connection(*p, 0);
  CHECK(c.hops[0].out_port->count() == 2);
  CHECK(c.hops[1].in_port->count() == 2);
  auto q = parse("a [,] -> b;");
  CHECK(q->errors() == 1);
  auto r = parse("a [0,,] -> b;");
  CHECK(r->errors() == 1);
}

TEST_CASE("elements joined by ',' form one side of a connection; '=>' is kept", "[parser][ports]") {
  auto p = parse("x => [0] a, [1] b -> y;");
  INFO(p->rendered());
  REQUIRE(p->errors() == 0);
  const auto& c = connection(*p, 0);
  REQUIRE(c.hops.size() == 4);
  CHECK(c.hops[1].many_to_many);
  CHECK(p->text(c.hops[1].arrow) == "=>");
  CHECK(c.hops[2].after_comma);
  CHECK_FALSE(c.hops[2].arrow.valid());
  CHECK_FALSE(c.hops[3].many_to_many);
  CHECK(c.hops[2].element.names[0].text == "b");
}

namespace {
std::vector<std::string> links_of(const std::string& text) {
  auto p = parse(text);
  INFO(p->rendered());
  REQUIRE(p->errors() == 0);
  std::vector<std::string> out;
  const auto& c = connection(*p, 0);
  lang::connection_links(c, [&](const lang::PortLink& l) {
    out.push_back(fmt::format("{}[{}]>[{}]{}", c.hops[l.from_hop].element.names[0].text, l.from_port, l.to_port,
                              c.hops[l.to_hop].element.names[0].text));
    return true;
  });
  return out;
}
}  // namespace

TEST_CASE("connections pair ports as Click does", "[parser][ports]") {
  using V = std::vector<std::string>;
  CHECK(links_of("a -> b;") == V{"a[0]>[0]b"});
  CHECK(links_of("a [0, 1] -> b;") == V{"a[0]>[0]b", "a[1]>[0]b"});              // many to one
  CHECK(links_of("a -> [0-2] b;") == V{"a[0]>[0]b", "a[0]>[1]b", "a[0]>[2]b"});  // one to many
  CHECK(links_of("a, b -> c;") == V{"a[0]>[0]c", "b[0]>[0]c"});
  CHECK(links_of("a [1], b [2] -> [3] c;") == V{"a[1]>[3]c", "b[2]>[3]c"});
  CHECK(links_of("a [0-2] => [0, 2, 4] b;") == V{"a[0]>[0]b", "a[1]>[2]b", "a[2]>[4]b"});
  // '=>': one element without a port stands for as many ports as the other side names.
  CHECK(links_of("c => p, q, r;") == V{"c[0]>[0]p", "c[1]>[0]q", "c[2]>[0]r"});
  CHECK(links_of("c [0-1] => d;") == V{"c[0]>[0]d", "c[1]>[1]d"});
  CHECK(links_of("x => [0] a, [1] b;") == V{"x[0]>[0]a", "x[1]>[1]b"});
  CHECK(links_of("a [0, 1], b [5] => [0-2] c;") == V{"a[0]>[0]c", "a[1]>[1]c", "b[5]>[2]c"});
  CHECK(links_of("a -> b, c -> d;") == V{"a[0]>[0]b", "a[0]>[0]c", "b[0]>[0]d", "c[0]>[0]d"});
}

TEST_CASE("port lists that do not match are errors that say both lengths", "[parser][ports][errors]") {
  struct Case {
    const char* text;
    unsigned column;
    const char* message;
  };
  const Case cases[] = {
      {"a [0-2] => [0-1] b;", 9, "connection mismatch: 3 outputs connected to 2 inputs"},
      {"a, b => [0-2] c;", 6, "connection mismatch: 2 outputs connected to 3 inputs"},
      {"a [0-2] -> [0-2] b;", 9, "connecting 3 outputs to 3 inputs in pairs needs '=>'"},
      {"a [0, 1] -> b, c;", 10, "connecting 2 outputs to 2 inputs in pairs needs '=>'"},
      {"a [2-0] -> b;", 4, "the port range 2-0 is empty"},
      {"a [0-,1] -> b;", 6, "expected the last port of the range after '-', found ','"},  // open only at the end
      {"a [0,,] -> b;", 6, "expected a port number after ',', found ','"},                // [0,] is Click's [0]
      {"a [0-65536] -> b;", 6, "port number 65536 is too large"},
      {"a -> b, ;", 9, "expected an element name after ',', found ';'"},
  };
  for (const Case& c : cases) {
    auto p = parse(c.text);
    INFO(c.text << "\n" << p->rendered());
    REQUIRE(p->errors() == 1);
    const auto& d = p->diags.diagnostics()[0];
    CHECK(d.message == c.message);
    CHECK(p->at(d.span).column == c.column);
    check_locations(*p);
  }
}

TEST_CASE("fmt prints port lists, element lists and '=>' as written", "[parser][fmt][ports]") {
  auto p = parse("x=>[0]a,[1]b=>[ 0 ,2-2]y [1]->z;");
  INFO(p->rendered());
  REQUIRE(p->errors() == 0);
  CHECK(lang::format_program(p->sources, p->program) == "x => [0] a, [1] b => [0, 2] y [1] -> z;\n");
}

TEST_CASE("token soup with port lists and '=>' never crashes", "[parser][robustness][ports]") {
  const std::vector<std::string> tokens = {"a",
                                           "b",
                                           "c",
                                           "Counter",
                                           "Discard",
                                           "FromDump(x)",
                                           "Tee(3)",
                                           "Classifier(-, -)",
                                           "input",
                                           "output",
                                           "->",
                                           "=>",
                                           "::",
                                           ",",
                                           ";",
                                           "[0]",
                                           "[1]",
                                           "[0-2]",
                                           "[0, 1]",
                                           "[2-0]",
                                           "[",
                                           "]",
                                           "-",
                                           "{",
                                           "}",
                                           "$a",
                                           "|",
                                           "${a-1}",
                                           "Paint(${b-2})",
                                           "1",
                                           "\n",
                                           "(",
                                           ")",
                                           "[65535-65535]"};
  for (unsigned seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, tokens.size() - 1);
    std::uniform_int_distribution<int> count(1, 40);
    std::string text;
    for (int i = count(rng); i > 0; --i) text += tokens[pick(rng)] + " ";
    INFO("seed " << seed << ": " << text);
    lang::SourceManager sources;
    lang::DiagnosticEngine diags;
    auto id = sources.add("soup.nbc", text);
    auto result = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
    CHECK(result.graph.has_value() == !diags.has_errors());
    for (const auto& d : diags.diagnostics()) {
      if (d.severity == lang::Severity::Error) REQUIRE(d.span.valid());
      if (d.span.valid()) CHECK(d.span.begin <= text.size());
    }
  }
}

// ---- Click's open port lists `[N-]` and `[]` and element groups `( ... )` --------------------------

TEST_CASE("an open port list takes as many ports as the other side names", "[parser][ports]") {
  using V = std::vector<std::string>;
  CHECK(links_of("c [1-] => a, b;") == V{"c[1]>[0]a", "c[2]>[0]b"});
  CHECK(links_of("c [] => a, b, d;") == V{"c[0]>[0]a", "c[1]>[0]b", "c[2]>[0]d"});
  CHECK(links_of("a, b => [] c;") == V{"a[0]>[0]c", "b[0]>[1]c"});
  CHECK(links_of("a, b => [2-] c;") == V{"a[0]>[2]c", "b[0]>[3]c"});
  CHECK(links_of("c [0, 3-] => a, b, d;") == V{"c[0]>[0]a", "c[3]>[0]b", "c[4]>[0]d"});
  CHECK(links_of("c [2-] => [0-2] d;") == V{"c[2]>[0]d", "c[3]>[1]d", "c[4]>[2]d"});
  // Against one port, an open list is its first port, with '->' or '=>'.
  CHECK(links_of("c [1-] -> a;") == V{"c[1]>[0]a"});
  CHECK(links_of("c [1-] => a;") == V{"c[1]>[0]a"});
  CHECK(links_of("a -> [] b;") == V{"a[0]>[0]b"});
  auto p = parse("c [] -> d; a -> [4-] b;");
  INFO(p->rendered());
  REQUIRE(p->errors() == 0);
  const auto& c = connection(*p, 0);
  CHECK(c.hops[0].out_port->open);
  CHECK(c.hops[0].out_port->port == 0);
  const auto& a = connection(*p, 1);
  CHECK(a.hops[1].in_port->open);
  CHECK(a.hops[1].in_port->port == 4);
  CHECK(a.hops[1].in_port->count() == 1);
}

TEST_CASE("open port lists follow Click's rules for '->' and '=>'", "[parser][ports][errors]") {
  struct Case {
    const char* text;
    unsigned column;
    const char* message;
  };
  const Case cases[] = {
      {"c [1-] -> a, b;", 8, "connecting 1 or more outputs to 2 inputs in pairs needs '=>'"},
      {"a [1-] => [2-] b;", 8, "at most one port list of a connection may be open ('[N-]' or '[]')"},
      {"a [] => b, [] c;", 6, "at most one port list of a connection may be open ('[N-]' or '[]')"},
      {"c [0-2, 5-] => a, b;", 13, "connection mismatch: 4 or more outputs connected to 2 inputs"},
      {"a, b => [0, 2, 4-] c;", 6, "connection mismatch: 2 outputs connected to 3 or more inputs"},
      {"a [65535-] => b, c;", 3, "this open port list would go past port 65535"},
      {"a [1-2-] -> b;", 7, "expected ']' after the port number, found '-'"},
  };
  for (const Case& c : cases) {
    auto p = parse(c.text);
    INFO(c.text << "\n" << p->rendered());
    REQUIRE(p->errors() == 1);
    const auto& d = p->diags.diagnostics()[0];
    CHECK(d.message == c.message);
    CHECK(p->at(d.span).column == c.column);
    check_locations(*p);
  }
}

namespace {
const lang::Group& group_at(const lang::Connection& c, std::size_t hop) {
  REQUIRE(hop < c.hops.size());
  REQUIRE(c.hops[hop].element.kind == ElementRef::Kind::Group);
  REQUIRE(c.hops[hop].element.group != nullptr);
  return *c.hops[hop].element.group;
}
}  // namespace

TEST_CASE("an element group is an element with implied ports", "[parser][group]") {
  auto p = parse(
      "x -> c :: Classifier(00/01) => ( input [0] -> output;\n"
      "    input [1] -> Paint(1) -> output ) -> y;");
  INFO(p->rendered());
  REQUIRE(p->errors() == 0);
  const auto& c = connection(*p, 0);
  REQUIRE(c.hops.size() == 4);
  const lang::Group& g = group_at(c, 2);
  CHECK(g.inputs == 2);
  CHECK(g.outputs == 1);
  CHECK(g.body.size() == 2);
  CHECK(p->text(g.span).front() == '(');
  CHECK(p->text(g.span).back() == ')');
  // Click's implicit, overridable port list: every port of the group.
  REQUIRE(c.hops[2].in_port.has_value());
  CHECK(c.hops[2].in_port->implicit);
  CHECK(c.hops[2].in_port->count() == 2);
  CHECK(c.hops[2].out_port->count() == 1);
  using V = std::vector<std::string>;
  std::vector<std::string> links;
  lang::connection_links(c, [&](const lang::PortLink& l) {
    auto name = [&](std::size_t h) {
      const ElementRef& e = c.hops[h].element;
      return e.kind == ElementRef::Kind::Group ? std::string("()") : e.names.front().text;
    };
    links.push_back(fmt::format("{}[{}]>[{}]{}", name(l.from_hop), l.from_port, l.to_port, name(l.to_hop)));
    return true;
  });
  CHECK(links == V{"x[0]>[0]c", "c[0]>[0]()", "c[1]>[1]()", "()[0]>[0]y"});
  // Ports written around a group replace the implied ones.
  auto q = parse("x => [0,1] ( [0]->[0]; [1]->[1] ) [0,1] -> y;");
  INFO(q->rendered());
  REQUIRE(q->errors() == 0);
  const auto& qc = connection(*q, 0);
  CHECK_FALSE(qc.hops[1].in_port->implicit);
  CHECK(q->text(qc.hops[1].in_port->span) == "[0,1]");
}

TEST_CASE("inside a group or compound, a connection may leave out input and output", "[parser][group]") {
  for (const char* text : {"x -> (->) -> y;", "x -> ( [0] -> [0] ) -> y;", "x -> ( input -> output ) -> y;"}) {
    auto p = parse(text);
    INFO(text << "\n" << p->rendered());
    REQUIRE(p->errors() == 0);
    const lang::Group& g = group_at(connection(*p, 0), 1);
    CHECK(g.inputs == 1);
    CHECK(g.outputs == 1);
    const auto* inner = std::get_if<lang::Connection>(&g.body.at(0).node);
    REQUIRE(inner != nullptr);
    REQUIRE(inner->hops.size() == 2);
    CHECK(inner->hops[0].element.names.at(0).text == "input");
    CHECK(inner->hops[1].element.names.at(0).text == "output");
  }
  auto p = parse("x -> ( [1] -> Paint(1) -> [0] ) -> y;");
  REQUIRE(p->errors() == 1);  // input 0 is not used: a gap
  auto q = parse("elementclass P { -> Paint(1) -> }\nelementclass Q { [1] -> Strip(14) -> [2] }");
  INFO(q->rendered());
  REQUIRE(q->errors() == 0);
  const auto& body = std::get<lang::Connection>(elementclass(*q, 1).body.at(0).node);
  CHECK(body.hops[0].element.implicit);
  CHECK(body.hops[0].out_port->port == 1);
  CHECK(q->text(body.hops[0].element.span) == "[1]");
  CHECK(body.hops[2].element.implicit);
  CHECK(body.hops[2].in_port->port == 2);
  const auto& pbody = std::get<lang::Connection>(elementclass(*q, 0).body.at(0).node);
  CHECK(q->text(pbody.hops[0].element.span) == "->");  // the implicit input is where its arrow is
}

TEST_CASE("element groups follow Click's rules, each error at what was written", "[parser][group][errors]") {
  struct Case {
    const char* text;
    unsigned column;
    const char* message;
  };
  const Case cases[] = {
      {"x => [0] ( [0]->[0]; [1]->Idle ) -> y;", 6, "input 1 of the element group is not connected"},
      {"x => ( [0]->[0]; [2]->Idle ) -> y;", 18, "the element group uses input 2 but not input 1"},
      {"x -> ( [0]->[0]; Idle -> [2] ) => a, b, c;", 26, "the element group uses output 2 but not output 1"},
      {"x -> (->);", 6, "output 0 of the element group is not connected"},
      {"(Idle -> output);", 1, "output 0 of the element group is not connected"},
      {"x -> [3] (->) -> y;", 6, "the element group has no input 3"},
      {"x -> ( Idle -> output ) -> y;", 6, "the element group has no input 0"},
      {"x -> ( Idle -> input; input -> output ) -> y;", 16,
       "packets cannot go into the element group's 'input': they enter the group there"},
      {"x -> ( output -> Discard; input -> output ) -> y;", 8,
       "packets cannot come out of the element group's 'output': they leave the group there"},
      {"x -> ( a -> b ;", 16, "expected a statement or ')' to close the element group, found end of file"},
      {"x -> ( a -> -> b ) -> y;", 13, "expected an element after '->', found '->'"},
      {"-> x;", 1,
       "expected a statement (an element, a connection, 'elementclass', 'define' or 'require'), found '->'"},
      {"x -> ;", 6, "expected an element after '->', found ';'"},  // no implicit output at the top level
  };
  for (const Case& c : cases) {
    auto p = parse(c.text);
    INFO(c.text << "\n" << p->rendered());
    REQUIRE(p->errors() == 1);
    const auto& d = p->diags.diagnostics()[0];
    CHECK(d.message == c.message);
    CHECK(p->at(d.span).column == c.column);
    check_locations(*p);
  }
  // An unclosed group points at its '('.
  auto p = parse("x -> ( a -> b ;");
  REQUIRE(p->errors() == 1);
  const auto& notes = p->diags.diagnostics()[0].notes;
  REQUIRE(notes.size() == 1);
  CHECK(p->at(notes[0].span).column == 6);
  // Deep nesting is bounded.
  std::string deep = "x -> " + std::string(200, '(') + std::string(200, ')') + " -> y;";
  auto q = parse(deep);
  CHECK(q->errors() >= 1);
}

TEST_CASE("nbc fmt keeps groups, implicit ports and open lists, and is idempotent", "[parser][group][fmt]") {
  const char* text =
      "x -> c :: Classifier(00/01) => ( input [0] -> output; // kept\n"
      "  input [1] -> Paint(1) -> output ) -> y;\n"
      "elementclass P { -> Paint(1) -> }\n"
      "c2 :: Classifier(00/01, -); z -> c2; c2 [] => Discard, Discard;\n"
      "q :: Tee(3); z2 -> q; q [1-] => (/* inside */ [0] -> Discard; [1] -> Discard), Discard;\n";
  auto p = parse(text);
  INFO(p->rendered());
  REQUIRE(p->errors() == 0);
  const std::string once = lang::format_program(p->sources, p->program);
  INFO(once);
  CHECK(once.find("// kept") != std::string::npos);
  CHECK(once.find("/* inside */") != std::string::npos);
  CHECK(once.find("input [1] -> Paint(1) -> output;") != std::string::npos);
  CHECK(once.find("    -> Paint(1) ->;") != std::string::npos);
  CHECK(once.find("c2 [] => Discard, Discard;") != std::string::npos);
  CHECK(once.find("q [1-] => (") != std::string::npos);
  CHECK(once.find("[0] -> Discard;") != std::string::npos);
  auto again = parse(once);
  INFO(again->rendered());
  REQUIRE(again->errors() == 0);
  CHECK(lang::format_program(again->sources, again->program) == once);
}

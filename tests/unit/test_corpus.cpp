// The good and bad configuration corpora.
//
// tests/bad/*.nbc: each file names the errors it must produce in comment lines
//   // expect: LINE:COL: message fragment
// and `nbc check` must report exactly that many errors, each at that location with that text.
// A line `// expect-note: fragment` asks for a note with that text (after any error).
// tests/good/*.nbc and configs/*.nbc: must check cleanly, and `nbc fmt` must be idempotent
// and keep the graph the same.
#include <nb/compiler/driver.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/lang/format.hpp>
#include <nb/lang/parser.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using namespace nb;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> corpus(const char* dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(NB_SOURCE_DIR) / dir)) {
    if (e.path().extension() == ".nbc") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Checked {
  std::string rendered;
  std::size_t errors = 0;
  std::optional<compiler::Graph> graph;
};

// Shipped configs name their files (SignatureMatcher's rules) relative to the source tree, where
// `tools/bootstrap run` runs them; their arguments are checked from there.
struct InSourceDir {
  InSourceDir() : old(fs::current_path()) { fs::current_path(NB_SOURCE_DIR); }
  ~InSourceDir() { fs::current_path(old); }
  fs::path old;
};

Checked check_text(const std::string& name, const std::string& text) {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags;
  auto id = sources.add(name, text);
  auto result = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
  // As `nbc check` does: configure every element too (lower), which is what nbrun does next.
  if (result.graph) compiler::lower(*result.graph, diags);
  std::ostringstream out;
  diags.render(out, sources);
  return {out.str(), diags.error_count(), std::move(result.graph)};
}

std::string format_text(const std::string& text) {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags;
  auto id = sources.add("fmt.nbc", text);
  auto program = lang::parse(sources, id, diags);
  REQUIRE_FALSE(diags.has_errors());
  return lang::format_program(sources, program);
}

// A graph as text that ignores source locations: what fmt must preserve.
std::string graph_signature(const compiler::Graph& g) {
  std::string s;
  for (const auto& e : g.elements) {
    s += e.name + " :: " + std::string(e.cls->spec->class_name) + "(";
    for (const auto& p : e.params) s += std::string(p.param->name) + "=" + p.text + ";";
    s += ")\n";
  }
  for (const auto& e : g.edges) s += fmt::format("{}[{}] -> [{}]{}\n", e.from, e.from_port, e.to_port, e.to);
  return s;
}

}  // namespace

TEST_CASE("bad configs report the expected errors at the expected places", "[corpus]") {
  auto files = corpus("tests/bad");
  REQUIRE(files.size() >= 30);
  std::regex expect_re(R"(//\s*expect:\s*(\d+):(\d+):\s*(.+?)\s*$)");
  std::regex note_re(R"(//\s*expect-note:\s*(.+?)\s*$)");
  for (const auto& path : files) {
    std::string text = read(path);
    std::vector<std::tuple<int, int, std::string>> expected;
    std::vector<std::string> notes;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      std::smatch m;
      if (std::regex_search(line, m, expect_re)) expected.emplace_back(std::stoi(m[1]), std::stoi(m[2]), m[3]);
      else if (std::regex_search(line, m, note_re)) notes.push_back(m[1]);
    }
    INFO("file: " << path.filename().string());
    REQUIRE_FALSE(expected.empty());
    Checked c = check_text(path.filename().string(), text);
    INFO("diagnostics:\n" << c.rendered);
    CHECK(c.errors == expected.size());
    for (const auto& [l, col, fragment] : expected) {
      std::string head = fmt::format("{}:{}:{}: error: ", path.filename().string(), l, col);
      bool found = false;
      std::istringstream out(c.rendered);
      std::string rl;
      while (std::getline(out, rl)) {
        if (rl.rfind(head, 0) == 0 && rl.find(fragment) != std::string::npos) found = true;
      }
      INFO("expected: " << head << "..." << fragment);
      CHECK(found);
    }
    for (const std::string& fragment : notes) {
      bool found = false;
      std::istringstream out(c.rendered);
      std::string rl;
      while (std::getline(out, rl)) {
        if (rl.rfind("note: ", 0) == 0 && rl.find(fragment) != std::string::npos) found = true;
      }
      INFO("expected: note: ..." << fragment);
      CHECK(found);
    }
  }
}

TEST_CASE("good configs and shipped configs check cleanly", "[corpus]") {
  InSourceDir in_source;
  auto files = corpus("tests/good");
  auto shipped = corpus("configs");
  REQUIRE(files.size() >= 10);
  REQUIRE_FALSE(shipped.empty());
  files.insert(files.end(), shipped.begin(), shipped.end());
  for (const auto& path : files) {
    INFO("file: " << path.string());
    Checked c = check_text(path.filename().string(), read(path));
    INFO("diagnostics:\n" << c.rendered);
    CHECK(c.errors == 0);
    CHECK(c.graph.has_value());
  }
}

TEST_CASE("nbc fmt is idempotent, keeps comments and keeps the graph", "[corpus][fmt]") {
  InSourceDir in_source;
  auto files = corpus("tests/good");
  auto shipped = corpus("configs");
  files.insert(files.end(), shipped.begin(), shipped.end());
  for (const auto& path : files) {
    INFO("file: " << path.string());
    std::string original = read(path);
    std::string once = format_text(original);
    std::string twice = format_text(once);
    CHECK(once == twice);
    // Every comment survives.
    lang::SourceManager s1;
    lang::DiagnosticEngine d1;
    auto p1 = lang::parse(s1, s1.add("a", original), d1);
    lang::SourceManager s2;
    lang::DiagnosticEngine d2;
    auto p2 = lang::parse(s2, s2.add("b", once), d2);
    REQUIRE(p1.comments.size() == p2.comments.size());
    for (std::size_t i = 0; i < p1.comments.size(); ++i) CHECK(s1.text(p1.comments[i].span) == s2.text(p2.comments[i].span));
    Checked a = check_text("a.nbc", original);
    Checked b = check_text("b.nbc", once);
    REQUIRE(a.graph);
    REQUIRE(b.graph);
    CHECK(graph_signature(*a.graph) == graph_signature(*b.graph));
  }
}

TEST_CASE("inputs that once crashed the front end are handled", "[corpus][fuzz]") {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(NB_SOURCE_DIR) / "tests/fuzz/regressions")) {
    INFO("file: " << e.path().string());
    Checked c = check_text(e.path().filename().string(), read(e.path()));
    // Whatever the verdict, every error has a location and the run completes.
    CHECK((c.rendered.find("error: ") == std::string::npos || c.errors > 0));
    ++n;
  }
  CHECK(n > 0);
}

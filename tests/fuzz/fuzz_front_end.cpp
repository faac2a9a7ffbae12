// libFuzzer target over the whole front end: parse, elaborate, check, and for inputs that
// parse, format (whose output must parse again and format to itself). The front end either
// makes a graph or reports an error.
#include <nb/compiler/driver.hpp>
#include <nb/lang/format.hpp>
#include <nb/lang/parser.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  nb::lang::SourceManager sources;
  nb::lang::DiagnosticEngine diags;
  auto id = sources.add("fuzz.nbc", text);
  // The front end's limits (docs/language.md, "Limits") bound the work: no input may run into
  // the fuzzer's -timeout or -rss_limit_mb (tests/fuzz/regressions/exponential-*.nbc).
  auto result = nb::compiler::compile_front_end(sources, id, nb::compiler::Registry::builtin(), diags);
  std::ostringstream sink;
  diags.render(sink, sources);
  if (!result.graph && !diags.has_errors()) {
    std::fprintf(stderr, "the front end made no graph and reported no error\n");
    std::abort();
  }

  nb::lang::DiagnosticEngine parse_diags;
  auto program = nb::lang::parse(sources, id, parse_diags);
  if (parse_diags.has_errors()) return 0;
  std::string once = nb::lang::format_program(sources, program);
  auto id2 = sources.add("fuzz-fmt.nbc", once);
  nb::lang::DiagnosticEngine diags2;
  auto program2 = nb::lang::parse(sources, id2, diags2);
  if (diags2.has_errors()) {
    std::fprintf(stderr, "formatted output does not parse:\n%s\n", once.c_str());
    std::abort();
  }
  std::string twice = nb::lang::format_program(sources, program2);
  if (once != twice) {
    std::fprintf(stderr, "fmt is not idempotent:\n--- once\n%s\n--- twice\n%s\n", once.c_str(), twice.c_str());
    std::abort();
  }
  return 0;
}

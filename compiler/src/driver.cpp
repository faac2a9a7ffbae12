#include <nb/compiler/driver.hpp>
#include <nb/lang/parser.hpp>

namespace nb::compiler {

FrontEndResult compile_front_end(const lang::SourceManager& sources, lang::FileId file, const Registry& registry,
                                 lang::DiagnosticEngine& diags) {
  FrontEndResult result;
  std::size_t before = diags.error_count();
  result.program = lang::parse(sources, file, diags);
  if (diags.error_count() != before) return result;
  auto graph = elaborate(sources, result.program, registry, diags);
  if (!graph || diags.error_count() != before) return result;
  if (!check(*graph, diags)) return result;
  result.graph = std::move(graph);
  return result;
}

}  // namespace nb::compiler

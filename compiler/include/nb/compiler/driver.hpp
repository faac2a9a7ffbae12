// The front end as one call: parse, elaborate, check.
#pragma once

#include <nb/compiler/graph.hpp>
#include <nb/compiler/plugin.hpp>
#include <nb/compiler/registry.hpp>
#include <nb/lang/ast.hpp>
#include <nb/lang/diagnostics.hpp>

#include <optional>

namespace nb::compiler {

// Expands compounds, substitutes defines and parses every argument by its element's schema.
// Reports problems to `diags`; returns a graph whenever elaboration got far enough to build one.
std::optional<Graph> elaborate(const lang::SourceManager& sources, const lang::Program& program,
                               const Registry& registry, lang::DiagnosticEngine& diags);

// Graph checks: port ranges, single owner per output, unconnected outputs, cycles.
// Fills in each element's final input and output counts. Returns false on errors.
bool check(Graph& graph, lang::DiagnosticEngine& diags);

struct FrontEndResult {
  lang::Program program;
  std::optional<Graph> graph;  // set when the file parsed, elaborated and checked without errors
};

// parse + load plugins + elaborate + check. Never throws for any input text.
// Plugins: `preloaded` (nbrun --plugin, already loaded) and every top-level
// `require(plugin "FILE")` of the file (resolve_plugin_path). A plugin that cannot be loaded or
// whose class names clash is an error at its `require` argument; `registry` itself never changes,
// so a failed load changes nothing. The graph keeps the plugins it was elaborated with.
FrontEndResult compile_front_end(const lang::SourceManager& sources, lang::FileId file, const Registry& registry,
                                 lang::DiagnosticEngine& diags, const std::vector<std::shared_ptr<const Plugin>>& preloaded = {});

}  // namespace nb::compiler

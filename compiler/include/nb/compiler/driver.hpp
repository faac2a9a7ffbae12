// The front end as one call: parse, elaborate, check.
#pragma once

#include <nb/compiler/graph.hpp>
#include <nb/compiler/plugin.hpp>
#include <nb/compiler/registry.hpp>
#include <nb/lang/ast.hpp>
#include <nb/lang/diagnostics.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nb::compiler {

// A definition from the command line, `NAME=VALUE` (`nbrun cfg.nbc RATE=10`, as Click's
// `click cfg.click RATE=10`): sets $NAME for the whole configuration, over a top-level
// define($NAME ...) of the file.
struct Definition {
  std::string name;  // with its '$': "$RATE"
  std::string value;
};
using Definitions = std::vector<Definition>;

// Whether a command-line argument is meant as a definition: it has a '=', and no '/' before it
// (IN=traces/a.pcap is one; a file name with a '=' is written ./A=B.nbc).
bool is_definition(std::string_view arg);
// Parses `NAME=VALUE` or `$NAME=VALUE` (NAME: letters, digits, '_' and '@'). False, with a
// message for "TOOL: error: ...", when it is not one.
bool parse_definition(std::string_view arg, Definition& out, std::string& error);
// Adds `d` to `defs`; false, with a message, when its name is already there.
bool add_definition(Definitions& defs, Definition d, std::string& error);

// Expands compounds, substitutes defines and parses every argument by its element's schema.
// Reports problems to `diags`; returns a graph whenever elaboration got far enough to build one.
// `definitions` (from the command line) override the top-level defines of the same names.
std::optional<Graph> elaborate(const lang::SourceManager& sources, const lang::Program& program,
                               const Registry& registry, lang::DiagnosticEngine& diags,
                               const Definitions& definitions = {});

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
// `require(library "FILE")` (top level, in the file and in its libraries): FILE's element
// classes, defines and requires are included, as if written before the file's own statements;
// a relative FILE is next to the file that requires it, each library is included once, and a
// cycle is an error. Libraries are loaded into `sources`.
FrontEndResult compile_front_end(lang::SourceManager& sources, lang::FileId file, const Registry& registry,
                                 lang::DiagnosticEngine& diags,
                                 const std::vector<std::shared_ptr<const Plugin>>& preloaded = {},
                                 const Definitions& definitions = {});

}  // namespace nb::compiler

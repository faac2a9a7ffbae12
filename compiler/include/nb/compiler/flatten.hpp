// `nbc flatten`: the elaborated graph as a flat configuration, as Click's click-flatten prints it.
#pragma once

#include <nb/compiler/graph.hpp>

#include <string>

namespace nb::compiler {

// Every element declared once, `full/name :: Class(arguments after substitution);`, in the
// graph's order, then every connection `a [p] -> [q] b;`, then the file's require()s. The text
// checks and elaborates to the same elements (names, classes, arguments) and connections.
std::string to_flat_config(const Graph& graph);

}  // namespace nb::compiler

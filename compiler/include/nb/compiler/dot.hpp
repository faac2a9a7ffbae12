#pragma once

#include <nb/compiler/graph.hpp>

#include <string>

namespace nb::compiler {

// Graphviz text: one node per element labelled "name\nClass", ports on the edge ends.
std::string to_dot(const Graph& graph, std::string_view title);

}  // namespace nb::compiler

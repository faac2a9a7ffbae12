#include <nb/compiler/dot.hpp>

#include <fmt/format.h>

namespace nb::compiler {
namespace {

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string to_dot(const Graph& graph, std::string_view title) {
  std::string out = fmt::format("digraph {} {{\n", quote(title));
  out += "  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n";
  for (const Element& e : graph.elements) {
    out += fmt::format("  {} [label={}];\n", quote(e.name),
                       quote(fmt::format("{}\n{}", e.name, e.cls ? e.cls->spec->class_name : "?")));
  }
  for (const Edge& e : graph.edges) {
    out += fmt::format("  {} -> {} [taillabel=\"{}\", headlabel=\"{}\"];\n", quote(graph.elements[e.from].name),
                       quote(graph.elements[e.to].name), e.from_port, e.to_port);
  }
  out += "}\n";
  return out;
}

}  // namespace nb::compiler

#include <nb/compiler/flatten.hpp>

#include <fmt/format.h>

#include <cctype>

namespace nb::compiler {

std::string to_flat_config(const Graph& graph) {
  std::string out;
  bool any = false;
  for (const Requirement& r : graph.requirements) {
    std::string args;
    for (const lang::ConfigArg& a : r.args) {
      // A library's classes are expanded below: including it again would define them twice.
      if (a.value.compare(0, 7, "library") == 0 &&
          (a.value.size() == 7 || std::isspace(static_cast<unsigned char>(a.value[7]))))
        continue;
      args += (args.empty() ? "" : ", ") + a.value;
    }
    if (args.empty()) continue;
    out += fmt::format("require({});\n", args);
    any = true;
  }
  if (any) out += '\n';
  for (const Element& e : graph.elements) {
    out += fmt::format("{} :: {}", e.name, e.cls->spec->class_name);
    if (!e.args.empty()) {
      out += '(';
      for (std::size_t i = 0; i < e.args.size(); ++i) out += (i ? ", " : "") + e.args[i];
      out += ')';
    }
    out += ";\n";
  }
  if (!graph.edges.empty()) out += '\n';
  for (const Edge& e : graph.edges) {
    out += fmt::format("{} [{}] -> [{}] {};\n", graph.elements[e.from].name, e.from_port, e.to_port,
                       graph.elements[e.to].name);
  }
  return out;
}

}  // namespace nb::compiler

#include <nb/compiler/graph.hpp>

namespace nb::compiler {

const ParamValue* Element::param(std::string_view name) const {
  for (const ParamValue& p : params) {
    if (p.param && p.param->name == name) return &p;
  }
  return nullptr;
}

std::vector<const ParamValue*> Element::params_named(std::string_view name) const {
  std::vector<const ParamValue*> out;
  for (const ParamValue& p : params) {
    if (p.param && p.param->name == name) out.push_back(&p);
  }
  return out;
}

int Graph::find(std::string_view name) const {
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (elements[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace nb::compiler

// Graph IR: element instances with typed parameters, and the edges between their ports, after
// compound classes were expanded and defines substituted.
#pragma once

#include <nb/compiler/registry.hpp>
#include <nb/compiler/values.hpp>
#include <nb/lang/ast.hpp>

#include <memory>
#include <string>
#include <vector>

namespace nb::compiler {

struct ParamValue {
  const ParamSpec* param = nullptr;
  Value value;
  std::string text;        // after substitution
  lang::Span span;         // of the argument (invalid for defaults)
  bool is_default = false;
};

struct Element {
  std::string name;  // full path: "f/c", anonymous ones "Counter@3"
  const ElementClass* cls = nullptr;
  std::vector<ParamValue> params;  // given and defaulted parameters, in schema order; Rest ones repeated
  std::vector<std::string> args;   // the configuration as written, argument by argument, after substitution
  unsigned ninputs = 0;
  unsigned noutputs = 0;
  bool outputs_fixed = false;  // noutputs comes from the arguments (Classifier, Tee(N)), not connections
  bool anonymous = false;
  lang::Span span;        // where the element was declared or written
  lang::Span class_span;  // the class name (or the whole anonymous element)
  // Compound instances this element was expanded from, outermost first: for "instantiated here".
  std::vector<lang::Span> context;
  // After check(): each port's processing, 'h' (push) or 'l' (pull), agnostic ones resolved by
  // what they are connected to (push when nothing decides).
  std::string input_modes, output_modes;

  const ParamValue* param(std::string_view name) const;
  std::vector<const ParamValue*> params_named(std::string_view name) const;
};

struct Edge {
  unsigned from = 0;
  unsigned from_port = 0;
  unsigned to = 0;
  unsigned to_port = 0;
  lang::Span from_span;  // the source element or its [port]
  lang::Span to_span;    // the destination element or its [port]
  lang::Span arrow;      // the "->" (for a connection through compound ports: the outermost one)
  // The compound instances that the arrow is written inside, outermost first (empty at the top
  // level): for "instantiated here" notes.
  std::vector<lang::Span> context;
};

struct Requirement {
  std::vector<lang::ConfigArg> args;
  lang::Span span;
};

struct Plugin;

struct Graph {
  // The plugins whose classes elements use (require(plugin ...), nbrun --plugin): the graph's
  // specs point into them, so they stay loaded as long as the graph (and its Plan) exists.
  std::vector<std::shared_ptr<const Plugin>> plugins;
  // With plugins: the registry the elements' classes (Element::cls) point into.
  std::shared_ptr<const Registry> registry;
  std::vector<Element> elements;
  std::vector<Edge> edges;
  std::vector<Requirement> requirements;

  int find(std::string_view name) const;  // -1 when absent
};

}  // namespace nb::compiler

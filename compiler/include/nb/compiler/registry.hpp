// The element registry: every element class the compiler knows, with its parsed port counts.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nb::compiler {

struct PortRange {
  static constexpr unsigned kUnbounded = 0xffffffffu;
  unsigned min = 0;
  unsigned max = 0;  // kUnbounded for "any number"
  bool contains(unsigned n) const { return n >= min && n <= max; }
};

// Click's port count syntax: "1/1", "1/1-2", "0/1", "1/-" (any number), "1/1-" (at least one),
// "2" (two in, two out). Returns nullopt when malformed.
struct PortCounts {
  PortRange inputs;
  PortRange outputs;
};
std::optional<PortCounts> parse_port_spec(std::string_view spec);
// Renders a range for messages: "1", "1 or 2", "any number of", "at least 1".
std::string describe_range(const PortRange& r);
// A range with its noun, singular or plural as the count needs: "1 output", "at least 1 output",
// "1 or 2 outputs", "any number of inputs".
std::string describe_count(const PortRange& r, std::string_view noun);

// An optional parameter that a port element of a kind may declare (nb/element.hpp, PortOpen):
// the compiler reads it by this name, so the registry refuses it with another type.
struct PortParam {
  std::string_view name;
  ParamType type;
};
std::span<const PortParam> port_params(PortOpen open);

struct Plugin;

// Click's processing code of a class (ElementSpec::processing, or its default), per port: 'h'
// push, 'l' pull, 'a' agnostic. The last letter of a side covers the ports past it.
struct Processing {
  std::string inputs, outputs;
  char input(unsigned port) const { return at(inputs, port); }
  char output(unsigned port) const { return at(outputs, port); }

 private:
  static char at(const std::string& codes, unsigned port) {
    return codes.empty() ? 'h' : codes[port < codes.size() ? port : codes.size() - 1];
  }
};
// Parses "a/ah", "h/l", "l/" (nullopt when malformed), or gives the default for the spec.
std::optional<Processing> parse_processing(const ElementSpec& spec);

// Click's flow code (ElementSpec::flow_code): each port's set of letters, inputs and outputs;
// the last port's set covers the ports past it. '#' stands for a letter of the port's own.
struct FlowCode {
  std::vector<std::string> inputs, outputs;  // empty: every input reaches every output
  bool flows(unsigned in, unsigned out) const;
};
// Parses "x/x", "#/#", "xy/x", "[xy]/x" (nullopt when malformed).
std::optional<FlowCode> parse_flow_code(std::string_view text);

struct ElementClass {
  const ElementSpec* spec = nullptr;
  PortCounts ports;
  const Plugin* plugin = nullptr;  // the plugin that defines it; null for built-ins
  Processing processing;
  FlowCode flow;
};

class Registry {
 public:
  // Every element registered with NB_REGISTER_ELEMENT in this program.
  static const Registry& builtin();

  // Adds a class; returns an error message when the class name is taken or the spec is broken.
  std::optional<std::string> add(const ElementSpec& spec);
  const ElementClass* find(std::string_view name) const;
  // Records that `name` comes from `plugin` (for messages about clashes).
  void set_origin(std::string_view name, const Plugin* plugin);
  std::vector<std::string> names() const;
  const std::map<std::string, ElementClass, std::less<>>& classes() const { return classes_; }

 private:
  std::map<std::string, ElementClass, std::less<>> classes_;
};

}  // namespace nb::compiler

// The element SDK: the one header that built-in elements and plugins share.
//
// An element declares itself with an ElementSpec: its Click class name, its port counts in
// Click's syntax, a typed parameter schema and its documentation. The compiler reads these
// specs to check a configuration; `nbc doc` prints them. Nothing here may depend on the
// compiler, the runtime or LLVM: plugins are built against this header alone.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace nb {

// The types a configuration argument can have. The compiler parses each argument's raw text by
// its type and points at the offending character when it does not fit.
enum class ParamType : std::uint8_t {
  Integer,       // signed decimal or 0x hex: -3, 42, 0x2a
  Unsigned,      // unsigned decimal or 0x hex
  Bool,          // true/false, yes/no, 1/0 (Click's BoolArg)
  String,        // raw text; a "quoted" string is unquoted
  IPv4Address,   // 10.0.0.1
  IPv4Prefix,    // 10.0.0.0/8 or 10.0.0.0/255.0.0.0
  EtherAddress,  // 00:11:22:33:44:55
  BytePattern,   // Click Classifier clauses: offset/value%mask, '?' wildcard nibbles, '!' negation, '-'
  Filename,      // a path; never opened by `nbc check`
  Device,        // a DPDK port: index, PCI address or vdev spec (net_null0, net_tap0,iface=nb0)
};

enum class ParamKind : std::uint8_t {
  Positional,  // given by position, or by its KEYWORD like Click's Args
  Keyword,     // only as `KEYWORD value`
  Rest,        // every remaining positional argument (e.g. Classifier's patterns)
};

struct ParamSpec {
  std::string_view name;  // Click's keyword, upper case: FILENAME, OFFSET, LOOP
  ParamType type;
  ParamKind kind;
  bool required;
  std::string_view default_value;  // textual, parsed like user input; empty when none
  std::string_view doc;
};

// How many outputs an instance has when the port spec allows a range.
enum class OutputCount : std::uint8_t {
  FromConnections,  // highest connected output + 1 (at least the spec's minimum)
  OnePerRestArg,    // one output per Rest argument (Classifier: one per pattern)
  FromParam,        // the value of the parameter named in output_count_param (Tee's N)
};

struct ElementSpec {
  std::string_view class_name;
  std::string_view ports;  // Click's port count syntax: "1/1", "1/1-2", "0/1", "1/-", "1/1-"
  std::span<const ParamSpec> params;
  std::string_view brief;        // one line, no trailing period
  std::string_view description;  // paragraphs; what each port carries
  std::string_view example;      // a .nbc snippet that passes `nbc check`
  OutputCount output_count = OutputCount::FromConnections;
  std::string_view output_count_param = {};
};

// Built-ins and plugins register their specs at static-initialisation time.
inline std::vector<const ElementSpec*>& registered_element_specs() {
  static std::vector<const ElementSpec*> specs;
  return specs;
}

struct ElementRegistration {
  explicit ElementRegistration(const ElementSpec& spec) { registered_element_specs().push_back(&spec); }
};

#define NB_DETAIL_CAT2(a, b) a##b
#define NB_DETAIL_CAT(a, b) NB_DETAIL_CAT2(a, b)
// NB_REGISTER_ELEMENT(spec) in exactly one .cpp per element.
#define NB_REGISTER_ELEMENT(spec) \
  static const ::nb::ElementRegistration NB_DETAIL_CAT(nb_element_registration_, __LINE__){spec}

}  // namespace nb

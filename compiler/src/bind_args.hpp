// Binding an element's arguments to its class's parameter schema, as Click's Args does:
// positional arguments in order, KEYWORD arguments by name, the rest to a Rest parameter; each
// value parsed by its type and checked against its range and the parameter's own validator.
// Used by the elaborator (elaborate.cpp), which substitutes $variables first.
#pragma once

#include <nb/compiler/graph.hpp>
#include <nb/lang/ast.hpp>
#include <nb/lang/diagnostics.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nb::compiler::detail {

struct SubstArg {
  std::string text;
  lang::Span span;
  bool substituted = false;
  bool failed = false;                      // a variable in it was undefined or broken: already reported
  const lang::ConfigArg* source = nullptr;  // maps positions in text to the file when !substituted
  bool comment_only = false;                // the argument is nothing but comments
  bool too_long = false;                    // substitution would make it longer than kMaxArgumentBytes
};

// Click's keyword arguments: an upper-case word, then white space, then the value. Returns the
// keyword and where its value starts.
std::optional<std::pair<std::string, std::size_t>> keyword_of(std::string_view text);

// Reports an error at a span, with the instantiation context the caller knows.
using ReportError = std::function<lang::Diagnostic&(lang::Span, std::string)>;

// Binds `args` to the parameters of el's class into el.params (schema order, defaults filled in)
// and fixes el's output count when the arguments decide it. `where` is the argument list (or the
// class name when there is none), where missing arguments are reported.
// `addresses`, when given, resolves Click's AddressInfo names in address arguments.
struct AddressScope;
void bind_params(Element& el, const std::vector<SubstArg>& args, lang::Span where, const ReportError& error,
                 const AddressScope* addresses = nullptr);

}  // namespace nb::compiler::detail

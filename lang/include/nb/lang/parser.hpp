#pragma once

#include <nb/lang/ast.hpp>
#include <nb/lang/diagnostics.hpp>

#include <functional>

namespace nb::lang {

struct ParseLimits {
  unsigned max_nesting = 64;  // compound bodies inside compound bodies
};

// Parses one file. Syntax errors are reported to `diags`; the parser resynchronises at the next
// statement so that independent errors are all reported. Never throws for any input.
Program parse(const SourceManager& sources, FileId file, DiagnosticEngine& diags, ParseLimits limits = {});

// The output-to-input pairs of a connection, side after side, by Click's rules: a side is the
// hops joined by ','; each element of a side contributes its port list (no port is port 0). A
// side that names one port connects it to every port of the other side; two sides that both
// name several must be joined by '=>' and name as many; with '=>', a side of one element
// without a port stands for its ports 0, 1, ... as many as the other side names. The parser
// reports a connection that breaks these rules; for such a connection this pairs what it can.
// `link` returns false to stop.
void connection_links(const Connection& c, const std::function<bool(const PortLink&)>& link);

// Splits raw configuration text into trimmed arguments at top-level commas (outside quotes,
// parentheses and comments). `base` is the span of `text`, so each argument gets its own span.
std::vector<ConfigArg> split_config(std::string_view text, Span base);

// One argument from its text (`span` is the span of `text`): trimmed, with its comment-free
// value (see ConfigArg).
ConfigArg make_config_arg(std::string_view text, Span span);

}  // namespace nb::lang

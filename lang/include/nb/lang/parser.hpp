#pragma once

#include <nb/lang/ast.hpp>
#include <nb/lang/diagnostics.hpp>

namespace nb::lang {

struct ParseLimits {
  unsigned max_nesting = 64;  // compound bodies inside compound bodies
};

// Parses one file. Syntax errors are reported to `diags`; the parser resynchronises at the next
// statement so that independent errors are all reported. Never throws for any input.
Program parse(const SourceManager& sources, FileId file, DiagnosticEngine& diags, ParseLimits limits = {});

// Splits raw configuration text into trimmed arguments at top-level commas (outside quotes,
// parentheses and comments). `base` is the span of `text`, so each argument gets its own span.
std::vector<ConfigArg> split_config(std::string_view text, Span base);

// One argument from its text (`span` is the span of `text`): trimmed, with its comment-free
// value (see ConfigArg).
ConfigArg make_config_arg(std::string_view text, Span span);

}  // namespace nb::lang

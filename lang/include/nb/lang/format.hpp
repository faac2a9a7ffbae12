#pragma once

#include <nb/lang/ast.hpp>

#include <string>

namespace nb::lang {

// Canonical layout of a parsed program (`nbc fmt`): one statement per line ending in ';',
// `name :: Class(arg, arg)`, `a [1] -> [0] b`, four-space indentation inside compounds, blank
// lines between paragraphs kept (at most one), every comment kept. Idempotent.
std::string format_program(const SourceManager& sources, const Program& program);

}  // namespace nb::lang

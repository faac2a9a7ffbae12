// Diagnostics in the clang/rustc style:
//   FILE:LINE:COL: error: MESSAGE
//      3 | a -> DecIPTL -> b;
//        |      ^~~~~~~
//   FILE:LINE:COL: note: did you mean 'DecIPTTL'?
#pragma once

#include <nb/lang/source.hpp>

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace nb::lang {

enum class Severity { Error, Warning, Note };

struct Note {
  Span span;  // may be invalid: the note then has no location
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  Span span;
  std::string message;
  std::vector<Note> notes;

  Diagnostic& note(std::string message);
  Diagnostic& note(Span span, std::string message);
};

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(std::size_t error_limit = 20) : error_limit_(error_limit) {}

  Diagnostic& error(Span span, std::string message);
  Diagnostic& warning(Span span, std::string message);

  bool has_errors() const { return error_count_ > 0; }
  std::size_t error_count() const { return error_count_; }
  std::size_t warning_count() const { return warning_count_; }
  // True once error_limit errors were reported: callers may stop early.
  bool at_limit() const { return error_limit_ != 0 && error_count_ >= error_limit_; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  void clear();

  // Prints every diagnostic kept so far, then "N errors generated." when there were errors.
  void render(std::ostream& out, const SourceManager& sources, bool color = false) const;

 private:
  std::size_t error_limit_;
  std::size_t error_count_ = 0;
  std::size_t warning_count_ = 0;
  std::size_t dropped_ = 0;           // errors beyond the limit, not kept
  std::size_t dropped_warnings_ = 0;  // warnings beyond 4 * limit + 100 diagnostics, not kept
  std::vector<Diagnostic> diagnostics_;
  Diagnostic overflow_;  // returned for errors beyond the limit so callers need no checks
};

// Renders one diagnostic (with its notes) exactly as DiagnosticEngine::render does.
void render_diagnostic(std::ostream& out, const SourceManager& sources, const Diagnostic& diag, bool color = false);

// Levenshtein distance, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a sensible distance of `word`, or "" if none is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace nb::lang

#include <nb/lang/diagnostics.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ostream>

namespace nb::lang {

Diagnostic& Diagnostic::note(std::string message) {
  notes.push_back({Span{}, std::move(message)});
  return *this;
}

Diagnostic& Diagnostic::note(Span span, std::string message) {
  notes.push_back({span, std::move(message)});
  return *this;
}

Diagnostic& DiagnosticEngine::error(Span span, std::string message) {
  ++error_count_;
  if (error_limit_ != 0 && error_count_ > error_limit_) {
    ++dropped_;
    overflow_ = Diagnostic{};
    return overflow_;
  }
  diagnostics_.push_back({Severity::Error, span, std::move(message), {}});
  return diagnostics_.back();
}

Diagnostic& DiagnosticEngine::warning(Span span, std::string message) {
  ++warning_count_;
  // With an error limit, warnings are bounded too (and counted in render); 0 means no limit.
  if (error_limit_ != 0 && diagnostics_.size() > 4 * error_limit_ + 100) {
    ++dropped_warnings_;
    overflow_ = Diagnostic{};
    return overflow_;
  }
  diagnostics_.push_back({Severity::Warning, span, std::move(message), {}});
  return diagnostics_.back();
}

void DiagnosticEngine::clear() {
  diagnostics_.clear();
  error_count_ = warning_count_ = dropped_ = dropped_warnings_ = 0;
}

namespace {

const char* severity_word(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

// Control bytes would garble the terminal: show them as '?' (one byte each, keeping columns).
std::string printable(std::string_view line) {
  std::string out(line);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) c = '?';
  }
  return out;
}

void render_one(std::ostream& out, const SourceManager& sources, Severity sev, Span span, const std::string& message,
                bool color) {
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  const char* sev_color = "";
  if (color) sev_color = sev == Severity::Error ? "\033[1;31m" : sev == Severity::Warning ? "\033[1;35m" : "\033[1;36m";
  if (!span.valid() || span.file >= sources.size()) {
    out << sev_color << severity_word(sev) << ": " << reset << bold << message << reset << '\n';
    return;
  }
  const SourceFile& file = sources.file(span.file);
  LineCol lc = file.line_col(span.begin);
  out << bold << file.name() << ':' << lc.line << ':' << lc.column << ": " << reset << sev_color << severity_word(sev)
      << ": " << reset << bold << message << reset << '\n';

  std::string_view line = file.line_text(lc.line);
  std::string gutter = fmt::format("{:>5}", lc.line);
  out << gutter << " | " << printable(line) << '\n';

  // Caret line: keep tabs so the caret lines up; UTF-8 continuation bytes take no column.
  std::string caret(gutter.size(), ' ');
  caret += " | ";
  std::uint32_t col0 = lc.column - 1;
  for (std::uint32_t i = 0; i < col0 && i < line.size(); ++i) {
    auto u = static_cast<unsigned char>(line[i]);
    if (line[i] == '\t') caret += '\t';
    else if ((u & 0xC0) != 0x80) caret += ' ';
  }
  caret += color ? "\033[1;32m^" : "^";
  // Underline the rest of the span on this line.
  std::uint32_t line_end = static_cast<std::uint32_t>(line.size());
  std::uint32_t span_end_col = span.end > span.begin ? col0 + (span.end - span.begin) : col0 + 1;
  span_end_col = std::min(span_end_col, line_end);
  for (std::uint32_t i = col0 + 1; i < span_end_col; ++i) {
    auto u = static_cast<unsigned char>(line[i]);
    if ((u & 0xC0) != 0x80) caret += '~';
  }
  out << caret << reset << '\n';
}

}  // namespace

void render_diagnostic(std::ostream& out, const SourceManager& sources, const Diagnostic& diag, bool color) {
  render_one(out, sources, diag.severity, diag.span, diag.message, color);
  for (const Note& n : diag.notes) render_one(out, sources, Severity::Note, n.span, n.message, color);
}

void DiagnosticEngine::render(std::ostream& out, const SourceManager& sources, bool color) const {
  for (const Diagnostic& d : diagnostics_) render_diagnostic(out, sources, d, color);
  if (dropped_warnings_ > 0) {
    out << "warning: too many warnings emitted (" << dropped_warnings_ << " more not shown)\n";
  }
  if (dropped_ > 0) {
    out << "error: too many errors emitted (" << dropped_ << " more not shown); stopping now\n";
  }
  if (error_count_ > 0) {
    out << error_count_ << (error_count_ == 1 ? " error" : " errors") << " generated.\n";
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and transpositions of two
  // adjacent characters each cost 1 ('LNE' is one slip away from 'LEN').
  std::vector<std::size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      char ca = a[i - 1], cb = b[j - 1];
      std::size_t sub = ca == cb ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + sub});
      if (i > 1 && j > 1 && ca == b[j - 2] && a[i - 2] == cb) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

namespace {
std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}
}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.size() > 64) return {};
  std::string lw = lower(word);
  std::size_t best = static_cast<std::size_t>(-1);
  std::string best_word;
  for (const std::string& c : candidates) {
    if (c == word) continue;
    if (c.size() > word.size() + 8 || word.size() > c.size() + 8) continue;
    std::size_t d = edit_distance(lw, lower(c));
    if (d < best) {
      best = d;
      best_word = c;
    }
  }
  std::size_t allowed = std::max<std::size_t>(1, (word.size() + 2) / 3);
  if (best <= allowed) return best_word;
  return {};
}

}  // namespace nb::lang

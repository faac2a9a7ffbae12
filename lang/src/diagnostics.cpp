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

// A snippet shows at most this many bytes of its line, around the caret: a binary file or a
// generated one-line config would otherwise print kilobytes.
constexpr std::size_t kMaxSnippetBytes = 160;
constexpr std::size_t kSnippetContext = 60;  // bytes shown before the caret in a long line
// Messages quote the user's text (arguments after substitution, names): they are cut too.
constexpr std::size_t kMaxMessageBytes = 1000;

// The length of the well-formed UTF-8 character at s[i] (a lead byte and its continuation
// bytes), or 0 when there is none there.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto u = static_cast<unsigned char>(s[i]);
  std::size_t n = u >= 0xC2 && u <= 0xDF ? 2 : u >= 0xE0 && u <= 0xEF ? 3 : u >= 0xF0 && u <= 0xF4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

// Text as it may be shown on a terminal: control bytes and bytes that are not UTF-8 become '?'
// (one column each, as the byte they stand for), tabs are kept.
std::string printable(std::string_view text, std::size_t max_bytes = std::string_view::npos) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (std::size_t i = 0; i < text.size();) {
    if (out.size() >= max_bytes) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(text[i]);
    if (u >= 0x80) {
      std::size_t n = utf8_length(text, i);
      out.append(n ? text.substr(i, n) : std::string_view("?"));
      i += n ? n : 1;
      continue;
    }
    out += (u < 0x20 && u != '\t') || u == 0x7f ? '?' : static_cast<char>(u);
    ++i;
  }
  return out;
}

// The part of a source line that is shown, cut into display cells (a character, a tab or '?'),
// with the cell each byte of the window falls in.
struct Snippet {
  std::size_t begin = 0, end = 0;  // the bytes of the line shown
  std::vector<std::string> cells;
  std::vector<std::size_t> cell_of;  // per byte of [begin, end]: its cell (end: one past the last)
  bool cut_left = false, cut_right = false;

  std::size_t cell(std::size_t byte) const {
    if (byte <= begin) return 0;
    return cell_of[std::min(byte, end) - begin];
  }
};

Snippet snippet(std::string_view line, std::size_t caret) {
  Snippet s;
  s.end = line.size();
  if (line.size() > kMaxSnippetBytes) {
    s.begin = caret > kSnippetContext ? caret - kSnippetContext : 0;
    s.end = std::min(line.size(), s.begin + kMaxSnippetBytes);
    if (s.end == line.size()) s.begin = std::min(s.begin, line.size() - kMaxSnippetBytes);
    // Start and end on whole characters.
    while (s.begin > 0 && s.begin < caret && (static_cast<unsigned char>(line[s.begin]) & 0xC0) == 0x80) ++s.begin;
    while (s.end < line.size() && (static_cast<unsigned char>(line[s.end]) & 0xC0) == 0x80) ++s.end;
  }
  s.cut_left = s.begin > 0;
  s.cut_right = s.end < line.size();
  std::string_view shown = line.substr(s.begin, s.end - s.begin);
  for (std::size_t i = 0; i < shown.size();) {
    std::size_t n = static_cast<unsigned char>(shown[i]) >= 0x80 ? std::max<std::size_t>(utf8_length(shown, i), 1) : 1;
    std::string cell = printable(shown.substr(i, n));
    for (std::size_t k = 0; k < n; ++k) s.cell_of.push_back(s.cells.size());
    s.cells.push_back(std::move(cell));
    i += n;
  }
  s.cell_of.push_back(s.cells.size());
  return s;
}

void render_one(std::ostream& out, const SourceManager& sources, Severity sev, Span span,
                const std::string& raw_message, bool color) {
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  const char* sev_color = "";
  if (color) sev_color = sev == Severity::Error ? "\033[1;31m" : sev == Severity::Warning ? "\033[1;35m" : "\033[1;36m";
  std::string message = printable(raw_message, kMaxMessageBytes);
  if (!span.valid() || span.file >= sources.size()) {
    out << sev_color << severity_word(sev) << ": " << reset << bold << message << reset << '\n';
    return;
  }
  const SourceFile& file = sources.file(span.file);
  LineCol lc = file.line_col(span.begin);
  const PresumedLoc at = file.presumed(span.begin);  // after #line directives
  out << bold << printable(at.file, kMaxMessageBytes) << ':' << at.line << ':' << lc.column << ": " << reset
      << sev_color << severity_word(sev) << ": " << reset << bold << message << reset << '\n';

  std::string_view line = file.line_text(lc.line);
  std::size_t col0 = std::min<std::size_t>(lc.column - 1, line.size());
  Snippet snip = snippet(line, col0);
  std::string gutter = fmt::format("{:>5}", at.line);
  out << gutter << " | " << (snip.cut_left ? "..." : "");
  for (const std::string& c : snip.cells) out << c;
  out << (snip.cut_right ? "..." : "") << '\n';

  // Caret line: keep tabs so the caret lines up; every other cell is one column.
  std::string caret(gutter.size(), ' ');
  caret += " | ";
  if (snip.cut_left) caret += "   ";
  std::size_t caret_cell = snip.cell(col0);
  for (std::size_t i = 0; i < caret_cell; ++i) caret += snip.cells[i] == "\t" ? '\t' : ' ';
  caret += color ? "\033[1;32m^" : "^";
  // Underline the rest of the span on this line (as far as it is shown).
  std::size_t span_end = span.end > span.begin ? col0 + (span.end - span.begin) : col0 + 1;
  std::size_t end_cell = snip.cell(std::min(span_end, line.size()));
  for (std::size_t i = caret_cell + 1; i < end_cell; ++i) caret += '~';
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

// Source files and spans: every AST node and diagnostic refers to text through a Span.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nb::lang {

using FileId = std::uint32_t;
inline constexpr FileId kNoFile = 0xffffffffu;

// A half-open byte range [begin, end) in one source file.
struct Span {
  FileId file = kNoFile;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  bool valid() const { return file != kNoFile; }
  std::uint32_t size() const { return end - begin; }
};

struct LineCol {
  std::uint32_t line = 1;    // 1-based
  std::uint32_t column = 1;  // 1-based, in bytes (as clang counts)
};

// Where a `#line N "FILE"` directive says the text is: what diagnostics show.
struct PresumedLoc {
  std::string_view file;
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

class SourceFile {
 public:
  SourceFile(std::string name, std::string text);

  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }
  LineCol line_col(std::uint32_t offset) const;
  // line_col as `#line` directives before `offset` renumber it (the file name and line; the
  // column is the real one).
  PresumedLoc presumed(std::uint32_t offset) const;
  // Records a line directive of the text (the parser finds them: they are not recognised inside
  // configuration strings): the physical line `next_line` is line `line` of `file` (empty: the
  // same file name as before). Directives are added in order.
  void add_line_directive(std::uint32_t next_line, std::uint32_t line, std::string file) const;
  // The text of line `line` (1-based) without its line terminator.
  std::string_view line_text(std::uint32_t line) const;
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }
  std::uint32_t line_start(std::uint32_t line) const { return line_starts_[line - 1]; }

 private:
  std::string name_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;
  struct LineDirective {
    std::uint32_t next_line;  // the physical line it renumbers
    std::uint32_t line;
    std::string file;
  };
  mutable std::vector<LineDirective> directives_;  // in order of next_line
};

// The largest configuration read from a file or standard input (docs/language.md, "Limits").
// Real configurations are kilobytes; a generated one with 100,000 elements is about 3 MiB. The
// syntax tree takes up to some 300 bytes per byte of input (`a;a;a;...`), so this also bounds
// the parser's memory (about 1.2 GB) and time.
inline constexpr std::size_t kMaxSourceBytes = 4u << 20;

// Owns every file read in one compilation; FileIds index into it.
class SourceManager {
 public:
  FileId add(std::string name, std::string text);
  // Reads a configuration from disk; returns kNoFile and sets `error` ("cannot open 'x': ...",
  // "'x' is a directory", "'x' is not a regular file (a FIFO)", "'x' is too large ...") if it
  // cannot. Only regular files are read, and never more than kMaxSourceBytes: a FIFO, a socket
  // or a device is refused before it is opened, so loading never blocks.
  FileId load(const std::string& path, std::string& error);
  // Reads standard input to its end (at most kMaxSourceBytes), named `name` in diagnostics.
  FileId load_stdin(std::string& error, std::string name = "<stdin>");
  const SourceFile& file(FileId id) const { return *files_.at(id); }
  std::string_view text(Span span) const;
  std::size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// What a file that is not a regular one is, for messages: "a directory", "a FIFO", "a socket",
// "a character device", "a block device" (`mode` is a stat(2) st_mode). Shared by everything
// that refuses to read or write such a file.
const char* file_kind(unsigned mode);

}  // namespace nb::lang

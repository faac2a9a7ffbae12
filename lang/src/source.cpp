#include <nb/lang/source.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace nb::lang {

SourceFile::SourceFile(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

LineCol SourceFile::line_col(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line = static_cast<std::uint32_t>(it - line_starts_.begin());
  return {line, offset - line_starts_[line - 1] + 1};
}

PresumedLoc SourceFile::presumed(std::uint32_t offset) const {
  const LineCol lc = line_col(offset);
  PresumedLoc p{name_, lc.line, lc.column};
  auto it = std::upper_bound(directives_.begin(), directives_.end(), lc.line,
                             [](std::uint32_t l, const LineDirective& d) { return l < d.next_line; });
  if (it == directives_.begin()) return p;
  --it;
  p.line = it->line + (lc.line - it->next_line);
  // The last directive that named a file names it for the ones after it that do not.
  for (auto f = it;; --f) {
    if (!f->file.empty()) {
      p.file = f->file;
      break;
    }
    if (f == directives_.begin()) break;
  }
  return p;
}

void SourceFile::add_line_directive(std::uint32_t next_line, std::uint32_t line, std::string file) const {
  // The same text parsed again (nbc fmt, then a check) finds the same directives.
  for (const LineDirective& d : directives_) {
    if (d.next_line == next_line) return;
  }
  directives_.push_back({next_line, line, std::move(file)});
}

std::string_view SourceFile::line_text(std::uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  std::uint32_t begin = line_starts_[line - 1];
  std::uint32_t end = line < line_starts_.size() ? line_starts_[line] : static_cast<std::uint32_t>(text_.size());
  std::string_view s(text_.data() + begin, end - begin);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

FileId SourceManager::add(std::string name, std::string text) {
  // Spans hold 32-bit offsets; larger inputs are cut so that nothing overflows.
  constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max() - 1;
  if (text.size() > kMax) text.resize(kMax);
  files_.push_back(std::make_unique<SourceFile>(std::move(name), std::move(text)));
  return static_cast<FileId>(files_.size() - 1);
}

const char* file_kind(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

namespace {

std::string not_regular(const std::string& path, mode_t mode) {
  if (S_ISDIR(mode)) return fmt::format("'{}' is a directory", path);
  return fmt::format("'{}' is {}, not a regular file: a configuration is read from a regular file", path,
                     file_kind(mode));
}

std::string too_large(const std::string& what) {
  return fmt::format("{} is too large: a configuration may have at most {} MiB", what, kMaxSourceBytes >> 20);
}

// Reads fd to its end, at most kMaxSourceBytes + 1 bytes (one more tells that it is too large).
bool read_all(int fd, std::string& out, int& err) {
  out.clear();
  char buf[65536];
  while (out.size() <= kMaxSourceBytes) {
    std::size_t want = std::min(sizeof buf, kMaxSourceBytes + 1 - out.size());
    ssize_t n = ::read(fd, buf, want);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return true;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {  // an inherited non-blocking standard input
      pollfd p{fd, POLLIN, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    err = errno;
    return false;
  }
  return true;
}

}  // namespace

FileId SourceManager::load(const std::string& path, std::string& error) {
  // stat first: a FIFO, a socket or a device is refused without being opened (opening a FIFO
  // or a tape can block or have effects of its own).
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = fmt::format("cannot open '{}': {}", path, std::strerror(errno));
    return kNoFile;
  }
  if (!S_ISREG(st.st_mode)) {
    error = not_regular(path, st.st_mode);
    return kNoFile;
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxSourceBytes) {
    error = too_large(fmt::format("'{}' ({} bytes)", path, st.st_size));
    return kNoFile;
  }
  // O_NONBLOCK: should the path have become a FIFO since the stat, opening it does not wait.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    error = fmt::format("cannot open '{}': {}", path, std::strerror(errno));
    return kNoFile;
  }
  std::string text;
  int err = 0;
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (!ok) {
    error = not_regular(path, st.st_mode);
  } else if (!read_all(fd, text, err)) {
    error = fmt::format("cannot read '{}': {}", path, std::strerror(err));
    ok = false;
  } else if (text.size() > kMaxSourceBytes) {  // it grew since the stat, or /proc reports no size
    error = too_large(fmt::format("'{}'", path));
    ok = false;
  }
  ::close(fd);
  if (!ok) return kNoFile;
  return add(path, std::move(text));
}

FileId SourceManager::load_stdin(std::string& error, std::string name) {
  std::string text;
  int err = 0;
  if (!read_all(STDIN_FILENO, text, err)) {
    error = fmt::format("cannot read standard input: {}", std::strerror(err));
    return kNoFile;
  }
  if (text.size() > kMaxSourceBytes) {
    error = too_large("standard input");
    return kNoFile;
  }
  return add(std::move(name), std::move(text));
}

std::string_view SourceManager::text(Span span) const {
  if (!span.valid() || span.file >= files_.size()) return {};
  const std::string& t = files_[span.file]->text();
  auto b = std::min<std::size_t>(span.begin, t.size());
  auto e = std::min<std::size_t>(std::max(span.begin, span.end), t.size());
  return std::string_view(t).substr(b, e - b);
}

}  // namespace nb::lang

#include <nb/lang/source.hpp>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

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

FileId SourceManager::load(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return kNoFile;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = "cannot read '" + path + "'";
    return kNoFile;
  }
  return add(path, ss.str());
}

std::string_view SourceManager::text(Span span) const {
  if (!span.valid() || span.file >= files_.size()) return {};
  const std::string& t = files_[span.file]->text();
  auto b = std::min<std::size_t>(span.begin, t.size());
  auto e = std::min<std::size_t>(std::max(span.begin, span.end), t.size());
  return std::string_view(t).substr(b, e - b);
}

}  // namespace nb::lang

// The first words of a scheduling element's entry (ScheduleInfo's `ELEMENT PARAM`,
// StaticThreadSched's `ELEMENT THREAD`), with their offsets for error carets.
#pragma once

#include <cstddef>
#include <string_view>

namespace nb::elements {

struct EntryWords {
  unsigned count = 0;  // every word, also past the third
  std::size_t begin[3] = {}, end[3] = {};
  std::string_view word(std::string_view text, unsigned i) const { return text.substr(begin[i], end[i] - begin[i]); }
  // Where an error about a wrong number of words points: the first extra word, else the end.
  std::size_t extra_at() const { return count > 2 ? begin[2] : end[count ? count - 1 : 0]; }
  std::size_t extra_length() const { return count > 2 ? end[2] - begin[2] : 0; }
};

inline EntryWords entry_words(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  EntryWords w;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !space(text[j])) ++j;
    if (j == i) break;
    if (w.count < 3) w.begin[w.count] = i, w.end[w.count] = j;
    ++w.count;
    i = j;
  }
  return w;
}

}  // namespace nb::elements

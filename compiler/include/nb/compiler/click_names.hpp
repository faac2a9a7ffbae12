// Click's element classes that nb does not have, with what a Click user should use instead.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace nb::compiler {

struct ClickReplacement {
  std::string_view click;     // Click's class name
  std::string_view use;       // what to write in nb instead, and how it differs
  std::string_view nb_class;  // the nb class `use` names first ("" when it is not an element)
};

// Every entry, for tests and docs.
std::span<const ClickReplacement> click_replacements();

// The entry for `name`, or nullptr when Click has no such class or nb has no near-equivalent.
const ClickReplacement* find_click_replacement(std::string_view name);

// "Click's X is not in nb (yet): use Y" for the entry.
std::string click_replacement_note(const ClickReplacement& r);

}  // namespace nb::compiler

// A plugin whose element spec table points at memory that is not there (the class name's
// bytes): reading it faults, which must happen in the helper that vets it, not in nb.
#include <nb/element.hpp>

#include <cstdint>
#include <string_view>

namespace plugin_test {

using namespace nb;

namespace {
// Built when the library is loaded, so that no compiler can fold the bad pointer away.
const ElementSpec& garbage_spec() {
  static const ElementSpec spec{
      .class_name = std::string_view(reinterpret_cast<const char*>(std::uintptr_t{64}), 4096),
      .ports = "1/1",
  };
  return spec;
}
}  // namespace

NB_REGISTER_ELEMENT(garbage_spec());

}  // namespace plugin_test

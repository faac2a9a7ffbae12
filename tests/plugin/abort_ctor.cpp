// A plugin whose static constructor calls abort(): it must end the helper that vets it, never
// nbc or nbrun.
#include <cstdio>
#include <cstdlib>

namespace plugin_test {
namespace {

struct Abort {
  Abort() {
    std::fputs("abort_ctor: giving up\n", stderr);
    std::abort();
  }
};
const Abort give_up;

}  // namespace
}  // namespace plugin_test

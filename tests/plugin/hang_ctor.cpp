// A plugin whose static constructor never returns: loading it must be refused after
// NB_PLUGIN_VET_TIMEOUT, in the helper's process, while nbc and nbrun carry on.
#include <unistd.h>

namespace plugin_test {
namespace {

struct Hang {
  Hang() {
    for (;;) pause();
  }
};
const Hang hang;

}  // namespace
}  // namespace plugin_test

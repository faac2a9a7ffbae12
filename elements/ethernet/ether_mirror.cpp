#include "ether_mirror.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {


}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(EtherMirror);

constinit const ElementSpec EtherMirror::spec{
    .class_name = "EtherMirror",
    .ports = "1/1",
    .params = {},
    .brief = "swaps Ethernet source and destination",
    .description =
        "Swaps the source and destination addresses in each packet's Ethernet header, so the "
        "frame goes back to where it came from. Useful for reflectors and for benchmarking a port "
        "with a traffic generator. Frames shorter than an Ethernet header (14 bytes) are dropped.\n"
        "\n"
        "Input 0 (push): frames starting at their Ethernet header. Output 0 (push): the same "
        "frames, addresses swapped.",
    .example = "FromDevice(0) -> EtherMirror -> ToDevice(0);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(EtherMirror::spec);

}  // namespace nb::elements

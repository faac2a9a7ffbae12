#include "discard.hpp"

namespace nb::elements {

constinit const ElementSpec Discard::spec{
    .class_name = "Discard",
    .ports = "1/0",
    .params = {},
    .brief = "drops all packets",
    .description =
        "Frees every packet that arrives on its input. Use it to terminate paths whose packets "
        "are not needed.\n"
        "\n"
        "Input 0 (push): packets to drop.",
    .example = "FromDump(in.pcap) -> Discard;\n",
};

NB_REGISTER_ELEMENT(Discard::spec);

}  // namespace nb::elements

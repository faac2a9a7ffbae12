#include "counter.hpp"

namespace nb::elements {

constinit const ElementSpec Counter::spec{
    .class_name = "Counter",
    .ports = "1/1",
    .params = {},
    .brief = "counts packets and bytes",
    .description =
        "Counts the packets and bytes that pass through it and passes every packet on unchanged.\n"
        "\n"
        "Handlers: count (packets seen), byte_count (bytes seen) and rate (recent arrival rate, "
        "in packets per second).\n"
        "\n"
        "Input 0 (push): any packets. Output 0 (push): the same packets.",
    .example = "FromDump(in.pcap) -> c :: Counter -> Discard;\n",
};

NB_REGISTER_ELEMENT(Counter::spec);

}  // namespace nb::elements

#include "tee.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"N", ParamType::Unsigned, ParamKind::Positional, false, "",
     "The number of outputs. When absent, it is taken from the connections."},
};

}  // namespace

constinit const ElementSpec Tee::spec{
    .class_name = "Tee",
    .ports = "1/1-",
    .params = kParams,
    .brief = "duplicates packets",
    .description =
        "Sends every packet that arrives on its input to each of its outputs: one output gets the "
        "packet itself and each of the others gets a clone of it.\n"
        "\n"
        "Tee(N) has N outputs, and each must be connected. Without N, the number of outputs is "
        "taken from the connections: one more than the highest connected output port.\n"
        "\n"
        "Input 0 (push): any packets. Outputs 0 to N-1 (push): one copy of each packet per "
        "output.",
    .example =
        "t :: Tee(2);\n"
        "FromDump(in.pcap) -> t;\n"
        "t[0] -> ToDump(copy.pcap);\n"
        "t[1] -> Counter -> Discard;\n",
    .output_count = OutputCount::FromParam,
    .output_count_param = "N",
};

NB_REGISTER_ELEMENT(Tee::spec);

}  // namespace nb::elements

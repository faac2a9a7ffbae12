#include "shaper.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    NB_RATE_PARAMS("packets", "32", "The most packets it saves up while nothing pulls, and so lets through at once."),
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(Shaper, count, "packets pulled through"),
};

}  // namespace

NB_ELEMENT_PULL(Shaper);

constinit const ElementSpec Shaper::spec{
    .class_name = "Shaper",
    .ports = "1/1",
    .params = kParams,
    .brief = "lets packets be pulled through at no more than RATE per second",
    .description =
        "When pulled, pulls from its input only as fast as RATE packets a second allows (a token "
        "bucket BURST packets deep, on the worker's clock); otherwise it gives nothing and the "
        "packets stay where they are, usually in a Queue. With several workers, each pulls at "
        "RATE.\n"
        "\n"
        "Input 0 (pull): packets. Output 0 (pull): the same packets, no faster than RATE.",
    .example = "FromDump(in.pcap) -> Queue -> Shaper(1000) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "l/l",
};

NB_REGISTER_ELEMENT(Shaper::spec);

}  // namespace nb::elements

#include "bandwidth_shaper.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    NB_BANDWIDTH_PARAMS("3028", "The most bytes it saves up while nothing pulls, and so lets through at once."),
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(BandwidthShaper, count, "packets pulled through"),
};

}  // namespace

NB_ELEMENT_PULL(BandwidthShaper);

constinit const ElementSpec BandwidthShaper::spec{
    .class_name = "BandwidthShaper",
    .ports = "1/1",
    .params = kParams,
    .brief = "lets packets be pulled through at no more than RATE bytes per second",
    .description =
        "When pulled, pulls from its input only as fast as RATE bytes a second allows (a token "
        "bucket BURST bytes deep, on the worker's clock; a packet larger than the credit left "
        "still goes, and the next ones wait for the debt). RATE takes Click's bandwidth units (1Mbps, 131072B/s; "
        "a plain number is bytes a second). With several workers, each pulls at RATE.\n"
        "\n"
        "Input 0 (pull): packets. Output 0 (pull): the same packets, no faster than RATE.",
    .example = "FromDump(in.pcap) -> Queue -> BandwidthShaper(125000) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "l/l",
};

NB_REGISTER_ELEMENT(BandwidthShaper::spec);

}  // namespace nb::elements

#include "bandwidth_rated_unqueue.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    NB_BANDWIDTH_PARAMS("3028", "The most bytes it saves up while nothing is queued, and so sends at once."),
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(BandwidthRatedUnqueue, count, "packets pulled and pushed on"),
};

}  // namespace

NB_ELEMENT_PULL(BandwidthRatedUnqueue);

constinit const ElementSpec BandwidthRatedUnqueue::spec{
    .class_name = "BandwidthRatedUnqueue",
    .ports = "1/1",
    .params = kParams,
    .brief = "pulls packets at RATE bytes per second and pushes them on",
    .description =
        "Pulls packets from its input no faster than RATE bytes a second (a token bucket BURST "
        "bytes deep, on the worker's clock; a packet larger than the credit left still goes, and "
        "the next ones wait for the debt) and pushes them out of its output. RATE takes Click's "
        "bandwidth units (1Mbps, 131072B/s; a plain number is bytes a second). It runs as a task "
        "of the worker's loop (docs/queues.md). With several workers, each pulls at RATE.\n"
        "\n"
        "Input 0 (pull): packets, usually from a Queue. Output 0 (push): the same packets.",
    .example = "FromDump(in.pcap) -> Queue -> BandwidthRatedUnqueue(125000) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "l/h",
};

NB_REGISTER_ELEMENT(BandwidthRatedUnqueue::spec);

}  // namespace nb::elements

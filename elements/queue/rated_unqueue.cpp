#include "rated_unqueue.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    NB_RATE_PARAMS("packets", "32", "The most packets it saves up while nothing is queued, and so sends at once."),
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(RatedUnqueue, count, "packets pulled and pushed on"),
};

}  // namespace

NB_ELEMENT_PULL(RatedUnqueue);

constinit const ElementSpec RatedUnqueue::spec{
    .class_name = "RatedUnqueue",
    .ports = "1/1",
    .params = kParams,
    .brief = "pulls packets at RATE per second and pushes them on",
    .description =
        "Pulls packets from its input no faster than RATE a second (a token bucket BURST packets "
        "deep, on the worker's clock) and pushes them out of its output. It runs as a task of the "
        "worker's loop (docs/queues.md). With several workers, each pulls at RATE.\n"
        "\n"
        "Input 0 (pull): packets, usually from a Queue. Output 0 (push): the same packets.",
    .example = "FromDump(in.pcap) -> Queue -> RatedUnqueue(1000) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "l/h",
};

NB_REGISTER_ELEMENT(RatedUnqueue::spec);

}  // namespace nb::elements

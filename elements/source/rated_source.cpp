#include "rated_source.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    NB_SOURCE_DATA,
    {"RATE", ParamType::Unsigned, ParamKind::Positional, false, "10", "Packets a second (the `rate` handler changes it while the graph runs).", 1, 1000000000ull},
    NB_SOURCE_LIMIT(ParamKind::Positional),
    NB_SOURCE_ACTIVE(ParamKind::Positional),
    NB_SOURCE_LENGTH,
    NB_SOURCE_STOP,
};

constexpr HandlerSpec kHandlers[] = {
    packet_source::SourceHandlers<RatedSource>::kHandlers[0],
    packet_source::SourceHandlers<RatedSource>::kHandlers[1],
    handler<RatedSource, &RatedSource::read_rate, &RatedSource::write_rate>(
        "rate", "read/write: packets a second (written: from then on, 0 makes none; a Script's wave writes it)"),
};

}  // namespace

NB_ELEMENT_PULL(RatedSource);

constinit const ElementSpec RatedSource::spec{
    .class_name = "RatedSource",
    .ports = "0/1",
    .params = kParams,
    .brief = "makes copies of one packet at RATE a second",
    .description =
        "Makes copies of the packet DATA describes at RATE a second (on the worker's clock), from "
        "the run's mempool, until LIMIT packets were made; with STOP true, reaching LIMIT ends the "
        "run. Each packet counts as generated. With several workers, each makes RATE a second. "
        "Its task runs once per pass of the worker's loop (docs/queues.md).\n"
        "\n"
        "Output 0 (push or pull): the packets.",
    .example = "RatedSource(RATE 100, LIMIT 50, STOP true) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "/a",
};

NB_REGISTER_ELEMENT(RatedSource::spec);

}  // namespace nb::elements

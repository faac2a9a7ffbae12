#include "infinite_source.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    NB_SOURCE_DATA,
    NB_SOURCE_LIMIT(ParamKind::Positional),
    {"BURST", ParamType::Unsigned, ParamKind::Positional, false, "1",
     "Packets it makes each time its task runs (once per pass of the worker's loop).", 1, 64},
    NB_SOURCE_ACTIVE(ParamKind::Positional),
    NB_SOURCE_LENGTH,
    NB_SOURCE_STOP,
};

}  // namespace

NB_ELEMENT_PULL(InfiniteSource);

constinit const ElementSpec InfiniteSource::spec{
    .class_name = "InfiniteSource",
    .ports = "0/1",
    .params = kParams,
    .brief = "makes copies of one packet, BURST at a time",
    .description =
        "Makes copies of the packet DATA describes, BURST each time its task runs (once per pass "
        "of the worker's loop, docs/queues.md), from the run's mempool, until LIMIT packets were "
        "made; with STOP true, reaching LIMIT ends the run. Each packet counts as generated "
        "(rx + generated == tx + dropped). With several workers, each makes its own (LIMIT each). "
        "When pulled (its output is agnostic, as in Click), it gives up to BURST packets a pull.\n"
        "\n"
        "Output 0 (push or pull): the packets.",
    .example = "InfiniteSource(LIMIT 1000, STOP true) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = packet_source::SourceHandlers<InfiniteSource>::kHandlers,
    .processing = "/a",
};

NB_REGISTER_ELEMENT(InfiniteSource::spec);

}  // namespace nb::elements

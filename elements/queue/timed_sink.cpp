#include "timed_sink.hpp"

#include "seconds.hpp"

#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"INTERVAL", ParamType::Duration, ParamKind::Positional, false, "0.5",
     "The time between two pulls: seconds, or with a unit (100ms, 2s).", 1, 86'400'000'000},
};

void read_interval(const TimedSink::Config& c, const TimedSink::State& s, std::string& out) {
  out = seconds::format(TimedSink::interval(c, s));
}

void read_interval_workers(const TimedSink::Config& c, std::span<const TimedSink::State* const> states,
                           std::string& out) {
  if (!states.empty()) read_interval(c, *states[0], out);  // every worker gets each write
}

bool write_interval(const TimedSink::Config&, TimedSink::State& s, std::string_view value, std::string& error) {
  return seconds::parse(value, s.interval_us, error, false);
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(TimedSink, count, "packets pulled and dropped"),
    handler<TimedSink, &read_interval, &write_interval, &read_interval_workers>(
        "interval", "read/write: the time between two pulls, in seconds (0.5)"),
};

}  // namespace

NB_ELEMENT_PULL(TimedSink);

constinit const ElementSpec TimedSink::spec{
    .class_name = "TimedSink",
    .ports = "1/0",
    .params = kParams,
    .brief = "pulls a packet every INTERVAL and drops it",
    .description =
        "Pulls one packet from its input every INTERVAL (on the worker's clock) and drops it (counted in `count` "
        "and as a drop, reason `sunk`). It runs as a task of the worker's loop (docs/queues.md): a late pass "
        "does not shift the schedule, and a pull missed is not made up for. With several workers, each pulls "
        "every INTERVAL.\n"
        "\n"
        "Input 0 (pull): packets, usually from a Queue or a scheduler.",
    .example = "FromDump(in.pcap) -> Queue -> TimedSink(100ms);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "l/",
};

NB_REGISTER_ELEMENT(TimedSink::spec);

}  // namespace nb::elements

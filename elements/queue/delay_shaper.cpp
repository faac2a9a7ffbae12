#include "delay_shaper.hpp"

#include "seconds.hpp"

#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"DELAY", ParamType::Duration, ParamKind::Positional, true, "",
     "How long after its timestamp a packet may leave: seconds, or with a unit (10ms, 2s).", 0, 86'400'000'000},
};

void read_delay(const DelayShaper::Config& c, const DelayShaper::State& s, std::string& out) {
  out = seconds::format(DelayShaper::delay(c, s));
}

void read_delay_workers(const DelayShaper::Config& c, std::span<const DelayShaper::State* const> states,
                        std::string& out) {
  if (!states.empty()) read_delay(c, *states[0], out);  // every worker gets each write
}

bool write_delay(const DelayShaper::Config&, DelayShaper::State& s, std::string_view value, std::string& error) {
  if (!seconds::parse(value, s.delay_us, error, true)) return false;
  s.written = true;
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(DelayShaper, count, "packets let through"),
    handler<DelayShaper, &read_delay, &write_delay, &read_delay_workers>(
        "delay", "read/write: DELAY, in seconds (0.010000); a packet already held keeps the time it got"),
};

}  // namespace

NB_ELEMENT_PULL(DelayShaper);

constinit const ElementSpec DelayShaper::spec{
    .class_name = "DelayShaper",
    .ports = "1/1",
    .params = kParams,
    .brief = "lets a packet be pulled no earlier than its timestamp plus DELAY",
    .description =
        "When pulled, pulls a packet from its input and holds it back until the wall clock reaches the "
        "packet's timestamp plus DELAY; a packet with no timestamp is held DELAY from the time it was pulled. "
        "It holds at most one packet: while that one waits, nothing more is pulled (packets wait in the "
        "Queue before it). On its way out each packet's timestamp is set to the time it leaves. Put "
        "SetTimestamp before the Queue to delay each packet from the time it arrived; a packet FromDump read "
        "carries its record's time, long past, and so is not held.\n"
        "\n"
        "The run waits for a packet held back when its inputs end; one held when the run stops early is "
        "dropped as `flushed`. With several workers, each holds its own.\n"
        "\n"
        "Input 0 (pull): packets, usually from a Queue. Output 0 (pull): the same packets, no earlier than "
        "their time.",
    .example = "FromDump(in.pcap) -> SetTimestamp -> Queue -> DelayShaper(10ms) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "l/l",
};

NB_REGISTER_ELEMENT(DelayShaper::spec);

}  // namespace nb::elements

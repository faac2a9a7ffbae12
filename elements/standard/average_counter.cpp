#include "average_counter.hpp"

#include <cstdio>
#include <span>
#include <string_view>

namespace nb::elements {

std::string AverageCounter::rate_text(const Config& config, std::uint64_t count, std::uint64_t first,
                                      std::uint64_t last, std::uint64_t hz) {
  if (hz == 0 || count == 0) return "0";
  std::uint64_t elapsed = last - first;
  const std::uint64_t ignore = config.ignore * hz;
  elapsed = elapsed > ignore ? elapsed - ignore : 0;
  const std::uint64_t jiffy = hz / 1000 ? hz / 1000 : 1;
  if (elapsed < jiffy) elapsed = jiffy;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12g",
                static_cast<double>(count) * static_cast<double>(hz) / static_cast<double>(elapsed));
  return buf;
}

namespace {

using State = AverageCounter::State;
using Config = AverageCounter::Config;

template <bool Bytes>
void read_rate_workers(const Config& config, std::span<const State* const> states, std::string& out) {
  std::uint64_t count = 0, first = 0, last = 0, hz = 0;
  bool any = false;
  for (const State* s : states) {
    if (!s->started) continue;
    count += Bytes ? s->byte_count : s->count;
    first = any && first < s->first ? first : s->first;
    last = any && last > s->last ? last : s->last;
    hz = s->hz;
    any = true;
  }
  out = AverageCounter::rate_text(config, count, first, last, hz);
}

template <bool Bytes>
void read_rate(const Config& config, const State& state, std::string& out) {
  const State* one = &state;
  read_rate_workers<Bytes>(config, std::span<const State* const>(&one, 1), out);
}

bool write_reset(const Config&, State& state, std::string_view, std::string&) {
  state = State{};
  return true;
}

constexpr ParamSpec kParams[] = {
    {"IGNORE", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "Seconds after the first packet whose packets are not counted (nor their time in the rate).", 0, 1000000000},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(AverageCounter, count, "packets counted since the start or the last reset"),
    NB_COUNTER(AverageCounter, byte_count, "bytes of the packets counted"),
    handler<AverageCounter, &read_rate<false>, nullptr, &read_rate_workers<false>>(
        "rate", "read: packets a second, from the first packet (after IGNORE) to the last"),
    handler<AverageCounter, &read_rate<true>, nullptr, &read_rate_workers<true>>(
        "byte_rate", "read: bytes a second, over the same time"),
    handler<AverageCounter, nullptr, &write_reset>("reset", "write (any value): counts and rates start again"),
};

}  // namespace

NB_ELEMENT_KERNEL(AverageCounter);

constinit const ElementSpec AverageCounter::spec{
    .class_name = "AverageCounter",
    .ports = "1/1",
    .params = kParams,
    .brief = "counts packets and bytes and their average rate",
    .description =
        "Passes packets unchanged and counts them and their bytes, as Click's AverageCounter: the "
        "`rate` and `byte_rate` handlers give the average per second over the time between the "
        "first and the latest packet (at least a millisecond), on the worker's clock. Packets in "
        "the first IGNORE seconds after the first packet are not counted, and that time is not "
        "part of the rate. Writing `reset` starts again from the next packet. With several "
        "workers the counts are summed and the time runs from the earliest first packet to the "
        "latest one on any worker.\n"
        "\n"
        "Input 0: any packets. Output 0: the same packets.",
    .example = "FromDump(in.pcap) -> avg :: AverageCounter -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(AverageCounter::spec);

}  // namespace nb::elements

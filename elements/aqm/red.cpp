#include "red.hpp"

#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

// A probability: a decimal from 0 to 1 (".02", "0.5", "1"), kept as a 16-bit fraction rounded
// to the nearest (Click's FixedPointArg(16)).
bool parse_probability(std::string_view text, std::uint32_t& out, std::size_t& bad) {
  std::uint64_t whole = 0, num = 0, den = 1;
  std::size_t i = 0, digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && whole < 10; ++i, ++digits)
    whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      if (den < 1'000'000'000'000ull) {
        num = num * 10 + static_cast<std::uint64_t>(text[i] - '0');
        den *= 10;
      }
    }
  }
  bad = i;
  if (digits == 0 || i != text.size()) return false;
  const std::uint64_t v = whole * RED::kOne + (num * RED::kOne + den / 2) / den;
  if (v > RED::kOne) {
    bad = 0;
    return false;
  }
  out = static_cast<std::uint32_t>(v);
  return true;
}

bool validate_probability(std::string_view text, ParamError& e) {
  std::uint32_t v = 0;
  std::size_t bad = 0;
  if (parse_probability(text, v, bad)) return true;
  e.offset = bad < text.size() ? bad : 0;
  e.length = bad < text.size() ? 1 : (text.size() ? text.size() : 1);
  e.message = "expected a probability between 0 and 1 (e.g. 0.02), not '" + std::string(text) + "'";
  return false;
}

constexpr ParamSpec kParams[] = {
    {"MIN_THRESH", ParamType::Unsigned, ParamKind::Positional, true, "",
     "Packets: while the average queue length is at most this, no packet is marked.", 0, 0xffff},
    {"MAX_THRESH", ParamType::Unsigned, ParamKind::Positional, true, "",
     "Packets (at least MIN_THRESH): at this average length packets are marked with probability MAX_P.", 0, 0xffff},
    {"MAX_P", ParamType::String, ParamKind::Positional, true, "",
     "The probability of marking at MAX_THRESH, from 0 to 1 (e.g. 0.02).", INT64_MIN, UINT64_MAX,
     &validate_probability},
    {"QUEUES", ParamType::String, ParamKind::Keyword, false, "",
     "The names of the Queues whose lengths it adds up, separated by spaces; default: the nearest Queues "
     "after it (it pushes) or before it (it is pulled from)."},
    {"STABILITY", ParamType::Unsigned, ParamKind::Keyword, false, "4",
     "How slowly the average follows the queue: each packet moves it 1/2^STABILITY of the way (RED's w_q is "
     "2^-STABILITY); 0: no average, the length itself.",
     0, 16},
    {"GENTLE", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Gentle RED: between MAX_THRESH and twice it, the probability grows from MAX_P to 1 (above, every packet "
     "is marked); false: every packet over MAX_THRESH is marked."},
};

void read_min(const RED::Config& c, const RED::State&, std::string& out) {
  out = std::to_string(c.min_thresh);
}
void read_max(const RED::Config& c, const RED::State&, std::string& out) {
  out = std::to_string(c.max_thresh);
}
void read_stability(const RED::Config& c, const RED::State&, std::string& out) {
  out = std::to_string(c.stability);
}
void read_max_p(const RED::Config& c, const RED::State&, std::string& out) {
  const std::uint64_t millionths = (std::uint64_t{c.max_p} * 1000000 + RED::kOne / 2) / RED::kOne;
  std::string frac = std::to_string(millionths % 1000000);
  out = std::to_string(millionths / 1000000) + "." + std::string(6 - frac.size(), '0') + frac;
  while (out.back() == '0' && out[out.size() - 2] != '.') out.pop_back();
}
std::string average_text(const RED::State& s) {
  const std::int64_t thousandths = (s.avg * 1000 + (std::int64_t{1} << (RED::kScale - 1))) >> RED::kScale;
  std::string frac = std::to_string(thousandths % 1000);
  return std::to_string(thousandths / 1000) + "." + std::string(3 - frac.size(), '0') + frac;
}
void read_avg(const RED::Config&, const RED::State& s, std::string& out) {
  out = average_text(s);
}
// Each worker feeds queues of its own, so each has its own average.
void read_avg_workers(const RED::Config&, std::span<const RED::State* const> states, std::string& out) {
  if (states.size() == 1) {
    out = average_text(*states[0]);
    return;
  }
  for (std::size_t w = 0; w < states.size(); ++w)
    out += "worker " + std::to_string(w) + ": " + average_text(*states[w]) + "\n";
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(RED, marked, "packets marked: dropped, or sent out of output 1 (Click's drops)"),
    handler<RED, &read_avg, nullptr, &read_avg_workers>("avg_queue_size",
                                                        "read: the average queue length, in packets (per worker)"),
    handler<RED, &read_min>("min_thresh", "read: MIN_THRESH"),
    handler<RED, &read_max>("max_thresh", "read: MAX_THRESH"),
    handler<RED, &read_max_p>("max_p", "read: MAX_P"),
    handler<RED, &read_stability>("stability", "read: STABILITY"),
};

}  // namespace

bool RED::configure(const Args& args, Config& config, std::string& error) {
  config.min_thresh = static_cast<std::uint32_t>(args.get_unsigned("MIN_THRESH"));
  config.max_thresh = static_cast<std::uint32_t>(args.get_unsigned("MAX_THRESH"));
  std::size_t bad = 0;
  if (!parse_probability(args.get_string("MAX_P"), config.max_p, bad)) {
    error = "MAX_P: expected a probability between 0 and 1";
    return false;
  }
  config.stability = static_cast<std::uint32_t>(args.get_unsigned("STABILITY"));
  config.gentle = args.get_bool("GENTLE");
  if (config.min_thresh > config.max_thresh) {
    error = "MIN_THRESH (" + std::to_string(config.min_thresh) + ") must be at most MAX_THRESH (" +
            std::to_string(config.max_thresh) + ")";
    return false;
  }
  config.kill_thresh = config.gentle && config.max_p != kOne ? 2 * config.max_thresh : config.max_thresh;
  return true;
}

NB_ELEMENT_KERNEL(RED);

constinit const ElementSpec RED::spec{
    .class_name = "RED",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "drops packets early, the more the longer the queues it feeds are on average (Random Early Detection)",
    .description =
        "Random Early Detection: keeps a moving average of the length of the Queues it watches (STABILITY) "
        "and marks each packet that passes with a probability that is 0 up to MIN_THRESH packets, grows to "
        "MAX_P at MAX_THRESH, and (GENTLE) to 1 at twice MAX_THRESH; marks are spread evenly over the packets. "
        "A marked packet is dropped (reason `early`), or sent out of output 1 when it is connected. While the "
        "queue is empty, the average decays once per 20 ms. The random draws come from a fixed seed, so a run "
        "over the same packets marks the same ones.\n"
        "\n"
        "Which queues: those QUEUES names, else the nearest ones in the graph, as Click finds them - "
        "following the connections from its output 0 downstream when it pushes, or from its input 0 upstream "
        "when it is pulled from, through every port of the elements in between, up to the first element that "
        "holds packets (a Queue) on each path. `nbc check` refuses a RED that finds none. Their lengths are "
        "added up; with several workers, each worker's RED watches that worker's queues.\n"
        "\n"
        "When it is pulled from (after a Queue), a marked packet is dropped and the next one pulled; with "
        "output 1 connected, a copy of it goes out there.\n"
        "\n"
        "Input 0: packets. Output 0: the packets not marked. Output 1 (push, optional): the marked packets.",
    .example = "FromDump(in.pcap) -> RED(5, 50, 0.02) -> Queue(200) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "a/ah",
    .queues_param = "QUEUES",
};

NB_REGISTER_ELEMENT(RED::spec);

}  // namespace nb::elements

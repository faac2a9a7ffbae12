#include "toy_tcp.hpp"
#include "active_handler.hpp"

#include <nb/text.hpp>

#include <string>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"DPORT", ParamType::Unsigned, ParamKind::Positional, true, "", "The TCP port it connects to.", 0, 65535},
    {"INTERVAL", ParamType::Duration, ParamKind::Keyword, false, "1",
     "The time between two segments of its clock (Click's is always a second).", 1},
    {"SEED", ParamType::Unsigned, ParamKind::Keyword, false, "0",
     "Seeds the generator of source ports and initial sequence numbers (each worker's differs)."},
    {"ACTIVE", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Whether its clock sends; the `active` handler changes it while the graph runs."},
};

using State = ToyTCP::State;
using Config = ToyTCP::Config;

void read_connected(const Config&, const State& s, std::string& out) {
  out = s.connected ? "true" : "false";
}
void read_sport(const Config&, const State& s, std::string& out) {
  out = std::to_string(s.sport);
}
constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(ToyTCP, good, "segments from the peer's port to its own, RST aside (Click's 'good in')"),
    NB_COUNTER(ToyTCP, bad, "RSTs from the peer (Click's 'bad in')"),
    NB_COUNTER(ToyTCP, sent, "segments sent (Click's 'out')"),
    NB_COUNTER(ToyTCP, connections, "connections started: the first, and one after each RST"),
    handler<ToyTCP, &read_connected>("connected", "whether the peer answered the current connection's SYN"),
    handler<ToyTCP, &read_sport>("sport", "the current connection's source port (0 before the first)"),
    ActiveHandler<ToyTCP>::spec("read/write: whether its clock sends (true/false)"),
};

}  // namespace

bool ToyTCP::configure(const Args& args, Config& config, std::string&) {
  config.dport = static_cast<std::uint16_t>(args.get_unsigned("DPORT"));
  config.interval_us = args.get_unsigned("INTERVAL");
  config.seed = args.get_unsigned("SEED");
  config.active = args.get_bool("ACTIVE");
  return true;
}

NB_ELEMENT_KERNEL(ToyTCP);

constinit const ElementSpec ToyTCP::spec{
    .class_name = "ToyTCP",
    .ports = "1/1",
    .params = kParams,
    .brief = "a toy TCP client: one connection to DPORT, one-byte segments driven by the replies",
    .description =
        "Click's ToyTCP, a tool that loads a TCP peer. It makes TCP segments with no IP header "
        "(follow it with IPEncap(6, SRC, DST) and SetTCPChecksum): its own clock sends one every "
        "INTERVAL, and each packet pushed to its input is answered - the packet itself becomes "
        "the answer - so every reply from the peer makes another segment, and every sixth two.\n"
        "\n"
        "A connection starts with a SYN from a source port in 1024-61023 and an initial "
        "sequence number below 2^28. Once a segment from DPORT to that port acknowledges the SYN "
        "without RST, it is connected (reported on stderr once) and every segment is an ACK of "
        "the peer's SYN with one zero byte, at a sequence number 1 to 4096 past the next one "
        "(the counter of segments sent, modulo 4096), so the peer keeps acknowledging "
        "out-of-order data. Every fourth segment offers a window of 30720, the others 61440. "
        "Its checksum is left 0. An RST from the peer (reported on stderr) ends the connection: "
        "packets pushed until the clock's next tick are dropped (\"reset\"), and that tick "
        "starts a new connection. A pushed packet too short for a TCP header, or not from DPORT "
        "to its port, changes nothing but is still answered, as in Click. The input reads the "
        "TCP header at the packet's data start (Strip the link and IP headers before it).\n"
        "\n"
        "Click draws the port and the initial sequence number from the time of day; nb draws them "
        "from a generator seeded by SEED and the worker's number, so a run repeats them (splitmix64 "
        "of SEED xor (worker+1) times a constant; each connection takes the next draw). Click "
        "prints its counts every second; nb has the handlers `good`, `bad` and `sent` instead. "
        "INTERVAL, SEED and ACTIVE are nb's.\n"
        "\n"
        "Input 0 (push): the peer's segments. Output 0 (push): its segments.",
    .example =
        "FromDump(replies.pcap) -> Strip(34) -> ToyTCP(5432)\n"
        "  -> IPEncap(6, 10.0.0.1, 10.0.0.2) -> SetTCPChecksum\n"
        "  -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(ToyTCP::spec);

}  // namespace nb::elements

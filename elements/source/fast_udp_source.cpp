#include "fast_udp_source.hpp"
#include "active_handler.hpp"

#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"RATE", ParamType::Unsigned, ParamKind::Positional, true, "",
     "Packets a second; 0: as fast as the worker's loop asks (a burst each pass).", 0, 1'000'000'000},
    {"LIMIT", ParamType::Integer, ParamKind::Positional, true, "", "How many packets in all; -1: no limit.", -1},
    {"LENGTH", ParamType::Unsigned, ParamKind::Positional, true, "",
     "The frame's length in bytes, Ethernet header included; less than 60 counts as 60, as in Click.", 0,
     packet_source::kMaxData},
    {"SRCETH", ParamType::EtherAddress, ParamKind::Positional, true, "", "The Ethernet source."},
    {"SRCIP", ParamType::IPv4Address, ParamKind::Positional, true, "", "The IPv4 source."},
    {"SPORT", ParamType::Unsigned, ParamKind::Positional, true, "", "The UDP source port.", 0, 65535},
    {"DSTETH", ParamType::EtherAddress, ParamKind::Positional, true, "", "The Ethernet destination."},
    {"DSTIP", ParamType::IPv4Address, ParamKind::Positional, true, "",
     "The IPv4 destination (also each packet's destination annotation)."},
    {"DPORT", ParamType::Unsigned, ParamKind::Positional, true, "", "The UDP destination port.", 0, 65535},
    {"CHECKSUM", ParamType::Bool, ParamKind::Positional, false, "true",
     "Whether the UDP checksum is computed (false: 0, no checksum)."},
    {"INTERVAL", ParamType::Unsigned, ParamKind::Positional, false, "0",
     "After every INTERVAL packets both ports go up by one (0: they stay).", 0, UINT32_MAX},
    {"ACTIVE", ParamType::Bool, ParamKind::Positional, false, "true",
     "Whether it makes packets; the `active` handler changes it while the graph runs."},
    {"STOP", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Whether reaching LIMIT ends the run (nb's; Click's just stops making packets)."},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(FastUDPSource, count, "packets made"),
    ActiveHandler<FastUDPSource>::spec("read/write: whether it makes packets (true/false)"),
};

void put16(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, v >> 16);
  put16(p + 2, v);
}

}  // namespace

bool FastUDPSource::configure(const Args& args, Config& c, std::string&) {
  const std::uint64_t rate = args.get_unsigned("RATE");
  c.rated = rate != 0;
  c.rate.rate = rate;
  // Up to a millisecond's packets (one burst at most) saved up: an even stream, in bursts.
  c.rate.depth = rate / 1000 < 1 ? 1 : rate / 1000 > 32 ? 32 : rate / 1000;
  const std::int64_t limit = args.get_integer("LIMIT");
  c.limit = limit < 0 ? -1 : limit;
  const std::uint64_t len = args.get_unsigned("LENGTH");
  c.len = len < 60 ? 60 : static_cast<std::uint32_t>(len);
  c.sport = static_cast<std::uint16_t>(args.get_unsigned("SPORT"));
  c.dport = static_cast<std::uint16_t>(args.get_unsigned("DPORT"));
  c.checksum = args.get_bool("CHECKSUM");
  c.interval = args.get_unsigned("INTERVAL");
  c.active = args.get_bool("ACTIVE");
  c.stop = args.get_bool("STOP");
  const std::uint32_t src = args.get_ipv4("SRCIP"), dst = args.get_ipv4("DSTIP");
  c.dst_ip = dst;

  std::uint8_t* f = c.frame;
  std::memset(f, 0, sizeof c.frame);
  const auto dst_eth = args.get_ether("DSTETH"), src_eth = args.get_ether("SRCETH");
  std::memcpy(f, dst_eth.data(), 6);
  std::memcpy(f + 6, src_eth.data(), 6);
  put16(f + 12, 0x0800);
  std::uint8_t* ip = f + 14;
  ip[0] = 0x45;
  put16(ip + 2, c.len - 14);
  ip[8] = 250;  // Click's TTL for it
  ip[9] = 17;
  put32(ip + 12, src);
  put32(ip + 16, dst);
  put16(ip + 10, checksum::finish(checksum::add(0, {ip, 20})));
  std::uint8_t* udp = ip + 20;
  const std::uint32_t udp_len = c.len - 34;
  put16(udp, c.sport);
  put16(udp + 2, c.dport);
  put16(udp + 4, udp_len);
  // The pseudo-header (addresses, protocol, length), the UDP header without ports or checksum,
  // and the (zero) payload.
  std::uint32_t sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 17 + udp_len + udp_len;
  c.sum_without_ports = sum;
  if (c.checksum) {
    std::uint16_t check = checksum::finish(sum + c.sport + c.dport);
    if (check == 0) check = 0xffff;
    put16(udp + 6, check);
  }
  return true;
}

NB_ELEMENT_PULL(FastUDPSource);

constinit const ElementSpec FastUDPSource::spec{
    .class_name = "FastUDPSource",
    .ports = "0/1",
    .params = kParams,
    .brief = "makes copies of one Ethernet/IPv4/UDP packet at RATE a second",
    .description =
        "A benchmark source: makes copies of one UDP packet of LENGTH bytes (Ethernet header included, zero "
        "payload) from SRCETH, SRCIP and SPORT to DSTETH, DSTIP and DPORT - IPv4 TTL 250, a correct IP checksum, "
        "the UDP checksum when CHECKSUM is true - at RATE a second (on the worker's clock, in bursts of up to "
        "a millisecond's packets; 0: a burst every pass), until LIMIT packets were made. With INTERVAL, both "
        "ports go up by one after every INTERVAL packets. Each packet's network header is marked (offset 14) "
        "and its destination annotation is DSTIP.\n"
        "\n"
        "Click hands out the same buffer again and again, which must not be changed; nb makes a new packet "
        "each time from the run's mempool, which may be changed. Each counts as generated. With several "
        "workers, each makes RATE a second.\n"
        "\n"
        "Output 0 (push or pull): the packets.",
    .example =
        "FastUDPSource(1000, 100, 60, 00:00:00:00:00:01, 10.0.0.1, 1234, 00:00:00:00:00:02, 10.0.0.2, 1234, "
        "STOP true) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "/a",
};

NB_REGISTER_ELEMENT(FastUDPSource::spec);

}  // namespace nb::elements

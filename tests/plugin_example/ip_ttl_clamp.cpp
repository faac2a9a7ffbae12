// IPTTLClamp: an example nb plugin element (docs/plugins.md). It caps the TTL of IPv4 packets in
// Ethernet frames at MAX, updating the header checksum (RFC 1624), and can drop packets whose TTL
// is zero. Typed parameters (an Unsigned with a range, a Bool), State with counters the runtime
// reports, drop reasons, documentation that `nbc doc IPTTLClamp` prints (with the handlers,
// counters and drop reasons declared below).
#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace example {

using namespace nb;

struct IPTTLClamp {
  static const ElementSpec spec;
  // Each worker core counts in its own State; nbctl and the stats report the sum.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "an IPv4 frame too short for an IPv4 header"},
      {"ttl zero", "arrived with TTL 0 (with DROP_ZERO)"},
  });

  struct Config {
    std::uint8_t max;
    bool drop_zero;
  };
  struct State {
    std::uint64_t clamped;
    std::uint64_t zero;
  };

  static bool configure(const Args& args, Config& config, std::string&) {
    config.max = static_cast<std::uint8_t>(args.get_unsigned("MAX"));  // 1..255, checked by nbc
    config.drop_zero = args.get_bool("DROP_ZERO");
    return true;  // every value nbc accepts is valid
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    const EtherView eth = p.ether();
    if (!eth || eth.type() != ether_type::kIPv4) {
      ctx.send(0, std::move(p));  // not IPv4: untouched
      return;
    }
    const IPv4View ip = p.ipv4(EtherView::kSize);
    if (!ip) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    const std::uint8_t ttl = ip.ttl();
    if (ttl == 0) {
      ++state.zero;
      if (config.drop_zero) {
        ctx.drop(std::move(p), kDrops["ttl zero"]);
        return;
      }
    }
    if (ttl > config.max) {
      ++state.clamped;
      // The TTL is the high byte of the 16-bit word at offset 8 (protocol is the low byte).
      const std::uint16_t before = static_cast<std::uint16_t>(ttl << 8 | ip.protocol());
      const std::uint16_t after = static_cast<std::uint16_t>(config.max << 8 | ip.protocol());
      ip.set_ttl(config.max);
      ip.set_checksum(checksum::adjust16(ip.checksum(), before, after));
    }
    ctx.send(0, std::move(p));
  }
};

namespace {

constexpr ParamSpec kParams[] = {
    {"MAX", ParamType::Unsigned, ParamKind::Positional, true, "", "The highest TTL a packet leaves with, 1 to 255.", 1,
     255},
    {"DROP_ZERO", ParamType::Bool, ParamKind::Keyword, false, "false", "Drop packets that arrive with TTL 0."},
};

// `nbctl write clamp.reset` runs on the worker core between two bursts (docs/control.md), so it
// may change State freely.
bool write_reset(const IPTTLClamp::Config&, IPTTLClamp::State& s, std::string_view, std::string&) {
  s.clamped = s.zero = 0;
  return true;
}
constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IPTTLClamp, clamped, "packets whose TTL was lowered"),
    NB_COUNTER(IPTTLClamp, zero, "packets that arrived with TTL 0"),
    handler<IPTTLClamp, nullptr, &write_reset>("reset", "write (any value): sets clamped and zero to 0"),
};

}  // namespace

NB_ELEMENT_KERNEL(IPTTLClamp);

constinit const ElementSpec IPTTLClamp::spec{
    .class_name = "IPTTLClamp",
    .ports = "1/1",
    .params = kParams,
    .brief = "caps the IPv4 TTL of Ethernet frames (an example plugin)",
    .description =
        "Lowers the TTL of IPv4 packets in Ethernet frames to MAX when it is higher, and updates "
        "the header checksum incrementally (RFC 1624). Frames that are not IPv4 pass untouched; "
        "frames too short for an IPv4 header are dropped. With DROP_ZERO, packets that arrive "
        "with TTL 0 are dropped.\n"
        "\n"
        "Input 0 (push): Ethernet frames. Output 0 (push): the same frames.",
    .example = "require(plugin \"libttlclamp.so\");\nFromDump(in.pcap) -> IPTTLClamp(32) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(IPTTLClamp::spec);

}  // namespace example

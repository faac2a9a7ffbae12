// IPTTLClamp: an example nb plugin element (docs/plugins.md). It caps the TTL of IPv4 packets in
// Ethernet frames at MAX, updating the header checksum (RFC 1624), and can drop packets whose TTL
// is zero. Typed parameters (an Unsigned with a range, a Bool), State with counters the runtime
// reports, a drop reason, documentation that `nbc doc IPTTLClamp` prints.
#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace example {

using namespace nb;

struct IPTTLClamp {
  static const ElementSpec spec;
  // Each worker core counts in its own State; nbctl and the stats report the sum.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    std::uint8_t max;
    bool drop_zero;
  };
  struct State {
    std::uint64_t clamped;  // packets whose TTL was lowered
    std::uint64_t zero;     // packets that arrived with TTL 0
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    config.max = static_cast<std::uint8_t>(args.get_unsigned("MAX"));  // 1..255, checked by nbc
    config.drop_zero = args.get_bool("DROP_ZERO");
    (void)error;  // every value nbc accepts is valid
    return true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t, Packet p NB_OWNED) {
    const EtherView eth = p.ether();
    if (!eth || eth.type() != ether_type::kIPv4) {
      ctx.send(0, std::move(p));  // not IPv4: untouched
      return;
    }
    const IPv4View ip = p.ipv4(EtherView::kSize);
    if (!ip) {
      ctx.drop(std::move(p), 0);  // too short for an IPv4 header
      return;
    }
    const std::uint8_t ttl = ip.ttl();
    if (ttl == 0) {
      ++state.zero;
      if (config.drop_zero) {
        ctx.drop(std::move(p), 1);
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
constexpr CounterField kCounters[] = {
    {"clamped", offsetof(IPTTLClamp::State, clamped)},
    {"zero", offsetof(IPTTLClamp::State, zero)},
};
constexpr std::string_view kDropReasons[] = {"malformed", "ttl zero"};

// `nbctl write clamp.reset` runs on the worker core between two bursts (docs/control.md), so it
// may change State freely.
bool write_reset(const void*, void* state, std::string_view, std::string&) {
  auto* s = static_cast<IPTTLClamp::State*>(state);
  s->clamped = 0;
  s->zero = 0;
  return true;
}
constexpr HandlerSpec kHandlers[] = {
    {"clamped", HandlerSpec::Kind::Field, "packets whose TTL was lowered", offsetof(IPTTLClamp::State, clamped)},
    {"zero", HandlerSpec::Kind::Field, "packets that arrived with TTL 0", offsetof(IPTTLClamp::State, zero)},
    {"reset", HandlerSpec::Kind::Custom, "write (any value): sets clamped and zero to 0", 0, nullptr, &write_reset},
};

}  // namespace

NB_ELEMENT_KERNEL(IPTTLClamp, kCounters, kDropReasons);

constinit const ElementSpec IPTTLClamp::spec{
    .class_name = "IPTTLClamp",
    .ports = "1/1",
    .params = kParams,
    .brief = "caps the IPv4 TTL of Ethernet frames (an example plugin)",
    .description =
        "Lowers the TTL of IPv4 packets in Ethernet frames to MAX when it is higher, and updates "
        "the header checksum incrementally (RFC 1624). Frames that are not IPv4 pass untouched; "
        "frames too short for an IPv4 header are dropped as malformed. With DROP_ZERO, packets "
        "that arrive with TTL 0 are dropped.\n"
        "\n"
        "Counters: clamped (TTLs lowered), zero (TTL-0 packets seen). Handlers: clamped, zero "
        "(read), reset (write: zeroes both).\n"
        "\n"
        "Input 0 (push): Ethernet frames. Output 0 (push): the same frames.",
    .example = "require(plugin \"libttlclamp.so\");\nFromDump(in.pcap) -> IPTTLClamp(32) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(IPTTLClamp::spec);

}  // namespace example

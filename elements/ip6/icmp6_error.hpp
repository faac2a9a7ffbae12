// ICMP6Error: turns a packet into the ICMPv6 error message about it (RFC 4443).
#pragma once

#include "ip6_text.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <cstring>
#include <string>

namespace nb::elements {

struct ICMP6Error {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // RFC 4443 2.4(c): the message, its IPv6 header included, fits in the IPv6 minimum MTU.
  static constexpr std::uint32_t kMinMTU = 1280;
  static constexpr std::uint32_t kHeaders = 40 + 8;
  static constexpr std::uint8_t kNextICMP6 = 58;
  static constexpr std::uint8_t kNextFragment = 44;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "no complete IPv6 header to quote"},
      {"no error allowed",
       "RFC 4443 2.4(e): no error about an ICMPv6 error, a later fragment, a multicast "
       "destination (but for packet too big and parameter problem code 2) or a source that is "
       "not one unicast node (::, ::1, multicast)"},
      {"no headroom", "no room in front of the packet for the new IPv6 and ICMPv6 headers"},
  });

  struct Config {
    ip6_text::IP6Address src;
    std::uint8_t type;
    std::uint8_t code;
  };
  struct State {
    std::uint64_t errors;      // error messages sent
    std::uint64_t suppressed;  // packets that must not get one
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  static bool multicast(const std::uint8_t* a) { return a[0] == 0xff; }
  static bool unspecified_or_loopback(const std::uint8_t* a) {
    for (int i = 0; i < 15; ++i)
      if (a[i]) return false;
    return a[15] <= 1;
  }

  // Builds a new packet; sets its network offset. Conservative on facts.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.anno_sets = anno_field::kNetworkOffset;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t offset = p.network_offset();
    std::uint8_t orig_src[16];
    std::uint32_t quote = 0;
    {
      const ByteView ip = p.bytes_at(offset, 40);
      if (!ip || (ip.byte(0) >> 4) != 6) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      const ByteView all = p.bytes_from(offset);
      ip.read(8, orig_src, 16);
      const std::uint8_t next = ip.byte(6);
      const bool dst_multicast = ip.byte(24) == 0xff;
      bool suppress = multicast(orig_src) || unspecified_or_loopback(orig_src);
      if (dst_multicast && !(config.type == 2 || (config.type == 4 && config.code == 2))) suppress = true;
      // An ICMPv6 error (types below 128) right after the header, or missing its type byte.
      if (next == kNextICMP6 && (all.available() <= 40 || all.byte(40) < 128)) suppress = true;
      // A fragment other than the first (RFC 8200 4.5: offset in the top 13 bits of bytes 2-3).
      if (next == kNextFragment && all.available() >= 48 && ((all.byte(42) << 8 | all.byte(43)) & 0xfff8) != 0)
        suppress = true;
      if (suppress) {
        ++state.suppressed;
        ctx.drop(std::move(p), kDrops["no error allowed"]);
        return;
      }
      quote = all.available() < kMinMTU - kHeaders ? all.available() : kMinMTU - kHeaders;
    }
    if (!p.pull(offset)) {  // cannot fail: the header is at offset
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    p.truncate(quote);
    if (!p.push(kHeaders)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    const std::uint32_t plen = 8 + quote;
    std::uint8_t h[kHeaders] = {};
    h[0] = 0x60;  // version 6, traffic class and flow label 0
    h[4] = static_cast<std::uint8_t>(plen >> 8);
    h[5] = static_cast<std::uint8_t>(plen);
    h[6] = kNextICMP6;
    h[7] = 255;  // hop limit, as Click's
    std::memcpy(h + 8, config.src.data(), 16);
    std::memcpy(h + 24, orig_src, 16);
    h[40] = config.type;
    h[41] = config.code;
    if (config.type == 2) h[46] = 1500 >> 8, h[47] = 1500 & 0xff;  // packet too big: Click's MTU 1500
    // Checksum over the pseudo-header (RFC 8200 8.1): addresses, length, next header.
    std::uint32_t sum = checksum::add(0, std::span<const std::uint8_t>(h + 8, 32));
    sum += plen + kNextICMP6;
    sum = checksum::add(sum, std::span<const std::uint8_t>(h + 40, 8));
    {
      const ByteView q = p.bytes_at(kHeaders, quote);
      sum = checksum::add(sum, q.bytes(0, quote));
    }
    const std::uint16_t c = checksum::finish(sum);
    h[42] = static_cast<std::uint8_t>(c >> 8);
    h[43] = static_cast<std::uint8_t>(c);
    p.write(0, h, kHeaders);
    p.set_network_offset(0);
    ++state.errors;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

// IPGWOptions: the IP options every router processes (Record Route, Timestamp; RFC 791).
#pragma once

#include "click_anno.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct IPGWOptions {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"bad option", "an option IPGWOptions cannot process, output 1 not connected"},
  });

  static constexpr std::uint32_t kMaxAddrs = 16;

  struct Config {
    std::uint32_t naddrs;
    std::uint32_t addrs[kMaxAddrs + 1];  // addrs[0]: MYADDR; then OTHERADDRS
  };
  struct State {
    std::uint64_t bad;  // packets with a bad option (Click's `drops`)
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.keeps_headroom = true;
  }

  // RFC 791's timestamp: milliseconds since midnight UT, or any value with the high-order bit set
  // when the router has no such clock. nb's worker clock is not the time of day: the high bit.
  static std::uint32_t timestamp(const Context& ctx) {
    const std::uint64_t cps = ctx.cycles_per_second();
    const std::uint64_t ms = cps >= 1000 ? ctx.now_cycles() / (cps / 1000) : 0;
    return 0x80000000u | static_cast<std::uint32_t>(ms % 86400000u);
  }

  static void put32(const IPv4View& ip, std::uint32_t at, std::uint32_t v) {
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                               static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    ip.write(at, b, 4);
  }

  // 0 when the options were processed; else 1 + the offset of the byte that is wrong.
  static std::uint32_t process(const Config& config, const Context& ctx, const IPv4View& ip) {
    const std::uint32_t hlen = ip.header_length();
    bool changed = false;
    std::uint32_t i = 20;
    while (i < hlen) {
      const std::uint8_t type = ip.byte(i);
      if (type == 1) {  // NOP
        ++i;
        continue;
      }
      if (type == 0) break;  // end of the list
      const std::uint32_t len = i + 1 < hlen ? ip.byte(i + 1) : 0;
      if (len < 2 || i + len > hlen) return 1 + i + 1;  // the length is wrong
      if (type == 7) {                                  // Record Route: the pointer counts from 1
        if (len < 3) return 1 + i + 1;
        const std::int32_t ptr = ip.byte(i + 2) - 1;
        if (ptr >= 3 && ptr + 4 <= static_cast<std::int32_t>(len)) {
          put32(ip, i + ptr, config.addrs[0]);
          set_pointer(ip, i, 4);
          changed = true;
        } else if (ptr != static_cast<std::int32_t>(len)) {  // full is fine; anywhere else is wrong
          return 1 + i + 2;
        }
      } else if (type == 68) {          // Timestamp
        if (len < 4) return 1 + i + 1;  // no room for the pointer and flags
        const std::int32_t sptr = ip.byte(i + 2) - 1;
        const std::uint8_t oflw = ip.byte(i + 3) >> 4, flg = ip.byte(i + 3) & 0xf;
        bool overflow = false;
        if (sptr < 4) return 1 + i + 2;
        const std::uint32_t ptr = static_cast<std::uint32_t>(sptr);
        if (flg == 0) {
          if (ptr + 4 <= len) {
            put32(ip, i + ptr, timestamp(ctx));
            set_pointer(ip, i, 4);
          } else {
            overflow = true;
          }
        } else if (flg == 1) {
          if (ptr + 8 <= len) {
            put32(ip, i + ptr, config.addrs[0]);
            put32(ip, i + ptr + 4, timestamp(ctx));
            set_pointer(ip, i, 8);
          } else {
            overflow = true;
          }
        } else if (flg == 3 && ptr + 8 <= len) {  // only where the prespecified address is ours
          std::uint8_t a[4];
          ip.read(i + ptr, a, 4);
          const std::uint32_t addr = std::uint32_t{a[0]} << 24 | a[1] << 16 | a[2] << 8 | a[3];
          for (std::uint32_t k = 0; k < config.naddrs; ++k)
            if (config.addrs[k] == addr) {
              put32(ip, i + ptr + 4, timestamp(ctx));
              set_pointer(ip, i, 8);
              break;
            }
        } else {
          return 1 + i + 3;
        }
        if (overflow) {
          if (oflw == 15) return 1 + i + 3;
          const std::uint8_t b = static_cast<std::uint8_t>((oflw + 1) << 4 | flg);
          ip.write(i + 3, &b, 1);
        }
        changed = true;
      }
      i += len;
    }
    if (changed) ip.update_checksum();
    return 0;
  }

  static void set_pointer(const IPv4View& ip, std::uint32_t at, std::uint8_t add) {
    const std::uint8_t b = static_cast<std::uint8_t>(ip.byte(at + 2) + add);
    ip.write(at + 2, &b, 1);
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint32_t bad = 0;
    {
      const IPv4View ip = p.ipv4(p.network_offset());
      if (ip && ip.header_fits() && ip.header_length() > 20) bad = process(config, ctx, ip);
    }
    if (bad == 0) {
      ctx.send(0, std::move(p));
      return;
    }
    ++state.bad;
    click_anno::param_prob(p.anno()) = static_cast<std::uint8_t>(bad - 1);
    if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["bad option"]);
  }
};

}  // namespace nb::elements

// StoreIPAddress: writes an IPv4 address (fixed, or the destination IP annotation) into packets.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nb::elements {

struct StoreIPAddress {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"out of range", "OFFSET + 4 past the packet's end (or no IP header for src/dst), output 1 not connected"},
  });

  // OFFSET's special values: the IP header's source and destination fields.
  static constexpr std::uint32_t kSrc = 0xfffffff0u, kDst = 0xfffffff1u;

  struct Config {
    std::uint32_t addr;    // host order
    std::uint32_t offset;  // bytes from the data start, or kSrc / kDst
    bool use_address;      // the two-argument form; else the destination IP annotation
  };
  struct State {};

  // An OFFSET: a decimal byte offset, `src` or `dst` (any case).
  static bool parse_offset(std::string_view text, std::uint32_t& offset);
  static bool configure(const Args& args, Config& config, std::string& error);

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = (config.use_address ? anno_field::kNone : anno_field::kDstIP) |
                       (config.offset >= kSrc ? anno_field::kNetworkOffset : anno_field::kNone);
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t addr = config.use_address ? config.addr : p.anno().dst_ip;
    if (!config.use_address && addr == 0) {  // Click: a zero annotation leaves the packet alone
      ctx.send(0, std::move(p));
      return;
    }
    bool stored = false;
    if (config.offset < kSrc) {
      const std::uint8_t b[4] = {static_cast<std::uint8_t>(addr >> 24), static_cast<std::uint8_t>(addr >> 16),
                                 static_cast<std::uint8_t>(addr >> 8), static_cast<std::uint8_t>(addr)};
      stored = p.write(config.offset, b, 4);
    } else {
      stored = store_in_header(config.offset == kSrc, addr, p);
    }
    if (stored)
      ctx.send(0, std::move(p));
    else if (ctx.connected(1))
      ctx.send(1, std::move(p));
    else
      ctx.drop(std::move(p), kDrops["out of range"]);
  }

  // The source or destination field, with the IP checksum and (first fragments) the TCP or UDP
  // checksum updated for the change (RFC 1624), as Click does.
  static bool store_in_header(bool src, std::uint32_t addr, const Packet& p NB_PARAM_OWNED) {
    const std::uint32_t off = p.network_offset();
    const IPv4View ip = p.ipv4(off);
    if (!ip || !ip.header_fits()) return false;
    const std::uint32_t old = src ? ip.src() : ip.dst();
    if (src)
      ip.set_src(addr);
    else
      ip.set_dst(addr);
    ip.set_checksum(checksum::adjust32(ip.checksum(), old, addr));
    if (ip.fragment_offset() != 0) return true;
    const std::uint32_t l4 = off + ip.header_length();
    if (ip.protocol() == ip_proto::kTCP) {
      if (const TCPView tcp = p.tcp(l4)) tcp.set_checksum(checksum::adjust32(tcp.checksum(), old, addr));
    } else if (ip.protocol() == ip_proto::kUDP) {
      if (const UDPView udp = p.udp(l4); udp && udp.checksum() != 0) {
        const std::uint16_t sum = checksum::adjust32(udp.checksum(), old, addr);
        udp.set_checksum(sum ? sum : 0xffff);  // 0 says "no checksum" in UDP (RFC 768)
      }
    }
    return true;
  }
};

}  // namespace nb::elements

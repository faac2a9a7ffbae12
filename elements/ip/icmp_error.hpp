// ICMPError: turns a packet into the ICMP error message about it.
#pragma once

#include "click_anno.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct ICMPError {
  static const ElementSpec spec;
  // Per worker: next_id counts on in each worker from the same start, so two workers' errors
  // may share an IP identification (harmless: the messages are never fragmented here).
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "no complete IPv4 header to quote"},
      {"no error allowed", "RFC 1812 4.3.2.7: no error about ICMP errors, later fragments, broadcasts"},
      {"no headroom", "no room in front of the packet for the new IP and ICMP headers"},
  });

  static constexpr std::uint32_t kMaxBadAddrs = 16;

  struct Config {
    std::uint32_t src;
    std::uint8_t type;
    std::uint8_t code;
    std::uint32_t mtu;  // largest error message, IP header included (RFC 1812 4.3.2.3: 576)
    std::uint32_t nbad;
    std::uint32_t bad[kMaxBadAddrs];  // BADADDRS: no error about a packet from or to one of them
  };
  struct State {
    std::uint64_t errors;      // error messages sent
    std::uint64_t suppressed;  // packets that must not get one (drop reason "no error allowed")
    std::uint16_t next_id;     // IP identification of the next message
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  // Invalid as the source of a packet that gets an error (RFC 1812 4.3.2.7, RFC 1122 3.2.2):
  // 0.0.0.0, limited broadcast, multicast, class E, loopback.
  static bool bad_source(std::uint32_t a) { return a == 0 || a == 0xffffffffu || (a >> 28) >= 0xe || (a >> 24) == 127; }

  // Builds a new packet (no packet fact kept) whose network offset and destination IP it sets.
  static void facts(const Config& config, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset | (pointer(config) ? anno_field::kUser : anno_field::kNone);
    sheet.anno_sets = anno_field::kNetworkOffset | anno_field::kDstIP;
  }

  // A parameter problem with a pointer (type 12, code 0): IPGWOptions leaves the offending
  // byte's offset in the packet's annotation, as Click's ICMP_PARAMPROB_ANNO.
  static bool pointer(const Config& config) { return config.type == 12 && config.code == 0; }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t rest = pointer(config) ? std::uint32_t{click_anno::param_prob(p.anno())} << 24 : 0;
    const std::uint32_t offset = p.network_offset();
    std::uint32_t quote = 0;  // bytes of the offending packet the error carries
    std::uint32_t orig_src = 0;
    {
      const IPv4View ip = p.ipv4(offset);
      if (!ip || !ip.header_fits() || ip.version() != 4) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      const std::uint32_t hl = ip.header_length();
      orig_src = ip.src();
      bool suppress =
          bad_source(orig_src) || ip.dst() == 0xffffffffu || (ip.dst() >> 28) == 0xe || ip.fragment_offset() != 0;
      for (std::uint32_t i = 0; i < config.nbad && !suppress; ++i)
        suppress = config.bad[i] == orig_src || config.bad[i] == ip.dst();
      // Never an error about an ICMP error (only about queries: echo, timestamp, ...).
      if (!suppress && ip.protocol() == ip_proto::kICMP) {
        const std::uint8_t t = ip.byte(hl);
        suppress = hl >= ip.available() || !(t == 0 || t == 8 || (t >= 13 && t <= 18));
      }
      if (suppress) {
        ++state.suppressed;
        ctx.drop(std::move(p), kDrops["no error allowed"]);
        return;
      }
      // As much of the datagram as fits in MTU bytes with the new headers (RFC 1812 4.3.2.3;
      // RFC 792's header + 8 bytes is the least), as Click quotes: everything from the IP header
      // on that the packet holds.
      quote = config.mtu - 28;
      if (quote > ip.available()) quote = ip.available();
    }
    if (!p.pull(offset)) {  // cannot fail: the IP header is at offset
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    p.truncate(quote);
    if (!p.push(28)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    const IPv4View ip = p.ipv4(0);
    const ICMPView icmp = p.icmp(20);
    if (!ip || !icmp) {  // cannot fail: 28 bytes were just put in front
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    ip.set_version_ihl(4, 5);
    ip.set_tos(0);
    ip.set_total_length(static_cast<std::uint16_t>(28 + quote));
    ip.set_id(state.next_id++);
    ip.set_fragment_word(0);
    ip.set_ttl(255);
    ip.set_protocol(ip_proto::kICMP);
    ip.set_src(config.src);
    ip.set_dst(orig_src);
    ip.update_checksum();
    icmp.set_type(config.type);
    icmp.set_code(config.code);
    icmp.set_rest(rest);
    icmp.set_checksum(0);
    icmp.set_checksum(checksum::finish(checksum::add(0, icmp.bytes(0, 8 + quote))));
    p.set_network_offset(0);
    p.anno().dst_ip = orig_src;
    // Click's FIX_IP_SRC: FixIPSrc on the way out gives the message the outgoing interface's
    // address (RFC 1812 4.3.2.4), whichever interface's SRC this element was given.
    click_anno::fix_ip_src(p.anno()) = 1;
    ++state.errors;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

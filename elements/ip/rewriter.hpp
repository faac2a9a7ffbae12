// Rewriter: Click's first address rewriter (January 2000, Max Poletto), which gave each pair of
// real addresses a fake source address in FAKENET so that the local host could talk to them as if
// they were on a network of its own. Not IPRewriter: it maps address pairs, not flows, and the
// return direction finds its mapping by the index in the fake address, not by a lookup.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Rewriter {
  static const ElementSpec spec;
  // Per worker: each worker maps the address pairs it sees, in its own table (indices may then
  // name different pairs on different workers; docs/multicore.md).
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  // Click's table: 64 slots, index 0 unused (a fake address ending in .0.0.0 names none).
  static constexpr std::uint32_t kSlots = 64;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "no complete IPv4 header, or a TCP or UDP header cut short"},
      {"table full", "input 0: every one of the 63 mappings is in use"},
      {"no mapping", "input 1: the destination's low 24 bits name no mapping"},
      {"protocol", "neither TCP, UDP nor ICMP (Click refused IGMP and the rest too)"},
  });

  struct Config {
    std::uint32_t fakenet;    // host byte order; its top byte is kept, the index fills the low 24 bits
    std::uint32_t localaddr;  // host byte order
    std::uint64_t gc_us;      // GC_SECONDS, in microseconds
  };
  struct Mapping {
    std::uint32_t rs, rd;  // real source and destination (host byte order); rs 0: slot free
    std::uint64_t last;    // worker clock of the last packet
  };
  struct State {
    Mapping map[kSlots];
    std::uint64_t created;  // mappings made
    std::uint64_t freed;    // mappings freed after GC_SECONDS unused
    std::uint64_t forward;  // packets rewritten on input 0
    std::uint64_t reverse;  // packets rewritten on input 1
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.anno_read_inputs = 0x3;
  }

  static std::uint64_t gc_ticks(const Config& c, const Context& ctx) {
    const std::uint64_t hz = ctx.cycles_per_second();
    return c.gc_us / 1'000'000 * hz + c.gc_us % 1'000'000 * hz / 1'000'000;
  }

  // Frees the mappings unused for a whole GC_SECONDS (where Click freed those the kernel had no
  // TCP socket for).
  static void collect(const Config& c, State& s, const Context& ctx, std::uint64_t now) {
    const std::uint64_t limit = gc_ticks(c, ctx);
    for (std::uint32_t i = 1; i < kSlots; ++i) {
      Mapping& m = s.map[i];
      if (m.rs != 0 && now - m.last >= limit && ctx.cycles_per_second() != 0) {
        m = Mapping{};
        ++s.freed;
      }
    }
  }

  // Click's fix_csums: the IP checksum, and a TCP or UDP checksum over the pseudo header, computed
  // again from scratch; ICMP's covers no address and stays. False: a protocol Click refused.
  static bool fix_checksums(const Packet& p NB_PARAM_OWNED, std::uint32_t off, const IPv4View& ip) {
    ip.update_checksum();
    const std::uint8_t proto = ip.protocol();
    if (proto == ip_proto::kICMP) return true;
    if (proto != ip_proto::kTCP && proto != ip_proto::kUDP) return false;
    const std::uint32_t l4 = off + ip.header_length();
    const std::uint32_t total = ip.total_length();
    const std::uint32_t end = off + total <= p.length() ? off + total : p.length();
    if (end < l4 + (proto == ip_proto::kTCP ? 20u : 8u)) return false;
    const std::uint32_t len = end - l4;
    const std::uint32_t at = l4 + (proto == ip_proto::kTCP ? 16u : 6u);
    const std::uint8_t zero[2] = {0, 0};
    if (!p.bytes_at(at, 2).write(0, zero, 2)) return false;
    std::uint16_t sum = checksum::finish(
        checksum::add(ip.pseudo_header_sum(static_cast<std::uint16_t>(len)), p.bytes_at(l4, len).bytes(0, len)));
    if (proto == ip_proto::kUDP && sum == 0) sum = 0xffff;  // 0 would mean "no checksum"
    const std::uint8_t b[2] = {static_cast<std::uint8_t>(sum >> 8), static_cast<std::uint8_t>(sum)};
    return p.bytes_at(at, 2).write(0, b, 2);
  }

  static void push(const Config& c, State& s, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {
    const std::uint32_t off = p.network_offset();
    const IPv4View ip = p.ipv4(off);
    if (!ip || !ip.header_fits()) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    const std::uint8_t proto = ip.protocol();
    if (proto != ip_proto::kICMP && proto != ip_proto::kTCP && proto != ip_proto::kUDP) {
      ctx.drop(std::move(p), kDrops["protocol"]);
      return;
    }
    const std::uint64_t now = ctx.now_cycles();
    collect(c, s, ctx, now);
    const std::uint32_t src = ip.src(), dst = ip.dst();
    if (in_port == 0) {
      std::uint32_t found = 0, free = 0;
      for (std::uint32_t i = 1; i < kSlots && !found; ++i) {
        if (s.map[i].rs == src && s.map[i].rd == dst && src != 0)
          found = i;
        else if (s.map[i].rs == 0 && !free)
          free = i;
      }
      if (!found) {
        if (!free || src == 0) {
          ctx.drop(std::move(p), kDrops["table full"]);
          return;
        }
        found = free;
        s.map[found].rs = src;
        s.map[found].rd = dst;
        ++s.created;
      }
      s.map[found].last = now;
      ip.set_src((c.fakenet & 0xff000000u) | found);
      ip.set_dst(c.localaddr);
      if (!fix_checksums(p, off, ip)) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      ++s.forward;
      ctx.send(0, std::move(p));
      return;
    }
    const std::uint32_t i = dst & 0x00ffffffu;
    if (i == 0 || i >= kSlots || s.map[i].rs == 0) {
      ctx.drop(std::move(p), kDrops["no mapping"]);
      return;
    }
    Mapping& m = s.map[i];
    m.last = now;
    ip.set_src(m.rd);
    ip.set_dst(m.rs);
    p.anno().dst_ip = m.rs;
    if (!fix_checksums(p, off, ip)) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    ++s.reverse;
    ctx.send(1, std::move(p));
  }
};

}  // namespace nb::elements

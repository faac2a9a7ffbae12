// AddressTranslator: Click's IPv6 address (and port) translator for its GNAT, which maps inside
// IPv6 addresses to ones ProtocolTranslator64 can turn into IPv4 and back.
#pragma once

#include "ip6_text.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <cstring>
#include <string>

namespace nb::elements {

struct AddressTranslator {
  static const ElementSpec spec;
  // Per flow: each worker maps the flows the runtime gives it, in its own table (docs/multicore.md).
  static constexpr StateScope kStateScope = StateScope::PerFlow;

  static constexpr std::uint32_t kMaxStatic = 32;
  static constexpr std::uint32_t kMaxPool = 32;
  static constexpr std::uint8_t kNextICMP6 = 58;

  static constexpr auto kDrops = drop_reasons({
      {"malformed",
       "no complete IPv6 header at the network offset, a payload length past the end, or a "
       "TCP/UDP/ICMPv6 header cut short"},
      {"unsupported protocol", "not TCP, UDP or ICMPv6 (IPv6 extension headers included), as Click"},
      {"no mapping",
       "no mapping matches, and the packet came the way that may not make one (or dynamic "
       "mapping is off, or its address pool is all bound)"},
      {"no free port",
       "dynamic port mapping: every port of the range is mapped (mappings are never freed, as in Click)"},
  });

  using Addr = ip6_text::IP6Address;

  struct Static {
    Addr inner, mapped;
    std::uint16_t inner_port, mapped_port;
  };

  struct Config {
    std::uint32_t nstatic;
    bool static_ports;
    Static statics[kMaxStatic];
    bool dynamic;
    bool dynamic_ports;
    bool inward;                // Click's direction 1: inward packets make the dynamic mappings
    bool endpoint_independent;  // Click's older argument list: a mapping keyed by the inside end only
    std::uint32_t npool;        // dynamic address mapping: the addresses bound in turn
    Addr pool[kMaxPool];
    Addr maddr;  // dynamic port mapping: the address and port range mapped to
    std::uint16_t port_lo, port_hi;
  };

  // Dynamic port mapping: mapping i holds port port_lo + i of maddr. `local` is the end it
  // replaces (the inside source of an outward packet, or, inward allocation, the destination
  // of an inward one), `remote` the other end.
  struct Mapping {
    Addr local, remote;
    std::uint16_t local_port, remote_port;
  };
  struct Table {
    Mapping* mappings;     // port_hi - port_lo + 1 of them
    std::uint32_t* slots;  // open addressing on (local, remote): mapping index + 1, 0 empty
    std::uint32_t nslots;  // a power of two
  };

  struct State {
    std::uint64_t outward;   // packets translated outward (input 0 to output 0)
    std::uint64_t inward;    // packets translated inward (input 1 to output 1)
    std::uint64_t mappings;  // dynamic mappings made (address bindings, or ports)
    bool bound[kMaxPool];
    Addr bound_to[kMaxPool];  // the other end a pool address is bound to
    Table table;              // made by setup() for dynamic port mapping
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);

  // The end of a packet that a direction translates (src outward, dst inward), and the other.
  struct End {
    Addr addr;
    std::uint16_t port;
  };

  static std::uint64_t hash(const Addr& a, std::uint16_t ap, const Addr& b, std::uint16_t bp) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (std::uint8_t x : a) h = (h ^ x) * 1099511628211ull;
    for (std::uint8_t x : b) h = (h ^ x) * 1099511628211ull;
    h = (h ^ ap) * 1099511628211ull;
    h = (h ^ bp) * 1099511628211ull;
    return h ^ (h >> 29);
  }

  // Finds (or, allocating, makes) the mapping for near/far; -1 none, -2 no free port.
  static std::int64_t napt_find(const Config& c, State& s, const End& near, const End& far, bool allocate) {
    Table& t = s.table;
    if (!t.mappings) return -1;
    const Addr zero{};
    const Addr& far_addr = c.endpoint_independent ? zero : far.addr;
    const std::uint16_t far_port = c.endpoint_independent ? 0 : far.port;
    std::uint32_t i = static_cast<std::uint32_t>(hash(near.addr, near.port, far_addr, far_port)) & (t.nslots - 1);
    for (;; i = (i + 1) & (t.nslots - 1)) {
      const std::uint32_t v = t.slots[i];
      if (v == 0) break;
      const Mapping& m = t.mappings[v - 1];
      if (m.local == near.addr && m.local_port == near.port && m.remote == far_addr && m.remote_port == far_port)
        return v - 1;
    }
    if (!allocate) return -1;
    const std::uint32_t capacity = std::uint32_t{c.port_hi} - c.port_lo + 1;
    if (s.mappings >= capacity) return -2;
    const std::uint32_t idx = static_cast<std::uint32_t>(s.mappings++);
    t.mappings[idx] = {near.addr, far_addr, near.port, far_port};
    t.slots[i] = idx + 1;
    return idx;
  }

  // Translates `near` in place for a packet going `outward` (else inward); reason on failure.
  static bool lookup(const Config& c, State& s, bool outward, bool has_port, End& near, const End& far,
                     std::uint32_t& reason) {
    reason = kDrops["no mapping"];
    for (std::uint32_t i = 0; i < c.nstatic; ++i) {
      const Static& e = c.statics[i];
      const Addr& from = outward ? e.inner : e.mapped;
      const std::uint16_t from_port = outward ? e.inner_port : e.mapped_port;
      if (near.addr != from || (c.static_ports && (!has_port || near.port != from_port))) continue;
      near.addr = outward ? e.mapped : e.inner;
      if (c.static_ports) near.port = outward ? e.mapped_port : e.inner_port;
      return true;
    }
    if (!c.dynamic) return false;
    const bool allocating = outward != c.inward;
    if (!c.dynamic_ports) {
      // Pool address i is the mapped end (outward allocation) or the inside end (inward), bound
      // to the other end by the first packet of the allocating direction that needs it.
      for (std::uint32_t i = 0; i < c.npool; ++i) {
        if (!s.bound[i]) continue;
        if (near.addr == (allocating ? s.bound_to[i] : c.pool[i])) {
          near.addr = allocating ? c.pool[i] : s.bound_to[i];
          return true;
        }
      }
      if (!allocating) return false;
      for (std::uint32_t i = 0; i < c.npool; ++i) {
        if (s.bound[i]) continue;
        s.bound[i] = true;
        s.bound_to[i] = near.addr;
        ++s.mappings;
        near.addr = c.pool[i];
        return true;
      }
      return false;
    }
    if (!has_port) return false;
    if (allocating) {
      const std::int64_t idx = napt_find(c, s, near, far, true);
      if (idx < 0) {
        if (idx == -2) reason = kDrops["no free port"];
        return false;
      }
      near.addr = c.maddr;
      near.port = static_cast<std::uint16_t>(c.port_lo + idx);
      return true;
    }
    if (near.addr != c.maddr || near.port < c.port_lo || near.port > c.port_hi || !s.table.mappings) return false;
    const std::uint32_t idx = near.port - c.port_lo;
    if (idx >= s.mappings) return false;
    const Mapping& m = s.table.mappings[idx];
    if (!c.endpoint_independent && (m.remote != far.addr || m.remote_port != far.port)) return false;
    near.addr = m.local;
    near.port = m.local_port;
    return true;
  }

  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNetworkOffset; }

  static void push(const Config& c, State& s, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {
    const bool outward = in_port == 0;
    const std::uint32_t off = p.network_offset();
    std::uint8_t h[40];
    if (!p.read(off, h, 40) || (h[0] >> 4) != 6) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    const std::uint32_t plen = std::uint32_t{h[4]} << 8 | h[5];
    const std::uint8_t next = h[6];
    if (next != ip_proto::kTCP && next != ip_proto::kUDP && next != kNextICMP6) {
      ctx.drop(std::move(p), kDrops["unsupported protocol"]);
      return;
    }
    const std::uint32_t l4 = off + 40;
    if (!p.has(l4, plen) || plen < (next == ip_proto::kTCP ? 20u : 8u)) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    // Ports: TCP's and UDP's; an ICMPv6 echo's identifier stands for both (an nb addition: Click
    // reads no port for ICMPv6). Other ICMPv6 messages have none.
    std::uint8_t t[8];
    p.read(l4, t, 8);
    bool has_port = true;
    std::uint16_t sport = static_cast<std::uint16_t>(t[0] << 8 | t[1]);
    std::uint16_t dport = static_cast<std::uint16_t>(t[2] << 8 | t[3]);
    std::uint32_t port_at = outward ? 0 : 2;
    if (next == kNextICMP6) {
      has_port = t[0] == 128 || t[0] == 129;
      sport = dport = static_cast<std::uint16_t>(t[4] << 8 | t[5]);
      port_at = 4;
    }
    End src{}, dst{};
    std::memcpy(src.addr.data(), h + 8, 16);
    std::memcpy(dst.addr.data(), h + 24, 16);
    src.port = sport;
    dst.port = dport;
    End& near = outward ? src : dst;
    End& far = outward ? dst : src;
    if (next == kNextICMP6) far.port = 0;  // a reply's identifier is the mapped one: only the near end has it
    std::uint32_t reason = 0;
    if (!lookup(c, s, outward, has_port, near, far, reason)) {
      ctx.drop(std::move(p), reason);
      return;
    }
    p.write(off + (outward ? 8 : 24), near.addr.data(), 16);
    if (has_port) p.write_be16(l4 + port_at, near.port);
    // Every checksum recomputed over the new pseudo-header (RFC 8200 8.1), as Click does.
    const std::uint32_t field = l4 + (next == ip_proto::kTCP ? 16 : next == ip_proto::kUDP ? 6 : 2);
    p.write_be16(field, 0);
    std::uint32_t sum = plen + next;
    sum = checksum::add(sum, std::span<const std::uint8_t>(src.addr.data(), 16));
    sum = checksum::add(sum, std::span<const std::uint8_t>(dst.addr.data(), 16));
    {
      const ByteView v = p.bytes_at(l4, plen);
      sum = checksum::add(sum, v.bytes(0, plen));
    }
    std::uint16_t sumv = checksum::finish(sum);
    if (sumv == 0 && next == ip_proto::kUDP) sumv = 0xffff;
    p.write_be16(field, sumv);
    ++(outward ? s.outward : s.inward);
    ctx.send(outward ? 0 : 1, std::move(p));
  }
};

}  // namespace nb::elements

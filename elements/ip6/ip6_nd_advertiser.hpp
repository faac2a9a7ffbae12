// IP6NDAdvertiser: answers IPv6 neighbor solicitations (Click's IP6NDAdvertiser; ARPResponder
// for IPv6).
#pragma once

#include "ip6_text.hpp"
#include "nd.hpp"

#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct IP6NDAdvertiser {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr std::size_t kMaxEntries = 32;
  // The advertisement's flags: router and solicited, as Click sends them (override clear).
  static constexpr std::uint8_t kRouterSolicited = 0xc0;
  static constexpr std::uint8_t kRouter = 0x80;

  static constexpr auto kDrops = drop_reasons({
      {"malformed",
       "not an Ethernet/IPv6 neighbor solicitation RFC 4861 accepts (hop limit 255, code 0, "
       "length, checksum)"},
      {"not ours", "a solicitation for an address we do not answer (output 1 not connected)"},
      {"no headroom", "too short a frame and no room in front of it for the advertisement"},
  });

  struct Entry {
    ip6_text::IP6Address addr;  // masked
    std::uint8_t length;        // prefix length
    EtherAddress ether;
  };
  struct Config {
    std::uint32_t nentries;
    Entry entries[kMaxEntries];
  };
  struct State {
    std::uint64_t replies;
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  static bool matches(const Entry& e, const std::uint8_t* a) {
    for (unsigned bit = 0; bit < e.length; bit += 8) {
      const unsigned n = e.length - bit < 8 ? e.length - bit : 8;
      const std::uint8_t mask = static_cast<std::uint8_t>(0xff00u >> n);
      if ((a[bit / 8] & mask) != e.addr[bit / 8]) return false;
    }
    return true;
  }
  // The most specific entry for `target`, as Click picks it; nullptr when none.
  static const Entry* lookup(const Config& config, const std::uint8_t* target) {
    const Entry* best = nullptr;
    for (std::uint32_t i = 0; i < config.nentries; ++i)
      if (matches(config.entries[i], target) && (!best || config.entries[i].length > best->length))
        best = &config.entries[i];
    return best;
  }

  // Writes a new message over the solicitation; its network offset is unset.
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNone; }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    std::uint8_t target[16], asker_ip[16];
    EtherAddress asker{};
    const Entry* hit = nullptr;
    {
      const ByteView frame = p.bytes_from(0);
      if (!frame || !nd::valid(frame, nd::kSolicitation)) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      frame.read(nd::kTarget, target, 16);
      frame.read(nd::kIP6 + 8, asker_ip, 16);
      frame.read(6, asker.data(), 6);
      hit = lookup(config, target);
    }
    if (!hit) {
      if (ctx.connected(1))
        ctx.send(1, std::move(p));
      else
        ctx.drop(std::move(p), kDrops["not ours"]);
      return;
    }
    // The advertisement, over the solicitation's bytes: to the asker, from the target, with the
    // entry's Ethernet address. A solicitation from :: (duplicate address detection) gets its
    // answer at all-nodes, unsolicited (RFC 4861 7.2.4).
    std::uint8_t flags = kRouterSolicited;
    bool any = false;
    for (std::uint8_t b : asker_ip) any |= b != 0;
    if (!any) {
      const std::uint8_t all_nodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
      std::memcpy(asker_ip, all_nodes, 16);
      asker = nd::multicast_ether(all_nodes);
      flags = kRouter;
    }
    if (p.length() < nd::kMessageSize && !p.push(nd::kMessageSize - p.length())) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    p.truncate(nd::kMessageSize);
    std::uint8_t m[nd::kMessageSize];
    nd::build(m, asker, hit->ether, target, asker_ip, nd::kAdvertisement, flags, target, nd::kTargetLinkAddress,
              hit->ether);
    if (!p.write(0, m, nd::kMessageSize)) {
      ctx.drop(std::move(p), kDrops["no headroom"]);
      return;
    }
    p.clear_network_offset();
    ++state.replies;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

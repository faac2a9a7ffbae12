// ARPResponder: answers ARP requests for the router's own addresses.
#pragma once

#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct ARPResponder {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr std::size_t kMaxEntries = 32;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "not an Ethernet/IPv4 ARP packet"},
      {"not a request", "an ARP packet, but not a request"},
      {"not ours", "a request for an address we do not answer (output 1 not connected)"},
  });

  struct Entry {
    std::uint32_t addr;  // host order, masked
    std::uint32_t mask;
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

  // Rewrites requests into replies (no packet fact kept); reads no annotation.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const EtherView eth = p.ether(0);
    const ArpView arp = p.arp(EtherView::kSize);
    if (!eth || !arp || eth.type() != ether_type::kARP || !arp.is_ether_ipv4()) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    if (arp.op() != ArpView::kRequest) {
      ctx.drop(std::move(p), kDrops["not a request"]);
      return;
    }
    const std::uint32_t target = arp.target_ip();
    const Entry* hit = nullptr;
    for (std::uint32_t i = 0; i < config.nentries; ++i) {
      if ((target & config.entries[i].mask) == config.entries[i].addr) {
        hit = &config.entries[i];
        break;
      }
    }
    if (!hit) {
      if (ctx.connected(1))
        ctx.send(1, std::move(p));
      else
        ctx.drop(std::move(p), kDrops["not ours"]);
      return;
    }
    // The reply, in place: to the asker, from us.
    const EtherAddress asker = arp.sender_ether();
    const std::uint32_t asker_ip = arp.sender_ip();
    eth.set_dst(asker);
    eth.set_src(hit->ether);
    arp.fill(ArpView::kReply, hit->ether, target, asker, asker_ip);
    ++state.replies;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements

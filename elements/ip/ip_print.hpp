// IPPrint: writes a tcpdump-like line per IP packet to stderr (Click's IPPrint).
#pragma once

#include "../standard/print_line.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nb::elements {

struct IPPrint {
  static const ElementSpec spec;
  // Per worker: each worker prints the packets it runs; `active` reaches every worker.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    print_line::Label label;
    std::int32_t maxlength;  // negative: all of it
    std::uint8_t contents;   // print_line::Contents
    bool payload;            // contents from the transport payload, not the packet's start
    bool print_id, print_ttl, print_tos, print_length, print_paint;
    bool swap;  // ICMP echo identifier and sequence in network order
    bool active;
  };
  struct State {
    print_line::Active active;
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.anno_reads = static_cast<std::uint8_t>(anno_field::kNetworkOffset |
                                                 (config.print_paint ? anno_field::kPaint : anno_field::kNone));
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (state.active.get(config.active) && p.has_network_offset()) print(config, state, ctx, p);
    ctx.send(0, std::move(p));
  }

  static void print(const Config& config, const State& state, const Context& ctx, const Packet& p NB_PARAM_OWNED);

  // Click's names (NameInfo's static tables); empty when it has none.
  static constexpr std::string_view protocol_name(std::uint8_t proto) {
    switch (proto) {
      case 1:
        return "icmp";
      case 2:
        return "igmp";
      case 4:
        return "ipip";
      case 6:
        return "tcp";
      case 17:
        return "udp";
      case 33:
        return "dccp";
      case 47:
        return "gre";
      case 132:
        return "sctp";
      default:
        return {};
    }
  }
  static constexpr std::string_view icmp_type_name(std::uint8_t type) {
    constexpr std::string_view kNames[] = {"echo-reply",
                                           "",
                                           "",
                                           "unreachable",
                                           "sourcequench",
                                           "redirect",
                                           "",
                                           "",
                                           "echo",
                                           "routeradvert",
                                           "routersolicit",
                                           "timeexceeded",
                                           "parameterproblem",
                                           "timestamp",
                                           "timestamp-reply",
                                           "inforeq",
                                           "inforeq-reply",
                                           "maskreq",
                                           "maskreq-reply"};
    return type < std::size(kNames) ? kNames[type] : std::string_view{};
  }
  static constexpr std::string_view icmp_code_name(std::uint8_t type, std::uint8_t code) {
    if (type == 3) {
      constexpr std::string_view kUnreach[] = {"net",
                                               "host",
                                               "protocol",
                                               "port",
                                               "needfrag",
                                               "srcroutefail",
                                               "netunknown",
                                               "hostunknown",
                                               "isolated",
                                               "netprohibited",
                                               "hostprohibited",
                                               "tosnet",
                                               "toshost",
                                               "filterprohibited",
                                               "hostprecedence",
                                               "precedencecutoff"};
      return code < std::size(kUnreach) ? kUnreach[code] : std::string_view{};
    }
    if (type == 5) {
      constexpr std::string_view kRedirect[] = {"net", "host", "tosnet", "toshost"};
      return code < std::size(kRedirect) ? kRedirect[code] : std::string_view{};
    }
    if (type == 11) return code == 0 ? "transit" : code == 1 ? "reassembly" : std::string_view{};
    if (type == 12) {
      constexpr std::string_view kParam[] = {"erroratptr", "missingopt", "length"};
      return code < std::size(kParam) ? kParam[code] : std::string_view{};
    }
    return {};
  }
};

}  // namespace nb::elements

// IPFilter: filters IP packets by contents (Click's syntax), through a decision structure.
#pragma once

#include "ip_filter_expr.hpp"

#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nb::elements {

// What IPFilter and IPClassifier share: reading a packet's fields, and compiling patterns.
struct IPFilterCommon {
  enum Verdict : std::uint32_t { kBadHeader = 0xfffffffeu, kNoMatch = 0xffffffffu };

  // The packet's field values, or false when there is no valid IPv4 header at the network
  // annotation: version 4, header length at least 20 and inside the packet, total length at
  // least the header length and inside the packet. Every byte read is checked by a view.
  static bool fields(const ipf::Tables& t, const Packet& p NB_PARAM_OWNED, ipf::Values& v) {
    // Unlike Click's IP elements, a filter without a known network header matches nothing.
    if (!p.has_network_offset()) return false;
    const IPv4View ip = p.ipv4(p.network_offset());
    if (!ip || ip.version() != 4 || !ip.header_fits()) return false;
    const std::uint32_t hl = ip.header_length(), total = ip.total_length();
    if (total < hl || total > ip.available()) return false;
    const std::uint32_t proto = ip.protocol();
    v[ipf::kProto] = proto;
    v[ipf::kSrc] = ip.src();
    v[ipf::kDst] = ip.dst();
    v[ipf::kTtl] = ip.ttl();
    v[ipf::kTos] = ip.tos();
    const std::uint32_t frag = !ip.is_fragment() ? 0 : ip.fragment_offset() == 0 ? 1 : 2;
    v[ipf::kFrag] = frag;
    // Transport fields: only in an unfragmented datagram or a first fragment, and only when
    // their bytes are inside the datagram (Click's rule: a test on missing bytes is false).
    const std::uint32_t l4 = total - hl;
    const bool first = frag != 2;
    const bool ports = first && (proto == ip_proto::kTCP || proto == ip_proto::kUDP);
    v[ipf::kSport] = ports && l4 >= 2 ? std::uint32_t{ip.byte(hl)} << 8 | ip.byte(hl + 1) : ipf::kAbsentPort;
    v[ipf::kDport] = ports && l4 >= 4 ? std::uint32_t{ip.byte(hl + 2)} << 8 | ip.byte(hl + 3) : ipf::kAbsentPort;
    v[ipf::kTcpFlags] = first && proto == ip_proto::kTCP && l4 >= 14 ? ip.byte(hl + 13) : ipf::kAbsentByte;
    v[ipf::kIcmpType] = first && proto == ip_proto::kICMP && l4 >= 1 ? ip.byte(hl) : ipf::kAbsentByte;
    v[ipf::kHl] = hl / 4;
    v[ipf::kVers] = ip.version();
    v[ipf::kId] = std::uint32_t{ip.byte(4)} << 8 | ip.byte(5);
    v[ipf::kWin] = first && proto == ip_proto::kTCP && l4 >= 16
                       ? std::uint32_t{ip.byte(hl + 14)} << 8 | ip.byte(hl + 15)
                       : ipf::kAbsentPort;
    // The windows: their bytes inside the datagram (the transport one in its first fragment),
    // else absent, so that a test on them is false as in Click.
    if (t.used[ipf::kIpBytes]) v[ipf::kIpBytes] = window(ip, 0, total, t.window_pos[0], t.window_len[0]);
    if (t.used[ipf::kTranspBytes])
      v[ipf::kTranspBytes] = first ? window(ip, hl, total, t.window_pos[1], t.window_len[1]) : ipf::kAbsentWindow;
    return true;
  }

  static std::uint64_t window(const IPv4View& ip, std::uint32_t base, std::uint32_t total, std::uint32_t pos,
                              std::uint32_t len) {
    if (len == 0 || len > ipf::kMaxWindowLen || base + pos + len > total) return ipf::kAbsentWindow;
    std::uint64_t x = 0;
    for (std::uint32_t i = 0; i < len; ++i) x = x << 8 | ip.byte(base + pos + i);
    return x;
  }

  // The first term p matches (below kMaxTerms), kNoMatch or kBadHeader.
  static std::uint32_t classify_term(const ipf::Tables& t, const Packet& p NB_PARAM_OWNED) {
    ipf::Values v{};
    if (!fields(t, p, v)) return kBadHeader;
    const std::uint32_t term = ipf::lookup_term(t, v);
    return term == ipf::kNoTerm ? kNoMatch : term;
  }
  // The index of the first rule p matches, kNoMatch or kBadHeader.
  static std::uint32_t classify(const ipf::Tables& t, const Packet& p NB_PARAM_OWNED) {
    const std::uint32_t term = classify_term(t, p);
    return term < ipf::kMaxTerms ? t.term_rule[term] : term;
  }

  // Parses and compiles rules (IPFilter: with actions) into tables. Errors say which rule.
  static bool compile(const Args& args, std::string_view name, bool with_actions, ipf::Tables& tables,
                      std::uint32_t* actions, std::uint32_t& nrules, std::string& error) {
    const std::size_t n = args.count(name);
    if (n > ipf::kMaxRules) {
      error = std::to_string(n) + " patterns given; at most " + std::to_string(ipf::kMaxRules) + " are supported";
      return false;
    }
    std::vector<std::vector<ipf::Term>> terms(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string text = args.get_string_at(name, i);
      ipf::Expr expr;
      ipf::Error err;
      std::uint32_t action = static_cast<std::uint32_t>(i);
      const bool ok = with_actions ? ipf::parse_rule(text, action, expr, err) : ipf::parse_pattern(text, expr, err);
      if (!ok) {
        error = (with_actions ? "rule " : "pattern ") + std::to_string(i) + ": " + err.message;
        return false;
      }
      if (!ipf::to_terms(expr, terms[i])) {
        error = (with_actions ? "rule " : "pattern ") + std::to_string(i) + ": " + ipf::too_complex_message();
        return false;
      }
      if (actions) actions[i] = action;
    }
    nrules = static_cast<std::uint32_t>(n);
    return ipf::build_tables(terms, tables, error);
  }

  // For the specs' validate hooks: the same parse that configure() does, with positions.
  static bool validate(std::string_view text, ParamError& error, bool with_actions) {
    ipf::Expr expr;
    ipf::Error err;
    std::uint32_t action = 0;
    const bool ok = with_actions ? ipf::parse_rule(text, action, expr, err) : ipf::parse_pattern(text, expr, err);
    if (ok) {
      std::vector<ipf::Term> terms;
      if (ipf::to_terms(expr, terms)) return true;
      err.offset = 0;
      err.length = text.size();
      err.message = ipf::too_complex_message();
    }
    error.offset = err.offset;
    error.length = err.length;
    error.message = err.message;
    return false;
  }
};

struct IPFilter {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"bad IP header", "no valid IPv4 header at the network annotation"},
      {"denied", "matched a deny rule"},
      {"no match", "matched no rule"},
  });

  struct Config {
    ipf::Tables tables;
    std::uint32_t nrules;
    std::uint32_t action[ipf::kMaxRules];       // output, or ipf::kActionDrop
    std::uint32_t term_action[ipf::kMaxTerms];  // action[term_rule[t]]: one table load per packet
  };
  struct State {
    std::uint64_t passed;     // sent to an output
    std::uint64_t denied;     // dropped by a deny/drop rule
    std::uint64_t unmatched;  // matched no rule: dropped
    std::uint64_t bad;        // no valid IP header: dropped
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    config.nrules = 0;
    if (!IPFilterCommon::compile(args, "RULE", true, config.tables, config.action, config.nrules, error)) return false;
    for (std::uint32_t i = 0; i < config.nrules; ++i)
      if (config.action[i] != ipf::kActionDrop && config.action[i] >= args.noutputs()) {
        error = "rule " + std::to_string(i) + " sends to output " + std::to_string(config.action[i]) +
                ", but the element has " + std::to_string(args.noutputs()) + " output(s)";
        return false;
      }
    for (std::uint32_t t = 0; t < config.tables.nterms && t < ipf::kMaxTerms; ++t)
      config.term_action[t] = config.action[config.tables.term_rule[t]];
    return true;
  }

  // Reads the packet, changes none of it.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t term = IPFilterCommon::classify_term(config.tables, p);
    if (term < ipf::kMaxTerms) {
      const std::uint32_t out = config.term_action[term];
      if (out != ipf::kActionDrop) {
        ++state.passed;
        ctx.send(out, std::move(p));
      } else {
        ++state.denied;
        ctx.drop(std::move(p), kDrops["denied"]);
      }
    } else if (term == IPFilterCommon::kBadHeader) {
      ++state.bad;
      ctx.drop(std::move(p), kDrops["bad IP header"]);
    } else {
      ++state.unmatched;
      ctx.drop(std::move(p), kDrops["no match"]);
    }
  }

  static bool validate_rule(std::string_view text, ParamError& error) {
    return IPFilterCommon::validate(text, error, true);
  }
};

}  // namespace nb::elements

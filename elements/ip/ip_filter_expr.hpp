// Click's IPFilter/IPClassifier pattern language: a parser with positions for errors, and a
// compiler from an ordered list of patterns to a decision structure the kernel walks with a fixed
// amount of work per packet, whatever the number of rules.
//
// The decision structure is the bit-vector scheme (Lakshman and Stiliadis, SIGCOMM '98): every
// pattern is turned into a disjunction of conjunctive terms, each term a set of values per header
// field; the value of each field selects one precomputed row of bits, one bit per term; the AND
// of the rows of all fields has a bit set for every term the packet matches, and the lowest one
// is the first matching rule. A field's row comes from a direct table (fields of one byte) or
// from the number of interval boundaries at or below the value (addresses and ports: a binary
// search, or for a handful of boundaries a count of compares).
//
// Everything the kernel reads is in Tables, plain data with fixed bounds, so that it can sit in an
// element's Config: the JIT bakes it in as constants and folds the loops' trip counts (fields in
// use, words of bits), and each search becomes a tree of compares with immediates, as deep as
// the rule set needs (about log2 of its boundaries), with no load until the row.
//
// This header holds what the kernel needs (fields, Tables, lookup_term) and the interface of the
// pattern compiler, which is in ip_filter_expr.cpp. Plain C++ and the standard library only: the
// element's configure(), its spec's validate hook (run by `nbc check`) and the tests share it.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nb::elements::ipf {

// ---- Fields -------------------------------------------------------------------------------
//
// Each field has a value for every packet. Transport fields are "absent" (a value past the
// field's real range) unless the protocol has them, the packet is an unfragmented datagram or
// a first fragment, and their bytes are inside the datagram: so `src port 80` needs no separate
// protocol test, and `not src port 80` is true for UDP-less packets as in Click.
enum Field : std::uint8_t {
  kProto,
  kSrc,
  kDst,
  kSport,
  kDport,
  kTcpFlags,
  kIcmpType,
  kFrag,
  kTtl,
  kTos,
  kHl,           // ip hl: header length in 32-bit words (0-15)
  kVers,         // ip vers (0-15)
  kId,           // ip id
  kWin,          // tcp win (absent: kAbsentPort)
  kIpBytes,      // ip[POS:LEN], the element's one IP header window (absent: kAbsentWindow)
  kTranspBytes,  // transp[POS:LEN], its one transport header window
  kNumFields
};
inline constexpr std::uint64_t kAbsentWindow = std::uint64_t{1} << 32;
inline constexpr std::uint64_t kFieldMax[kNumFields] = {255,   0xffffffffu, 0xffffffffu,   65536,        65536, 256,
                                                        256,   2,           255,           255,          15,    15,
                                                        65535, 65536,       kAbsentWindow, kAbsentWindow};
inline constexpr std::uint32_t kAbsentPort = 65536;  // sport/dport of a packet without ports
inline constexpr std::uint32_t kAbsentByte = 256;    // tcp flags / icmp type when absent
// kFrag: 0 unfragmented, 1 first fragment, 2 later fragment (no transport header).
inline constexpr std::string_view kFieldName[kNumFields] = {"ip proto",
                                                            "src address",
                                                            "dst address",
                                                            "src port",
                                                            "dst port",
                                                            "tcp flags",
                                                            "icmp type",
                                                            "ip frag",
                                                            "ip ttl",
                                                            "ip tos",
                                                            "ip hl",
                                                            "ip vers",
                                                            "ip id",
                                                            "tcp win",
                                                            "ip[POS:LEN] window",
                                                            "transp[POS:LEN] window"};
// Wide fields (addresses, ports, 16-bit and window values) are searched among boundaries; the
// others index a table.
inline constexpr int kWideIndex[kNumFields] = {-1, 0, 1, 2, 3, -1, -1, -1, -1, -1, -1, -1, 4, 5, 6, 7};
inline constexpr int kSmallIndex[kNumFields] = {0, -1, -1, -1, -1, 1, 2, 3, 4, 5, 6, 7, -1, -1, -1, -1};
inline constexpr std::size_t kNumWide = 8, kNumSmall = 8, kSmallDomain = 257;
// ip[POS:LEN] and transp[POS:LEN]: LEN bytes (1 to 4) from POS of the IP or transport header.
inline constexpr std::uint32_t kMaxWindowLen = 4, kMaxWindowPos = 0xffff;

inline constexpr std::uint32_t kMaxTerms = 256;  // conjunctive terms over all rules
inline constexpr std::uint32_t kWords = kMaxTerms / 64;
inline constexpr std::uint32_t kMaxClasses = 256;  // rows per field
inline constexpr std::uint32_t kMaxBounds = kMaxClasses - 1;
inline constexpr std::uint32_t kMaxRules = 256;
inline constexpr std::uint32_t kLinearBounds = 8;  // up to this many boundaries: count compares
inline constexpr std::uint32_t kNoTerm = 0xffffffffu;
inline constexpr int kMaxDepth = 64;  // nested parentheses and 'not's

struct Tables {
  std::uint32_t nterms;
  std::uint32_t nwords;                         // 64-bit words of term bits in use
  std::uint16_t term_rule[kMaxTerms];           // the rule each term comes from (terms are in rule order)
  bool used[kNumFields];                        // some term constrains the field
  std::uint32_t nbounds[kNumWide];              // boundaries in use
  std::uint64_t bounds[kNumWide][kMaxClasses];  // ascending, padded with UINT64_MAX
  std::uint8_t class_of[kNumSmall][kSmallDomain];
  std::uint64_t rows[kNumFields][kMaxClasses][kWords];
  // The windows kIpBytes and kTranspBytes read (when used): position and length in bytes.
  std::uint16_t window_pos[2];
  std::uint8_t window_len[2];
};

// ---- Syntax tree --------------------------------------------------------------------------

enum class Dir : std::uint8_t { None, Src, Dst, SrcOrDst, SrcAndDst };
enum class Op : std::uint8_t { Eq, Ne, Lt, Gt, Le, Ge };
enum class PrimKind : std::uint8_t {
  Host,
  Net,
  Proto,
  Port,
  TcpOpt,
  IcmpType,
  Frag,
  Unfrag,
  Ttl,
  Tos,
  Dscp,
  Hl,
  Vers,
  Id,
  Win,
  IpBytes,     // ip[POS:LEN]
  TranspBytes  // transp[POS:LEN] (tcp[...], udp[...], icmp[...] add the protocol)
};

// One primitive. A value v of its field satisfies it when:
//   Eq: lo <= v <= hi    Ne: not Eq    Lt: v < lo    Gt: v > hi    Le: v <= hi    Ge: v >= lo
// (Host: lo == hi; Net: the network's first and last address; Port: a number or a range.)
// TcpOpt: the flag bits in lo are all set. Frag/Unfrag: no value.
struct Prim {
  PrimKind kind = PrimKind::Proto;
  Dir dir = Dir::None;  // Host, Net, Port: None means src or dst
  int proto = -1;       // Port: -1 for TCP or UDP, else 6 or 17
  Op op = Op::Eq;
  std::uint32_t lo = 0, hi = 0;
  // Click's 'FIELD & MASK OP VALUE': the comparison is on the field's value ANDed with mask
  // (0: no mask).
  std::uint32_t mask = 0;
  std::uint16_t pos = 0;  // IpBytes, TranspBytes: the window
  std::uint8_t len = 0;
};

struct Node {
  enum Kind : std::uint8_t { True, False, Leaf, Not, And, Or } kind = True;
  Prim prim;
  std::vector<int> kids;  // Not: one; And/Or: two or more (chains are flattened)
};

struct Expr {
  std::vector<Node> nodes;
  int root = -1;
};

struct Error {
  std::size_t offset = 0, length = 1;
  std::string message;
};


// Parses one pattern (IPClassifier's argument, or an IPFilter rule after its action).
bool parse_pattern(std::string_view text, Expr& expr, Error& err, std::size_t skip_tokens = 0);

// IPFilter's "ACTION PATTERN": allow (output 0), deny or drop, or an output number.
inline constexpr std::uint32_t kActionDrop = 0xffffffffu;
bool parse_rule(std::string_view text, std::uint32_t& action, Expr& expr, Error& err);

// ---- Sets of field values and the DNF ----------------------------------------------------

using Intervals = std::vector<std::pair<std::uint64_t, std::uint64_t>>;  // sorted, disjoint, inclusive

struct Term {
  std::array<Intervals, kNumFields> sets;  // empty vector with constrained false: the whole domain
  std::array<bool, kNumFields> constrained{};
  // The windows that kIpBytes and kTranspBytes stand for here: pos << 8 | len, 0 when unused.
  std::array<std::uint32_t, 2> window{};
};

// The pattern's terms; false when there would be more than `limit`.
bool to_terms(const Expr& e, std::vector<Term>& out, std::size_t limit = kMaxTerms);

std::string too_complex_message();

// Builds the tables for rules in order; rule_terms[i] are rule i's terms.
bool build_tables(const std::vector<std::vector<Term>>& rule_terms, Tables& t, std::string& error);

// The field values of a packet, as the kernel and the tests compute them.
using Values = std::array<std::uint64_t, kNumFields>;

namespace detail {

// Lo + the number of boundaries in b[Lo, Lo + N) at or below x (b ascending). The index of
// every probe is a template constant rather than a value computed from earlier probes: that
// is what lets constant boundaries fold into the code (see lookup_term).
template <std::uint32_t Lo, std::uint32_t N>
[[gnu::always_inline]] inline std::uint32_t count_at_or_below(const std::uint64_t* b, std::uint64_t x) {
  if constexpr (N == 0) {
    return Lo;
  } else {
    constexpr std::uint32_t mid = Lo + N / 2;
    if (b[mid] <= x) return count_at_or_below<mid + 1, Lo + N - mid - 1>(b, x);
    return count_at_or_below<Lo, N / 2>(b, x);
  }
}

}  // namespace detail

// The first matching term, or kNoTerm. Fixed work per packet: one row per field in use.
inline std::uint32_t lookup_term(const Tables& t, const Values& v) {
  std::uint64_t acc[kWords];
  const std::uint32_t nwords = t.nwords < kWords ? t.nwords : kWords;
  for (std::uint32_t w = 0; w < kWords; ++w) acc[w] = ~std::uint64_t{0};
    // Unrolled where the kernel is built (sixteen fields), so that after the JIT inlines it every
    // Config load below has a constant address: unused fields vanish, trip counts fold.
#if defined(__clang__)
#pragma clang loop unroll(full)
#endif
  for (int f = 0; f < kNumFields; ++f) {
    if (!t.used[f]) continue;
    std::uint32_t c = 0;
    if (kWideIndex[f] >= 0) {
      const int wi = kWideIndex[f];
      const std::uint64_t x = v[f];
      const std::uint64_t* b = t.bounds[wi];
      if (t.nbounds[wi] <= kLinearBounds) {
        // A few boundaries: count those at or below the value (the JIT turns them into compares
        // with immediates).
        for (std::uint32_t i = 0; i < t.nbounds[wi] && i < kLinearBounds; ++i) c += b[i] <= x;
      } else {
        // A binary search whose probes sit at fixed indices: once the JIT has made the
        // boundaries constants, every probe is a compare with an immediate and the padding's
        // probes fold away, so the search is a tree of branches with no load at all.
        c = detail::count_at_or_below<0, kMaxBounds>(b, x);
      }
      c &= kMaxClasses - 1;
    } else {
      const std::uint32_t x = v[f] < kSmallDomain ? static_cast<std::uint32_t>(v[f]) : kSmallDomain - 1;
      c = t.class_of[kSmallIndex[f]][x];
    }
    for (std::uint32_t w = 0; w < nwords; ++w) acc[w] &= t.rows[f][c][w];
  }
  for (std::uint32_t w = 0; w < nwords; ++w)
    if (acc[w]) {
      const std::uint32_t term = w * 64 + static_cast<std::uint32_t>(std::countr_zero(acc[w]));
      return term < t.nterms ? term : kNoTerm;
    }
  return kNoTerm;
}

}  // namespace nb::elements::ipf

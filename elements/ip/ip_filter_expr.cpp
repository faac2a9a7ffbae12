// The IPFilter/IPClassifier pattern compiler (ip_filter_expr.hpp): the lexer and parser with
// positions for errors, the DNF of each pattern and the tables the kernel reads. Runs in
// configure() and in the spec's validate hook, never per packet.
#include "ip_filter_expr.hpp"

#include <nb/text.hpp>

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

// ---- Lexer --------------------------------------------------------------------------------

namespace detail {

struct Token {
  enum Kind : std::uint8_t { Word, LParen, RParen, Not, And, Or, Rel, Amp, Question, Colon, End } kind = End;
  std::size_t offset = 0, length = 0;
  std::string_view text;
  Op op = Op::Eq;
};

inline bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '/' ||
         c == '-' || c == '_';
}

inline bool lex(std::string_view s, std::vector<Token>& out, Error& err) {
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    t.offset = i;
    auto two = [&](char next) { return i + 1 < s.size() && s[i + 1] == next; };
    if (c == '(' || c == ')') {
      t.kind = c == '(' ? Token::LParen : Token::RParen;
      t.length = 1;
    } else if (c == '!' && two('=')) {
      t.kind = Token::Rel, t.op = Op::Ne, t.length = 2;
    } else if (c == '!') {
      t.kind = Token::Not, t.length = 1;
    } else if (c == '&' && two('&')) {
      t.kind = Token::And, t.length = 2;
    } else if (c == '&') {
      t.kind = Token::Amp, t.length = 1;  // a mask: 'ip tos & 3 == 1'
    } else if (c == '?') {
      t.kind = Token::Question, t.length = 1;
    } else if (c == ':') {
      t.kind = Token::Colon, t.length = 1;
    } else if (c == '|' && two('|')) {
      t.kind = Token::Or, t.length = 2;
    } else if (c == '=') {
      t.kind = Token::Rel, t.op = Op::Eq, t.length = two('=') ? 2 : 1;
    } else if (c == '<' || c == '>') {
      t.kind = Token::Rel;
      t.length = two('=') ? 2 : 1;
      t.op = c == '<' ? (t.length == 2 ? Op::Le : Op::Lt) : (t.length == 2 ? Op::Ge : Op::Gt);
    } else if (word_char(c)) {
      std::size_t e = i;
      while (e < s.size() && word_char(s[e])) ++e;
      // ip[POS:LEN], transp[POS] and the like are one word.
      if (e < s.size() && s[e] == '[') {
        const std::size_t close = s.find(']', e);
        if (close == std::string_view::npos) {
          err.offset = e;
          err.length = 1;
          err.message = "this '[' is never closed: write ip[POS:LEN] or ip[POS]";
          return false;
        }
        e = close + 1;
      }
      t.length = e - i;
      const std::string_view w = s.substr(i, t.length);
      t.kind = w == "and" ? Token::And : w == "or" ? Token::Or : w == "not" ? Token::Not : Token::Word;
    } else {
      err.offset = i;
      err.length = 1;
      if (c == '|')
        err.message = "'|' alone is not an operator: write '||' or 'or'";
      else if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f)
        err.message = std::string("unexpected character '") + c + "'";
      else
        err.message = "unexpected byte in a pattern";
      return false;
    }
    t.text = s.substr(i, t.length);
    out.push_back(t);
    i += t.length;
  }
  Token end;
  end.kind = Token::End;
  end.offset = s.size();
  end.length = 1;
  out.push_back(end);
  return true;
}

// ---- Values -------------------------------------------------------------------------------

inline bool parse_uint(std::string_view w, std::uint64_t max, std::uint32_t& out) {
  if (w.empty() || w.size() > 10) return false;
  std::uint64_t v = 0;
  for (char c : w) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

// A number for masks and header values: decimal, or hex with 0x as Click writes masks.
inline bool parse_num(std::string_view w, std::uint64_t max, std::uint32_t& out) {
  if (w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
    if (w.size() > 10) return false;
    std::uint64_t v = 0;
    for (char c : w.substr(2)) {
      const int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (d < 0) return false;
      v = v * 16 + static_cast<std::uint64_t>(d);
    }
    if (v > max) return false;
    out = static_cast<std::uint32_t>(v);
    return true;
  }
  return parse_uint(w, max, out);
}

// Dotted quads as the compiler reads them (nb/text.hpp).
inline bool parse_ip(std::string_view w, std::uint32_t& out) { return nb::text::parse_ipv4(w, out); }

struct Named {
  std::string_view name;
  std::uint32_t value;
};
inline constexpr Named kProtoNames[] = {{"icmp", 1}, {"igmp", 2}, {"ipip", 4}, {"tcp", 6}, {"udp", 17}};
inline constexpr Named kTcpOpts[] = {{"fin", 0x01}, {"syn", 0x02}, {"rst", 0x04},
                                     {"psh", 0x08}, {"ack", 0x10}, {"urg", 0x20}};
inline constexpr Named kPortNames[] = {
    {"echo", 7},    {"discard", 9}, {"daytime", 13},     {"chargen", 19},      {"ftp-data", 20},
    {"ftp", 21},    {"ssh", 22},    {"telnet", 23},      {"smtp", 25},         {"domain", 53},
    {"dns", 53},    {"bootps", 67}, {"bootpc", 68},      {"tftp", 69},         {"finger", 79},
    {"www", 80},    {"http", 80},   {"pop3", 110},       {"sunrpc", 111},      {"auth", 113},
    {"nntp", 119},  {"ntp", 123},   {"netbios-ns", 137}, {"netbios-dgm", 138}, {"netbios-ssn", 139},
    {"imap3", 143}, {"snmp", 161},  {"snmp-trap", 162},  {"irc", 194},         {"https", 443},
    {"rip", 520},   {"route", 520}, {"imaps", 993},      {"pop3s", 995}};
inline constexpr Named kIcmpTypes[] = {{"echo-reply", 0},
                                       {"unreachable", 3},
                                       {"sourcequench", 4},
                                       {"redirect", 5},
                                       {"echo", 8},
                                       {"routeradvert", 9},
                                       {"routersolicit", 10},
                                       {"timeexceeded", 11},
                                       {"parameterproblem", 12},
                                       {"timestamp", 13},
                                       {"timestamp-reply", 14},
                                       {"inforeq", 15},
                                       {"inforeq-reply", 16},
                                       {"maskreq", 17},
                                       {"maskreq-reply", 18}};

template <std::size_t N>
inline bool lookup(const Named (&table)[N], std::string_view w, std::uint32_t& out) {
  for (const Named& n : table)
    if (n.name == w) {
      out = n.value;
      return true;
    }
  return false;
}

// ---- Parser -------------------------------------------------------------------------------

inline Intervals masked_set(Op op, std::uint64_t lo, std::uint64_t hi, std::uint32_t mask, std::uint64_t real_max);

class Parser {
 public:
  Parser(Expr& expr, Error& err) : expr_(expr), err_(err) {}

  // The whole text from token `start` on as one expression.
  bool parse(const std::vector<Token>& toks, std::size_t start) {
    toks_ = &toks;
    pos_ = start;
    if (tok().kind == Token::End) return fail(tok(), "expected a pattern, e.g. 'tcp dst port 80' or '-'");
    int root = -1;
    if (!parse_cond(root)) return false;
    if (tok().kind == Token::RParen) return fail(tok(), "this ')' closes no '('");
    if (tok().kind == Token::Amp)
      return fail(tok(),
                  "'&' alone is not an operator: write '&&' or 'and' (a mask follows its field: 'ip tos & 3 == 1')");
    if (tok().kind == Token::Colon) return fail(tok(), "this ':' follows no '?' (write 'a ? b : c')");
    if (tok().kind != Token::End) return fail(tok(), "expected 'and', 'or' or the end of the pattern");
    expr_.root = root;
    return true;
  }

 private:
  const Token& tok() const { return (*toks_)[pos_]; }
  const Token& prev() const { return (*toks_)[pos_ > 0 ? pos_ - 1 : 0]; }
  const Token& peek(std::size_t k = 1) const {
    std::size_t i = std::min(pos_ + k, toks_->size() - 1);
    return (*toks_)[i];
  }
  bool fail(const Token& t, std::string message) {
    err_.offset = t.offset;
    err_.length = std::max<std::size_t>(t.length, 1);
    err_.message = std::move(message);
    return false;
  }
  static std::string quoted(const Token& t) {
    return t.kind == Token::End ? std::string("the end of the pattern") : "'" + std::string(t.text) + "'";
  }
  int add(Node n) {
    expr_.nodes.push_back(std::move(n));
    return static_cast<int>(expr_.nodes.size() - 1);
  }
  bool starts_factor(const Token& t) const {
    return t.kind == Token::Word || t.kind == Token::LParen || t.kind == Token::Not || t.kind == Token::Rel;
  }

  // Click's 'a ? b : c' (lowest precedence, grouping to the right): (a and b) or (not a and c).
  bool parse_cond(int& out) {
    int cond = -1;
    if (!parse_or(cond)) return false;
    if (tok().kind != Token::Question) return out = cond, true;
    const Token q = tok();
    if (depth_ >= kMaxDepth) return fail(q, "patterns nest at most 64 deep");
    ++depth_;
    ++pos_;
    int yes = -1, no = -1;
    if (!parse_cond(yes)) return false;
    if (tok().kind != Token::Colon) return fail(tok(), "expected ':' for this '?' (write 'a ? b : c')");
    ++pos_;
    if (!parse_cond(no)) return false;
    --depth_;
    Node a, b, n, o;
    n.kind = Node::Not;
    n.kids = {cond};
    const int not_cond = add(std::move(n));
    a.kind = Node::And;
    a.kids = {cond, yes};
    b.kind = Node::And;
    b.kids = {not_cond, no};
    const int left = add(std::move(a));
    const int right = add(std::move(b));
    o.kind = Node::Or;
    o.kids = {left, right};
    out = add(std::move(o));
    return true;
  }

  bool parse_or(int& out) {
    int first = -1;
    if (!parse_and(first)) return false;
    if (tok().kind != Token::Or) return out = first, true;
    Node n;
    n.kind = Node::Or;
    n.kids.push_back(first);
    while (tok().kind == Token::Or) {
      ++pos_;
      int k = -1;
      if (!parse_and(k)) return false;
      n.kids.push_back(k);
    }
    out = add(std::move(n));
    return true;
  }

  bool parse_and(int& out) {
    int first = -1;
    if (!parse_factor(first)) return false;
    Node n;
    n.kind = Node::And;
    n.kids.push_back(first);
    while (true) {
      if (tok().kind == Token::And) {
        ++pos_;
      } else if (!starts_factor(tok())) {
        break;  // implicit 'and' between adjacent factors, as in Click
      }
      int k = -1;
      if (!parse_factor(k)) return false;
      n.kids.push_back(k);
    }
    out = n.kids.size() == 1 ? first : add(std::move(n));
    return true;
  }

  bool parse_factor(int& out) {
    const Token& t = tok();
    if (t.kind == Token::Not || t.kind == Token::LParen) {
      if (depth_ >= kMaxDepth) return fail(t, "patterns nest at most 64 deep");
      ++depth_;
      ++pos_;
      int inner = -1;
      if (t.kind == Token::Not) {
        if (!parse_factor(inner)) return false;
        Node n;
        n.kind = Node::Not;
        n.kids.push_back(inner);
        out = add(std::move(n));
      } else {
        if (!parse_cond(inner)) return false;
        if (tok().kind != Token::RParen) {
          if (tok().kind == Token::End) return fail(t, "this '(' is never closed");
          return fail(tok(), "expected ')' or 'and'/'or', found " + quoted(tok()));
        }
        ++pos_;
        out = inner;
      }
      --depth_;
      return true;
    }
    if (t.kind == Token::Word || t.kind == Token::Rel) return parse_primitive(out);
    if (t.kind == Token::End) return fail(t, "expected a primitive after " + quoted(prev()));
    return fail(t, "expected a primitive (host, net, port, tcp, ...), found " + quoted(t));
  }

  bool word(std::string_view w) const { return tok().kind == Token::Word && tok().text == w; }

  // A port as a value: a number, a range or one of Click's names (www, ssh, 1000-2000); not an
  // address (`tcp 10.0.0.1` is tcp and that host).
  static bool looks_like_port(std::string_view w) {
    std::uint32_t x = 0;
    if (lookup(kPortNames, w, x)) return true;
    return !w.empty() && w[0] >= '0' && w[0] <= '9' && w.find_first_not_of("0123456789-") == std::string_view::npos;
  }

  bool parse_primitive(int& out) {
    const Token start = tok();
    Prim p;
    bool have_type = false;
    // Direction: src, dst, src or dst, src and dst (also dst or src, dst and src).
    if (word("src") || word("dst")) {
      const bool src = tok().text == "src";
      p.dir = src ? Dir::Src : Dir::Dst;
      const Token& conj = peek();
      const Token& other = peek(2);
      if ((conj.kind == Token::Or || conj.kind == Token::And) && other.kind == Token::Word &&
          other.text == (src ? "dst" : "src")) {
        p.dir = conj.kind == Token::Or ? Dir::SrcOrDst : Dir::SrcAndDst;
        pos_ += 2;
      }
      ++pos_;
    }
    const Dir dir = p.dir;
    auto no_dir = [&](const Token& t) {
      if (dir == Dir::None) return true;
      return fail(t, "'" + std::string(t.text) + "' cannot be qualified by 'src' or 'dst'");
    };
    const Token& t = tok();
    if (t.kind == Token::Word) {
      std::string_view w = t.text;
      if ((w == "tcp" || w == "udp") && peek().kind == Token::Word && peek().text == "port") {
        p.kind = PrimKind::Port, p.proto = w == "tcp" ? 6 : 17, have_type = true;
        pos_ += 2;
      } else if ((w == "tcp" || w == "udp") && peek().kind == Token::Word && looks_like_port(peek().text)) {
        // Click's `dst tcp ssh`: a port after the protocol needs no `port`.
        p.kind = PrimKind::Port, p.proto = w == "tcp" ? 6 : 17, have_type = true;
        ++pos_;
      } else if (w == "tcp" && peek().kind == Token::Word && peek().text == "win") {
        if (!no_dir(t)) return false;
        p.kind = PrimKind::Win, have_type = true;
        pos_ += 2;
      } else if (w.find('[') != std::string_view::npos) {
        if (!no_dir(t)) return false;
        if (!window(t, p)) return false;
        have_type = true;
        ++pos_;
      } else if (w == "tcp" && peek().kind == Token::Word && peek().text == "opt") {
        if (!no_dir(t)) return false;
        p.kind = PrimKind::TcpOpt, have_type = true;
        pos_ += 2;
      } else if (w == "icmp" && peek().kind == Token::Word && peek().text == "type") {
        if (!no_dir(t)) return false;
        p.kind = PrimKind::IcmpType, have_type = true;
        pos_ += 2;
      } else if (std::uint32_t x; w == "icmp" && peek().kind == Token::Word && lookup(kIcmpTypes, peek().text, x)) {
        // Click's `icmp echo-reply`: a type's name after `icmp` needs no `type`.
        if (!no_dir(t)) return false;
        p.kind = PrimKind::IcmpType, have_type = true;
        ++pos_;
      } else if (w == "proto") {  // Click's `proto icmp`, short for `ip proto icmp`
        if (!no_dir(t)) return false;
        p.kind = PrimKind::Proto, have_type = true;
        ++pos_;
      } else if (w == "ip") {
        const Token& k = peek();
        const std::string_view kw = k.kind == Token::Word ? k.text : std::string_view();
        if (kw == "proto")
          p.kind = PrimKind::Proto;
        else if (kw == "frag")
          p.kind = PrimKind::Frag;
        else if (kw == "unfrag")
          p.kind = PrimKind::Unfrag;
        else if (kw == "ttl")
          p.kind = PrimKind::Ttl;
        else if (kw == "tos")
          p.kind = PrimKind::Tos;
        else if (kw == "dscp")
          p.kind = PrimKind::Dscp;
        else if (kw == "hl")
          p.kind = PrimKind::Hl;
        else if (kw == "vers")
          p.kind = PrimKind::Vers;
        else if (kw == "id")
          p.kind = PrimKind::Id;
        else
          return fail(k, "expected proto, frag, unfrag, ttl, tos, dscp, hl, vers or id after 'ip', found " + quoted(k));
        if (!no_dir(t)) return false;
        have_type = true;
        pos_ += 2;
      } else if (w == "host" || w == "net" || w == "port") {
        p.kind = w == "host" ? PrimKind::Host : w == "net" ? PrimKind::Net : PrimKind::Port;
        have_type = true;
        ++pos_;
      } else if (dir == Dir::None && (w == "true" || w == "false" || w == "-" || w == "any" || w == "all")) {
        ++pos_;
        Node n;
        n.kind = w == "false" ? Node::False : Node::True;
        out = add(std::move(n));
        return true;
      } else if (dir == Dir::None && (w == "frag" || w == "unfrag")) {
        p.kind = w == "frag" ? PrimKind::Frag : PrimKind::Unfrag;
        ++pos_;
        return leaf(p, out);
      } else if (std::uint32_t v; dir == Dir::None && lookup(kProtoNames, w, v)) {
        p.kind = PrimKind::Proto, p.lo = p.hi = v;
        ++pos_;
        return leaf(p, out);
      }
    }
    if (have_type) {
      if (dir != Dir::None && p.kind != PrimKind::Host && p.kind != PrimKind::Net && p.kind != PrimKind::Port)
        return fail(start, "'src'/'dst' qualify only host, net and port");
      return value(p, out);
    }
    // No type keyword: a bare value. It inherits the previous primitive's type (Click's
    // "src port 80 or 81"), or the word says what it is (10.0.0.1, 10.0.0.0/8, syn, www).
    const Token& v = tok();
    if (v.kind == Token::End || v.kind == Token::Or || v.kind == Token::And || v.kind == Token::RParen)
      return fail(v, "expected host, net or port after " + quoted(prev()));
    if (v.kind != Token::Word && v.kind != Token::Rel)
      return fail(v, "expected a primitive (host, net, port, tcp, ...), found " + quoted(v));
    if (last_ && dir == Dir::None && last_->kind != PrimKind::Frag && last_->kind != PrimKind::Unfrag) {
      Prim q = *last_;
      q.op = Op::Eq;
      Error saved = err_;
      std::size_t saved_pos = pos_;
      std::size_t saved_nodes = expr_.nodes.size();
      if (value(q, out)) return true;
      err_ = saved, pos_ = saved_pos;
      expr_.nodes.resize(saved_nodes);
    }
    if (v.kind == Token::Word) {
      std::uint32_t x = 0;
      std::string_view w = v.text;
      if (parse_ip(w, x))
        p.kind = PrimKind::Host;
      else if (w.find('/') != std::string_view::npos)
        p.kind = PrimKind::Net;
      else if (dir == Dir::None && lookup(kTcpOpts, w, x))
        p.kind = PrimKind::TcpOpt;
      else if (lookup(kPortNames, w, x))
        p.kind = PrimKind::Port;
      else if (parse_uint(w, 0xffffffffu, x) || (!w.empty() && w[0] >= '0' && w[0] <= '9'))
        return fail(v, "'" + std::string(w) + "' needs a type: write 'port " + std::string(w) + "', 'ip proto " +
                           std::string(w) + "' or 'icmp type " + std::string(w) + "'");
      else
        return fail(v, "unknown word '" + std::string(w) +
                           "': expected host, net, port, tcp, udp, icmp, ip, src, dst, true, false, not or '('");
      return value(p, out);
    }
    return fail(v, "'" + std::string(v.text) + "' needs a primitive before it, e.g. 'dst port " + std::string(v.text) +
                       " 1023'");
  }

  // ip[POS:LEN], ip[POS], transp[...], and tcp/udp/icmp[...] (transp for that protocol).
  bool window(const Token& t, Prim& p) {
    const std::string_view w = t.text;
    const std::size_t open = w.find('[');
    const std::string_view base = w.substr(0, open);
    if (base == "ip")
      p.kind = PrimKind::IpBytes;
    else if (base == "transp" || base == "tcp" || base == "udp" || base == "icmp")
      p.kind = PrimKind::TranspBytes;
    else
      return fail(t, "'" + std::string(base) + "[...]' is not a header: write ip[POS:LEN] or transp[POS:LEN]");
    p.proto = base == "tcp" ? 6 : base == "udp" ? 17 : base == "icmp" ? 1 : -1;
    if (open + 1 >= w.size() || w.back() != ']') return fail(t, "expected ']' at the end of " + quoted(t));
    const std::string_view inside = w.substr(open + 1, w.size() - open - 2);
    const std::size_t colon = inside.find(':');
    std::uint32_t pos = 0, len = 1;
    if (!parse_num(inside.substr(0, colon), kMaxWindowPos, pos) ||
        (colon != std::string_view::npos && !parse_num(inside.substr(colon + 1), 4, len)) || len == 0)
      return fail(t,
                  "expected " + std::string(base) + "[POS:LEN] with POS 0 to 65535 and LEN 1 to 4, found " + quoted(t));
    p.pos = static_cast<std::uint16_t>(pos);
    p.len = static_cast<std::uint8_t>(len);
    // The kernel reads one window of each header per element (a field of its own).
    const std::size_t slot = p.kind == PrimKind::IpBytes ? 0 : 1;
    const std::uint32_t code = pos << 8 | len;
    if (window_[slot] != 0 && window_[slot] != code)
      return fail(t, "a pattern reads one " + std::string(slot == 0 ? "ip" : "transp") + "[POS:LEN] window; " +
                         quoted(t) + " differs from the one before (" + std::to_string(window_[slot] >> 8) + ":" +
                         std::to_string(window_[slot] & 0xff) + ")");
    window_[slot] = code;
    return true;
  }

  bool leaf(const Prim& p, int& out) {
    Node n;
    n.kind = Node::Leaf;
    n.prim = p;
    out = add(std::move(n));
    last_storage_ = p;
    last_ = &last_storage_;
    return true;
  }

  // The operator and value of a primitive whose type is known.
  bool value(Prim& p, int& out) {
    if (p.kind == PrimKind::Frag || p.kind == PrimKind::Unfrag) return leaf(p, out);
    const bool relational = p.kind == PrimKind::Port || p.kind == PrimKind::IcmpType || p.kind == PrimKind::Proto ||
                            p.kind == PrimKind::Ttl || p.kind == PrimKind::Tos || p.kind == PrimKind::Dscp ||
                            p.kind == PrimKind::Hl || p.kind == PrimKind::Vers || p.kind == PrimKind::Id ||
                            p.kind == PrimKind::Win || p.kind == PrimKind::IpBytes || p.kind == PrimKind::TranspBytes;
    const std::uint64_t field_max = value_max(p);
    if (tok().kind == Token::Amp) {
      // Click's 'FIELD & MASK [OP] VALUE'.
      const Token amp = tok();
      if (!relational) return fail(amp, "a mask applies to a number (port, ip tos, ip id, ...), not to this primitive");
      ++pos_;
      const Token& m = tok();
      std::uint32_t mask = 0;
      if (m.kind != Token::Word || !parse_num(m.text, field_max, mask) || mask == 0)
        return fail(m, "expected a mask from 1 to " + std::to_string(field_max) + " after '&', found " + quoted(m));
      p.mask = mask;
      ++pos_;
      const Token& after = tok();
      if (after.kind != Token::Rel && after.kind != Token::Word)
        return fail(after, "expected a value to compare the masked field with, e.g. '" + std::string(amp.text) + " " +
                               std::string(m.text) + " == 1'");
    }
    if (tok().kind == Token::Rel) {
      if (p.kind == PrimKind::TcpOpt) return fail(tok(), "'tcp opt' takes no operator");
      if (!relational && tok().op != Op::Eq && tok().op != Op::Ne)
        return fail(tok(), "only '==' and '!=' compare addresses");
      p.op = tok().op;
      ++pos_;
    }
    const Token& v = tok();
    if (v.kind != Token::Word) return fail(v, "expected a value, found " + quoted(v));
    const std::string_view w = v.text;
    std::uint32_t x = 0;
    switch (p.kind) {
      case PrimKind::Host:
        if (!parse_ip(w, x)) return fail(v, "'" + std::string(w) + "' is not an IPv4 address like 10.0.0.1");
        p.lo = p.hi = x;
        break;
      case PrimKind::Net: {
        std::uint32_t addr = 0, mask = 0;
        const std::size_t slash = w.find('/');
        if (slash != std::string_view::npos) {
          // Click's abbreviated networks (10/8, 18.26.4/24) give the leading bytes only.
          unsigned parts = 0;
          if (!nb::text::scan_ipv4(w, 0, slash, addr, nullptr, 1, parts))
            return fail(v, "'" + std::string(w.substr(0, slash)) + "' is not an IPv4 address like 10.0.0.0");
          std::string_view len = w.substr(slash + 1);
          std::uint32_t bits = 0;
          if (parse_uint(len, 32, bits))
            mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
          else if (!parse_ip(len, mask))
            return fail(v, "'" + std::string(len) + "' is not a prefix length (0 to 32) or a mask");
          if (parts < 4 && (mask & ~nb::text::prefix_mask(8 * parts)) != 0) {
            std::string full(w.substr(0, slash));
            for (unsigned k = parts; k < 4; ++k) full += ".0";
            return fail(v, "'" + std::string(w.substr(0, slash)) + "' gives " + std::to_string(parts) +
                               " of the address's 4 bytes, fewer than the mask covers: write " + full +
                               std::string(w.substr(slash)));
          }
        } else {
          if (!parse_ip(w, addr)) return fail(v, "'" + std::string(w) + "' is not a network like 10.0.0.0/8");
          if (!(peek().kind == Token::Word && peek().text == "mask"))
            return fail(v, "a network needs a length or a mask: 10.0.0.0/8 or 10.0.0.0 mask 255.0.0.0");
          pos_ += 2;
          if (tok().kind != Token::Word || !parse_ip(tok().text, mask))
            return fail(tok(), "expected a mask like 255.255.0.0, found " + quoted(tok()));
        }
        if ((~mask & (~mask + 1)) != 0) return fail(v, "the mask must be contiguous (like 255.255.0.0)");
        p.lo = addr & mask;
        p.hi = p.lo | ~mask;
        break;
      }
      case PrimKind::Port: {
        const std::size_t dash = w.find('-', 1);
        std::uint32_t hi = 0;
        if (lookup(kPortNames, w, x) || parse_uint(w, 65535, x)) {
          p.lo = p.hi = x;
        } else if (dash != std::string_view::npos &&
                   (parse_uint(w.substr(0, dash), 65535, x) || lookup(kPortNames, w.substr(0, dash), x)) &&
                   (parse_uint(w.substr(dash + 1), 65535, hi) || lookup(kPortNames, w.substr(dash + 1), hi))) {
          if (hi < x) return fail(v, "the port range " + std::string(w) + " is empty");
          if (p.op != Op::Eq && p.op != Op::Ne) return fail(v, "a port range takes only '==' or '!='");
          p.lo = x, p.hi = hi;
        } else {
          return fail(
              v, "'" + std::string(w) + "' is not a port (0 to 65535, a range like 1000-2000, or a name like www)");
        }
        break;
      }
      case PrimKind::Proto:
        if (!lookup(kProtoNames, w, x) && !parse_uint(w, 255, x))
          return fail(v, "'" + std::string(w) + "' is not an IP protocol (0 to 255, tcp, udp, icmp, igmp, ipip)");
        p.lo = p.hi = x;
        break;
      case PrimKind::TcpOpt:
        if (!lookup(kTcpOpts, w, x))
          return fail(v, "'" + std::string(w) + "' is not a TCP flag (syn, ack, fin, rst, psh, urg)");
        p.lo = p.hi = x;
        break;
      case PrimKind::IcmpType:
        if (!lookup(kIcmpTypes, w, x) && !parse_uint(w, 255, x))
          return fail(v, "'" + std::string(w) + "' is not an ICMP type (0 to 255 or a name like echo)");
        p.lo = p.hi = x;
        break;
      case PrimKind::Ttl:
      case PrimKind::Tos:
      case PrimKind::Dscp:
      case PrimKind::Hl:
      case PrimKind::Vers:
      case PrimKind::Id:
      case PrimKind::Win:
      case PrimKind::IpBytes:
      case PrimKind::TranspBytes:
        if (!parse_num(w, field_max, x))
          return fail(v, "'" + std::string(w) + "' is not a number from 0 to " + std::to_string(field_max));
        p.lo = p.hi = x;
        break;
      case PrimKind::Frag:
      case PrimKind::Unfrag:
        break;
    }
    if (p.mask != 0) {
      if (p.lo != p.hi) return fail(v, "a masked field compares with one value, not a range");
      if ((p.lo & ~p.mask) != 0 && (p.op == Op::Eq || p.op == Op::Ne))
        return fail(v, "the value has bits outside the mask, so the masked field never equals it");
      // A 32-bit field is not enumerated: only == and != with a mask whose gaps are few.
      if (field_max > 0x1ffff) {
        if (p.op != Op::Eq && p.op != Op::Ne) return fail(v, "a masked 3- or 4-byte window takes only '==' or '!='");
        const std::uint32_t low = p.mask & (~p.mask + 1);  // the lowest mask bit
        const std::uint32_t gaps =
            static_cast<std::uint32_t>(~p.mask & static_cast<std::uint32_t>(field_max)) & ~(low - 1);
        if (std::popcount(gaps) > 7)
          return fail(v,
                      "this mask has too many gaps for the kernel's tables; use a mask whose 1 bits are "
                      "closer together");
      } else if (p.kind == PrimKind::Port || p.kind == PrimKind::Id || p.kind == PrimKind::Win ||
                 p.kind == PrimKind::IpBytes || p.kind == PrimKind::TranspBytes) {
        // These fields are searched among boundaries: a mask on low bits cuts them into too many.
        const std::size_t ranges = masked_set(p.op, p.lo, p.hi, p.mask, field_max).size();
        if (2 * ranges > kMaxBounds)
          return fail(v, "this mask cuts the field into " + std::to_string(ranges) +
                             " ranges; nb's tables take at most " + std::to_string(kMaxBounds / 2) +
                             " (mask high bits, like & 0xff00, or compare ranges)");
      }
    }
    ++pos_;
    return leaf(p, out);
  }

  // The largest value of the primitive's field (before any mask).
  static std::uint64_t value_max(const Prim& p) {
    switch (p.kind) {
      case PrimKind::Port:
      case PrimKind::Id:
      case PrimKind::Win:
        return 65535;
      case PrimKind::Hl:
      case PrimKind::Vers:
        return 15;
      case PrimKind::Dscp:
        return 63;
      case PrimKind::IpBytes:
      case PrimKind::TranspBytes:
        return p.len >= 4 ? 0xffffffffu : (std::uint64_t{1} << (8 * p.len)) - 1;
      default:
        return 255;
    }
  }

  Expr& expr_;
  Error& err_;
  const std::vector<Token>* toks_ = nullptr;
  std::size_t pos_ = 0;
  int depth_ = 0;
  Prim last_storage_;
  const Prim* last_ = nullptr;
  std::uint32_t window_[2] = {0, 0};
};

}  // namespace detail


bool parse_pattern(std::string_view text, Expr& expr, Error& err, std::size_t skip_tokens) {
  std::vector<detail::Token> toks;
  if (!detail::lex(text, toks, err)) return false;
  expr = Expr{};
  detail::Parser parser(expr, err);
  return parser.parse(toks, std::min(skip_tokens, toks.size() - 1));
}

bool parse_rule(std::string_view text, std::uint32_t& action, Expr& expr, Error& err) {
  std::vector<detail::Token> toks;
  if (!detail::lex(text, toks, err)) return false;
  const detail::Token& a = toks[0];
  std::uint32_t n = 0;
  if (a.kind == detail::Token::Word && a.text == "allow")
    action = 0;
  else if (a.kind == detail::Token::Word && (a.text == "deny" || a.text == "drop"))
    action = kActionDrop;
  else if (a.kind == detail::Token::Word && detail::parse_uint(a.text, 65535, n))
    action = n;
  else {
    err.offset = a.offset;
    err.length = std::max<std::size_t>(a.length, 1);
    err.message = a.kind == detail::Token::End ? "expected a rule: ACTION PATTERN, e.g. 'allow tcp dst port 80'"
                                               : "expected an action (allow, deny, drop or an output number), found '" +
                                                     std::string(a.text) + "'";
    return false;
  }
  expr = Expr{};
  detail::Parser parser(expr, err);
  return parser.parse(toks, 1);
}

namespace detail {

inline Intervals intersect(const Intervals& a, const Intervals& b) {
  Intervals out;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const std::uint64_t lo = std::max(a[i].first, b[j].first), hi = std::min(a[i].second, b[j].second);
    if (lo <= hi) out.push_back({lo, hi});
    (a[i].second < b[j].second) ? ++i : ++j;
  }
  return out;
}

inline Intervals complement(const Intervals& a, std::uint64_t max) {
  Intervals out;
  std::uint64_t next = 0;
  for (const auto& [lo, hi] : a) {
    if (lo > next) out.push_back({next, lo - 1});
    next = hi + 1;
  }
  if (next <= max) out.push_back({next, max});
  return out;
}

// Values of [0, real_max] that satisfy `op` against [lo, hi].
inline Intervals op_set(Op op, std::uint64_t lo, std::uint64_t hi, std::uint64_t real_max) {
  Intervals out;
  switch (op) {
    case Op::Eq:
      out.push_back({lo, hi});
      break;
    case Op::Ne:
      if (lo > 0) out.push_back({0, lo - 1});
      if (hi < real_max) out.push_back({hi + 1, real_max});
      break;
    case Op::Lt:
      if (lo > 0) out.push_back({0, lo - 1});
      break;
    case Op::Gt:
      if (hi < real_max) out.push_back({hi + 1, real_max});
      break;
    case Op::Le:
      out.push_back({0, hi});
      break;
    case Op::Ge:
      out.push_back({lo, real_max});
      break;
  }
  return out;
}

// Values of [0, real_max] whose `mask` bits satisfy `op` against [lo, hi] (Click's 'FIELD &
// MASK OP VALUE'); without a mask, op_set. Fields up to 17 bits are enumerated; a 32-bit window
// (== or != only, checked by the parser) is built from the mask's gaps.
inline Intervals masked_set(Op op, std::uint64_t lo, std::uint64_t hi, std::uint32_t mask, std::uint64_t real_max) {
  if (mask == 0) return op_set(op, lo, hi, real_max);
  Intervals out;
  auto add = [&](std::uint64_t a, std::uint64_t b) {
    if (!out.empty() && out.back().second + 1 == a)
      out.back().second = b;
    else
      out.push_back({a, b});
  };
  if (real_max <= 0x1ffff) {
    const Intervals want = op_set(op, lo, hi, real_max);
    for (std::uint64_t v = 0; v <= real_max; ++v) {
      const std::uint64_t m = v & mask;
      for (const auto& [a, b] : want)
        if (a <= m && m <= b) {
          add(v, v);
          break;
        }
    }
    return out;
  }
  // v & mask == lo: the bits below the mask's lowest bit are free (one interval each), and so
  // are the gaps above it (one interval per combination).
  const std::uint64_t low = mask & (~std::uint64_t{mask} + 1);
  const std::uint64_t gaps = ~std::uint64_t{mask} & real_max & ~(low - 1);
  std::vector<std::uint64_t> bits;
  for (std::uint64_t b = 1; b <= real_max; b <<= 1)
    if (gaps & b) bits.push_back(b);
  for (std::uint64_t k = 0; k < (std::uint64_t{1} << bits.size()); ++k) {
    std::uint64_t base = lo & mask;
    for (std::size_t i = 0; i < bits.size(); ++i)
      if (k >> i & 1) base |= bits[i];
    add(base, base + low - 1);
  }
  std::sort(out.begin(), out.end());
  Intervals merged;
  for (const auto& iv : out) {
    if (!merged.empty() && merged.back().second + 1 >= iv.first)
      merged.back().second = std::max(merged.back().second, iv.second);
    else
      merged.push_back(iv);
  }
  return op == Op::Ne ? complement(merged, real_max) : merged;
}

struct Atom {
  Field field;
  Intervals set;
  std::uint32_t window = 0;  // kIpBytes, kTranspBytes: pos << 8 | len
};

// A primitive as a small formula over single-field atoms: OR of ANDs (at most two each).
inline std::vector<std::vector<Atom>> prim_dnf(const Prim& p) {
  auto one = [](Field f, Intervals s) { return std::vector<std::vector<Atom>>{{Atom{f, std::move(s)}}}; };
  switch (p.kind) {
    case PrimKind::Host:
    case PrimKind::Net:
    case PrimKind::Port: {
      const bool port = p.kind == PrimKind::Port;
      const Field fs = port ? kSport : kSrc, fd = port ? kDport : kDst;
      const Intervals s = masked_set(p.op, p.lo, p.hi, p.mask, port ? 65535 : 0xffffffffu);
      std::vector<std::vector<Atom>> out;
      switch (p.dir) {
        case Dir::Src:
          out = {{Atom{fs, s}}};
          break;
        case Dir::Dst:
          out = {{Atom{fd, s}}};
          break;
        case Dir::SrcAndDst:
          out = {{Atom{fs, s}, Atom{fd, s}}};
          break;
        case Dir::None:
        case Dir::SrcOrDst:
          out = {{Atom{fs, s}}, {Atom{fd, s}}};
          break;
      }
      if (port && p.proto >= 0)
        for (auto& conj : out) conj.push_back(Atom{kProto, {{std::uint64_t(p.proto), std::uint64_t(p.proto)}}});
      return out;
    }
    case PrimKind::Proto:
      return one(kProto, masked_set(p.op, p.lo, p.hi, p.mask, 255));
    case PrimKind::TcpOpt: {
      Intervals s;
      for (std::uint64_t v = 0; v < 256; ++v)
        if ((v & p.lo) == p.lo) {
          if (!s.empty() && s.back().second + 1 == v)
            s.back().second = v;
          else
            s.push_back({v, v});
        }
      return one(kTcpFlags, s);
    }
    case PrimKind::IcmpType:
      return one(kIcmpType, masked_set(p.op, p.lo, p.hi, p.mask, 255));
    case PrimKind::Frag:
      return one(kFrag, {{1, 2}});
    case PrimKind::Unfrag:
      return one(kFrag, {{0, 0}});
    case PrimKind::Ttl:
      return one(kTtl, masked_set(p.op, p.lo, p.hi, p.mask, 255));
    case PrimKind::Tos:
      return one(kTos, masked_set(p.op, p.lo, p.hi, p.mask, 255));
    case PrimKind::Hl:
      return one(kHl, masked_set(p.op, p.lo, p.hi, p.mask, 15));
    case PrimKind::Vers:
      return one(kVers, masked_set(p.op, p.lo, p.hi, p.mask, 15));
    case PrimKind::Id:
      return one(kId, masked_set(p.op, p.lo, p.hi, p.mask, 65535));
    case PrimKind::Win:
      return one(kWin, masked_set(p.op, p.lo, p.hi, p.mask, 65535));
    case PrimKind::IpBytes:
    case PrimKind::TranspBytes: {
      const std::uint64_t max = p.len >= 4 ? 0xffffffffu : (std::uint64_t{1} << (8 * p.len)) - 1;
      const Field f = p.kind == PrimKind::IpBytes ? kIpBytes : kTranspBytes;
      std::vector<Atom> conj{Atom{f, masked_set(p.op, p.lo, p.hi, p.mask, max), std::uint32_t{p.pos} << 8 | p.len}};
      if (p.proto >= 0) conj.push_back(Atom{kProto, {{std::uint64_t(p.proto), std::uint64_t(p.proto)}}});
      return {conj};
    }
    case PrimKind::Dscp: {
      // dscp = tos >> 2: the same comparison on tos, widened to whole groups of four.
      Intervals d = masked_set(p.op, p.lo, p.hi, p.mask, 63), s;
      for (const auto& [lo, hi] : d) s.push_back({lo * 4, hi * 4 + 3});
      return one(kTos, s);
    }
  }
  return {};
}

inline Term whole() {
  return Term{};
}

// Conjunction of two terms; false when some field's set becomes empty.
inline bool conjoin(const Term& a, const Term& b, Term& out) {
  out = a;
  for (std::size_t w = 0; w < 2; ++w)
    if (b.window[w] != 0) out.window[w] = b.window[w];  // one window per pattern (the parser's check)
  for (int f = 0; f < kNumFields; ++f) {
    if (!b.constrained[f]) continue;
    if (!out.constrained[f]) {
      out.sets[f] = b.sets[f];
      out.constrained[f] = true;
    } else {
      out.sets[f] = intersect(out.sets[f], b.sets[f]);
    }
    if (out.sets[f].empty()) return false;
  }
  return true;
}

inline Term atom_term(const Atom& a, bool negated) {
  Term t;
  t.constrained[a.field] = true;
  t.sets[a.field] = negated ? complement(a.set, kFieldMax[a.field]) : a.set;
  if (a.field == kIpBytes || a.field == kTranspBytes) t.window[a.field == kIpBytes ? 0 : 1] = a.window;
  return t;
}

// Products that keep only satisfiable terms; false when the result grows past `limit`.
inline bool product(const std::vector<Term>& a, const std::vector<Term>& b, std::vector<Term>& out, std::size_t limit) {
  out.clear();
  for (const Term& x : a)
    for (const Term& y : b) {
      Term t;
      if (!conjoin(x, y, t)) continue;
      if (out.size() == limit) return false;
      out.push_back(std::move(t));
    }
  return true;
}

// Disjunctive normal form of node `n` (negated when `neg`): terms whose OR is the node.
inline bool dnf(const Expr& e, int n, bool neg, std::vector<Term>& out, std::size_t limit, int depth = 0) {
  if (depth > 4 * kMaxDepth + 8) return false;
  const Node& node = e.nodes[static_cast<std::size_t>(n)];
  out.clear();
  switch (node.kind) {
    case Node::True:
    case Node::False:
      if ((node.kind == Node::True) != neg) out.push_back(whole());
      return true;
    case Node::Not:
      return dnf(e, node.kids[0], !neg, out, limit, depth + 1);
    case Node::Leaf: {
      // prim = OR of ANDs of atoms; negated: AND of ORs of negated atoms.
      const auto conjs = prim_dnf(node.prim);
      if (!neg) {
        for (const auto& conj : conjs) {
          Term t = whole(), u;
          bool ok = true;
          for (const Atom& a : conj) {
            ok = ok && conjoin(t, atom_term(a, false), u);
            if (ok) t = u;
          }
          if (ok) out.push_back(std::move(t));
        }
        return out.size() <= limit;
      }
      out.push_back(whole());
      for (const auto& conj : conjs) {
        std::vector<Term> alts, next;
        for (const Atom& a : conj) alts.push_back(atom_term(a, true));
        if (!product(out, alts, next, limit)) return false;
        out.swap(next);
      }
      return true;
    }
    case Node::And:
    case Node::Or: {
      const bool conj = (node.kind == Node::And) != neg;
      if (conj) out.push_back(whole());
      std::vector<Term> kid, next;
      for (int k : node.kids) {
        if (!dnf(e, k, neg, kid, limit, depth + 1)) return false;
        if (conj) {
          if (!product(out, kid, next, limit)) return false;
          out.swap(next);
        } else {
          if (out.size() + kid.size() > limit) return false;
          for (Term& t : kid) out.push_back(std::move(t));
        }
      }
      return true;
    }
  }
  return false;
}

}  // namespace detail


bool to_terms(const Expr& e, std::vector<Term>& out, std::size_t limit) {
  return detail::dnf(e, e.root, false, out, limit);
}

std::string too_complex_message() {
  return "this pattern expands to more than " + std::to_string(kMaxTerms) +
         " alternatives (or-ed conjunctions); split it or simplify it";
}

bool build_tables(const std::vector<std::vector<Term>>& rule_terms, Tables& t, std::string& error) {
  t = Tables{};
  std::vector<const Term*> terms;
  for (std::size_t r = 0; r < rule_terms.size(); ++r)
    for (const Term& term : rule_terms[r]) {
      if (terms.size() == kMaxTerms) {
        error = "the patterns expand to more than " + std::to_string(kMaxTerms) +
                " alternatives in all (or-ed conjunctions); use fewer or simpler patterns";
        return false;
      }
      t.term_rule[terms.size()] = static_cast<std::uint16_t>(r);
      terms.push_back(&term);
    }
  t.nterms = static_cast<std::uint32_t>(terms.size());
  t.nwords = (t.nterms + 63) / 64;
  // The kernel reads one window of each header: every pattern must name the same one.
  std::uint32_t windows[2] = {0, 0};
  for (const Term* term : terms)
    for (std::size_t w = 0; w < 2; ++w) {
      if (term->window[w] == 0) continue;
      if (windows[w] != 0 && windows[w] != term->window[w]) {
        const char* base = w == 0 ? "ip" : "transp";
        error = std::string("the patterns read two different ") + base + "[POS:LEN] windows (" + base + "[" +
                std::to_string(windows[w] >> 8) + ":" + std::to_string(windows[w] & 0xff) + "] and " + base + "[" +
                std::to_string(term->window[w] >> 8) + ":" + std::to_string(term->window[w] & 0xff) +
                "]); an element reads one of each";
        return false;
      }
      windows[w] = term->window[w];
    }
  for (std::size_t w = 0; w < 2; ++w) {
    t.window_pos[w] = static_cast<std::uint16_t>(windows[w] >> 8);
    t.window_len[w] = static_cast<std::uint8_t>(windows[w] & 0xff);
  }
  auto set_bit = [&](int f, std::size_t cls, std::size_t term) {
    t.rows[f][cls][term / 64] |= std::uint64_t{1} << (term % 64);
  };
  auto contains = [](const Term& term, int f, std::uint64_t v) {
    if (!term.constrained[f]) return true;
    for (const auto& [lo, hi] : term.sets[f])
      if (lo <= v && v <= hi) return true;
    return false;
  };
  for (int f = 0; f < kNumFields; ++f) {
    for (const Term* term : terms) t.used[f] = t.used[f] || term->constrained[f];
    if (!t.used[f]) continue;
    if (kWideIndex[f] >= 0) {
      const int wi = kWideIndex[f];
      std::vector<std::uint64_t> b;
      for (const Term* term : terms)
        if (term->constrained[f])
          for (const auto& [lo, hi] : term->sets[f]) {
            if (lo > 0) b.push_back(lo);
            if (hi < kFieldMax[f]) b.push_back(hi + 1);
          }
      std::sort(b.begin(), b.end());
      b.erase(std::unique(b.begin(), b.end()), b.end());
      if (b.size() > kMaxBounds) {
        error = "the patterns compare the " + std::string(kFieldName[f]) + " with " + std::to_string(b.size()) +
                " different boundaries; at most " + std::to_string(kMaxBounds) + " are supported";
        return false;
      }
      t.nbounds[wi] = static_cast<std::uint32_t>(b.size());
      for (std::size_t i = 0; i < kMaxClasses; ++i) t.bounds[wi][i] = i < b.size() ? b[i] : UINT64_MAX;
      // Class c holds the values from b[c-1] (0 for c = 0) up to the next boundary.
      for (std::size_t c = 0; c <= b.size(); ++c) {
        const std::uint64_t rep = c == 0 ? 0 : b[c - 1];
        for (std::size_t i = 0; i < terms.size(); ++i)
          if (contains(*terms[i], f, rep)) set_bit(f, c, i);
      }
    } else {
      const int si = kSmallIndex[f];
      std::vector<std::array<std::uint64_t, kWords>> classes;
      for (std::uint64_t v = 0; v <= kFieldMax[f]; ++v) {
        std::array<std::uint64_t, kWords> row{};
        for (std::size_t i = 0; i < terms.size(); ++i)
          if (contains(*terms[i], f, v)) row[i / 64] |= std::uint64_t{1} << (i % 64);
        std::size_t c = 0;
        while (c < classes.size() && classes[c] != row) ++c;
        if (c == classes.size()) {
          if (classes.size() == kMaxClasses) {
            error = "the patterns distinguish too many values of the " + std::string(kFieldName[f]);
            return false;
          }
          classes.push_back(row);
        }
        t.class_of[si][v] = static_cast<std::uint8_t>(c);
      }
      // Values past the field's range (never produced) share class 0.
      for (std::size_t c = 0; c < classes.size(); ++c)
        for (std::size_t w = 0; w < kWords; ++w) t.rows[f][c][w] = classes[c][w];
    }
  }
  return true;
}

}  // namespace nb::elements::ipf

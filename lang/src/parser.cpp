// The .nbc grammar (Click's configuration language) in PEGTL, and the conversion of its parse
// tree into the AST.
//
// The top level is a loop over statements rather than one `star<statement>`: when a statement
// has a syntax error, the loop reports it, skips to the next statement boundary and goes on, so
// that independent errors are all reported in one run.
#include <nb/lang/parser.hpp>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>
#include <string>

namespace nb::lang {
namespace {

namespace pegtl = tao::pegtl;

// Thrown by hand-written rules that know better than PEGTL where an error belongs (the opening
// '(' of an unterminated configuration, not the end of the file).
struct SyntaxError {
  const char* at;
  std::size_t length;
  std::string message;
  const char* note_at = nullptr;
  std::string note;
};

// Compound bodies nest recursively in the grammar; bound the depth so that hostile input cannot
// exhaust the stack.
thread_local unsigned g_nesting = 0;
thread_local unsigned g_max_nesting = 64;
// The '{' of every compound body being parsed, innermost last: an unclosed one is pointed at.
thread_local std::vector<const char*> g_braces;
// The '(' of every element group being parsed, innermost last.
thread_local std::vector<const char*> g_parens;

// The start of the text being parsed: a line directive is only one at the start of a line.
thread_local const char* g_text_begin = nullptr;

// Whether `p` is the first thing on its line but for blanks (`base` is the start of the text).
bool at_line_start(const char* base, const char* p) {
  while (p > base && (p[-1] == ' ' || p[-1] == '\t')) --p;
  return p == base || p[-1] == '\n';
}

// A C preprocessor-style line directive, as Click reads them: `#line N "FILE"` or `# N "FILE"`
// (FILE optional; cpp's flags after it are allowed). `text` is the line from its '#'.
bool parse_line_directive(std::string_view text, std::uint32_t& line, std::string& file, std::string& error) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::size_t i = 1;
  auto blanks = [&] {
    std::size_t b = i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    return i > b;
  };
  blanks();
  if (text.compare(i, 4, "line") == 0) {
    i += 4;
    if (!blanks()) i = text.size() + 1;  // "#lines" or "#line5"
  }
  const std::size_t digits = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  std::uint64_t n = 0;
  bool ok = i > digits && i - digits <= 9;
  if (ok) {
    std::from_chars(text.data() + digits, text.data() + i, n);
    ok = n >= 1;
  }
  file.clear();
  if (ok && blanks() && i < text.size()) {
    if (text[i] != '"') {
      ok = false;
    } else {
      const std::size_t close = text.find('"', i + 1);
      ok = close != std::string_view::npos;
      if (ok) {
        file = std::string(text.substr(i + 1, close - i - 1));
        i = close + 1;
        for (; ok && i < text.size(); ++i) {
          ok = text[i] == ' ' || text[i] == '\t' || std::isdigit(static_cast<unsigned char>(text[i]));
        }
      }
    }
  } else if (ok && i < text.size()) {
    ok = false;
  }
  if (!ok) {
    error =
        "malformed line directive: expected '#line NUMBER \"FILE\"' or '# NUMBER \"FILE\"' (a line number from 1 to "
        "999999999)";
    return false;
  }
  line = static_cast<std::uint32_t>(n);
  return true;
}

// The one scanner of what every pass over configuration text steps over whole: comments (a //
// comment up to its line break, a /* comment past its */), quoted strings ('...' as written,
// "..." with backslash escapes) and, inside a configuration argument, Click's \<hex bytes>
// blocks, which may hold comments. Each pass decides which of them count where it is (strings
// only inside parentheses, say) and what an unterminated one means; none reads past the text.
struct Skipped {
  enum class Kind : std::uint8_t { None, LineComment, BlockComment, String, HexBlock };
  Kind kind = Kind::None;
  std::size_t end = 0;     // just past it (a // comment: at its line break); at most text.size()
  bool terminated = true;  // false: the text ends inside it
  bool comment() const { return kind == Kind::LineComment || kind == Kind::BlockComment; }
  bool quoted() const { return kind == Kind::String || kind == Kind::HexBlock; }
};

Skipped skip_at(std::string_view text, std::size_t i, bool hex_blocks = false) {
  constexpr std::size_t npos = std::string_view::npos;
  const char c = text[i];
  const bool pair = i + 1 < text.size();
  if (c == '/' && pair && text[i + 1] == '/') {
    const std::size_t e = text.find('\n', i);
    return {Skipped::Kind::LineComment, e == npos ? text.size() : e, true};
  }
  if (c == '/' && pair && text[i + 1] == '*') {
    const std::size_t e = text.find("*/", i + 2);
    return {Skipped::Kind::BlockComment, e == npos ? text.size() : e + 2, e != npos};
  }
  if (c == '"' || c == '\'') {
    std::size_t j = i + 1;
    while (j < text.size() && text[j] != c) {
      if (c == '"' && text[j] == '\\') ++j;
      ++j;
    }
    return {Skipped::Kind::String, std::min(j + 1, text.size()), j < text.size()};
  }
  if (hex_blocks && c == '\\' && pair && text[i + 1] == '<') {
    std::size_t j = i + 2;
    while (j < text.size() && text[j] != '>') {
      const Skipped inner = skip_at(text, j);
      j = inner.comment() ? inner.end : j + 1;
    }
    return {Skipped::Kind::HexBlock, std::min(j + 1, text.size()), j < text.size()};
  }
  return {};
}

// What a user would call the token at `p`, for "found ..." in messages.
std::pair<std::string, std::size_t> describe_token(const char* p, const char* end) {
  if (p >= end) return {"end of file", 0};
  auto u = static_cast<unsigned char>(*p);
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@'; };
  if (is_word(*p)) {
    const char* q = p;
    while (q < end && is_word(*q) && q - p < 40) ++q;
    return {fmt::format("'{}'", std::string_view(p, static_cast<std::size_t>(q - p))), static_cast<std::size_t>(q - p)};
  }
  if (u < 0x20 || u >= 0x7f) {
    if (*p == '\n' || *p == '\r') return {"end of line", 1};
    return {fmt::format("byte 0x{:02x}", u), 1};
  }
  if (end - p >= 2) {
    std::string_view two(p, 2);
    if (two == "->" || two == "::" || two == "||" || two == "//" || two == "/*") return {fmt::format("'{}'", two), 2};
  }
  return {fmt::format("'{}'", *p), 1};
}

namespace grammar {
using namespace pegtl;

struct line_comment : seq<two<'/'>, until<eolf>> {};

struct block_comment {
  using rule_t = block_comment;
  using subs_t = empty_list;
  template <typename ParseInput>
  static bool match(ParseInput& in) {
    const char* p = in.current();
    const char* end = in.end();
    if (end - p < 2 || p[0] != '/' || p[1] != '*') return false;
    const Skipped comment = skip_at(std::string_view(p, static_cast<std::size_t>(end - p)), 0);
    if (!comment.terminated) throw SyntaxError{p, 2, "unterminated /* comment", nullptr, {}};
    in.bump(comment.end);
    return true;
  }
};

// `#line N "FILE"` at the start of a line: white space to the grammar; the diagnostics read it.
struct line_directive {
  using rule_t = line_directive;
  using subs_t = empty_list;
  template <typename ParseInput>
  static bool match(ParseInput& in) {
    const char* p = in.current();
    if (p == in.end() || *p != '#' || !g_text_begin || !at_line_start(g_text_begin, p)) return false;
    const char* e = p;
    while (e < in.end() && *e != '\n') ++e;
    std::uint32_t line = 0;
    std::string file, error;
    if (!parse_line_directive(std::string_view(p, static_cast<std::size_t>(e - p)), line, file, error))
      throw SyntaxError{p, static_cast<std::size_t>(e - p), error, nullptr, {}};
    in.bump(static_cast<std::size_t>(e - p));
    return true;
  }
};

struct ws : sor<ascii::space, line_comment, block_comment, line_directive> {};
struct S : star<ws> {};

struct ident_char : sor<ascii::alnum, one<'_', '@'>> {};
// '/' joins compound paths (outer/inner) but never starts a comment.
struct ident_slash : seq<one<'/'>, at<ident_char>> {};
struct ident : seq<sor<ascii::alpha, one<'_', '@'>>, star<sor<ident_char, ident_slash>>> {};

// A configuration string: '(' ... ')' with nested parentheses, "quoted" and 'quoted' strings
// and comments. Scanned iteratively: nesting depth costs no stack.
struct config {
  using rule_t = config;
  using subs_t = empty_list;
  template <typename ParseInput>
  static bool match(ParseInput& in) {
    const char* open = in.current();
    const char* end = in.end();
    if (open == end || *open != '(') return false;
    const std::string_view text(open, static_cast<std::size_t>(end - open));
    std::size_t depth = 1;
    std::size_t i = 1;
    while (i < text.size()) {
      const char c = text[i];
      if (const Skipped skip = skip_at(text, i); skip.kind != Skipped::Kind::None) {
        if (!skip.terminated && skip.quoted()) {
          throw SyntaxError{open + i, 1,
                            fmt::format("unterminated string: missing closing {}", c == '"' ? "'\"'" : "\"'\""), open,
                            "in the configuration that starts here"};
        }
        if (!skip.terminated) throw SyntaxError{open + i, 2, "unterminated /* comment", nullptr, {}};
        i = skip.end;
      } else if (c == '(') {
        ++depth;
        ++i;
      } else if (c == ')') {
        if (--depth == 0) {
          in.bump(i + 1);
          return true;
        }
        ++i;
      } else {
        ++i;
      }
    }
    throw SyntaxError{open, 1, "unterminated '(': expected ')' before the end of the file", nullptr, {}};
  }
};
struct require_config : config {};
struct define_config : config {};

template <typename Rule, char Open = '{'>
struct nested {
  using rule_t = nested;
  using subs_t = type_list<Rule>;
  template <apply_mode A, rewind_mode M, template <typename...> class Action, template <typename...> class Control,
            typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    struct Guard {
      explicit Guard(const char* open) {
        ++g_nesting;
        (Open == '{' ? g_braces : g_parens).push_back(open);
      }
      ~Guard() {
        --g_nesting;
        (Open == '{' ? g_braces : g_parens).pop_back();
      }
    } guard(in.current() - 1);
    if (g_nesting > g_max_nesting) {
      throw SyntaxError{
          in.current(),
          1,
          fmt::format("{} are nested too deeply (the limit is {})",
                      Open == '{' ? "compound classes" : "element groups and compound classes", g_max_nesting),
          nullptr,
          {}};
    }
    return pegtl::match<Rule, A, M, Action, Control>(in, st...);
  }
};

template <typename Key>
struct keyword : seq<Key, not_at<ident_char>> {};
struct kw_elementclass : keyword<TAO_PEGTL_STRING("elementclass")> {};
struct kw_require : keyword<TAO_PEGTL_STRING("require")> {};
struct kw_define : keyword<TAO_PEGTL_STRING("define")> {};

struct port_number : plus<ascii::digit> {};
struct port_range_last : port_number {};
// `-` between two numbers makes a range; "->" after a port is never one.
struct port_dash : seq<one<'-'>, not_at<one<'>'>>> {};
// Click's open list `[2-]`: 2 and the ports after it, as many as the connection needs.
struct port_open : seq<port_dash, S, at<one<']'>>> {};
struct port_item : seq<port_number, opt<S, sor<port_open, seq<port_dash, S, must<port_range_last>>>>> {};
struct port_item_after_comma : port_item {};
struct rbracket : one<']'> {};
// Click's grammar allows a comma before the ']': `[0, 1,]`. `[]` is Click's open list of every
// port from 0.
struct port_body : seq<one<'['>, S, sor<at<one<']'>>, must<port_item>>,
                       star<S, one<','>, S, sor<at<one<']'>>, must<port_item_after_comma>>>, S, must<rbracket>> {};
struct in_port : port_body {};
struct out_port : port_body {};

struct statement;
struct semicolon : one<';'> {};

// Compound bodies: `{ $a, KEYWORD $k | statements }`.
struct variable : seq<one<'$'>, ident> {};
struct formal_keyword : ident {};
struct formal : seq<opt<formal_keyword, S>, variable> {};
struct formal_bar : seq<one<'|'>, not_at<one<'|'>>> {};
struct formal_after_comma : formal {};
struct formals : seq<formal, star<S, one<','>, S, must<formal_after_comma>>, S, must<formal_bar>> {};
// Click's overloads: `{ $a | ... || $a, $b | ... || ... }`.
struct overload_bar : two<'|'> {};
struct ellipsis : string<'.', '.', '.'> {};
// The '}' that closes a compound body; when it is missing, the error has a note at the '{'.
struct rbrace {
  using rule_t = rbrace;
  using subs_t = empty_list;
  template <typename ParseInput>
  static bool match(ParseInput& in) {
    if (!in.empty() && in.peek_char() == '}') {
      in.bump(1);
      return true;
    }
    auto [what, len] = describe_token(in.current(), in.end());
    throw SyntaxError{in.current(), std::max<std::size_t>(len, 1), fmt::format("expected a statement or '}}', found {}", what),
                      g_braces.empty() ? nullptr : g_braces.back(), "to match this '{'"};
  }
};
struct compound_alternative : seq<S, opt<formals>, star<S, sor<semicolon, statement>>, S> {};
struct compound_body : seq<compound_alternative, star<overload_bar, S, sor<seq<ellipsis, S>, compound_alternative>>> {};
struct compound_rest : seq<compound_body, rbrace> {};
struct compound : seq<one<'{'>, nested<compound_rest>> {};

struct class_name : ident {};
struct class_spec : seq<sor<compound, class_name>, opt<S, config>> {};
struct dcolon : two<':'> {};
struct element_name : ident {};
struct decl_name : ident {};
// `a, b :: C` declares both; without the '::', `a, b -> c` is a list of elements (below).
struct decl_more : seq<S, one<','>, S, decl_name> {};
struct decl_list : seq<plus<decl_more>, S, dcolon, S, must<class_spec>> {};
struct decl_single : seq<S, dcolon, S, must<class_spec>> {};
struct element_tail : sor<decl_list, decl_single, seq<S, config>> {};

// Click's element group: `( statements )` as an element.
struct rparen {
  using rule_t = rparen;
  using subs_t = empty_list;
  template <typename ParseInput>
  static bool match(ParseInput& in) {
    if (!in.empty() && in.peek_char() == ')') {
      in.bump(1);
      return true;
    }
    auto [what, len] = describe_token(in.current(), in.end());
    throw SyntaxError{in.current(), std::max<std::size_t>(len, 1),
                      fmt::format("expected a statement or ')' to close the element group, found {}", what),
                      g_parens.empty() ? nullptr : g_parens.back(), "the group opens here"};
  }
};
struct group_rest : seq<star<S, sor<semicolon, statement>>, S, rparen> {};
struct group : seq<one<'('>, nested<group_rest, '('>> {};

struct element : sor<seq<compound, opt<S, config>>, group, seq<element_name, opt<element_tail>>> {};

struct hop : seq<opt<in_port, S>, element, opt<S, out_port>> {};
struct arrow : sor<string<'-', '>'>, string<'=', '>'>> {};
// Inside a compound body or a group, Click's implicit `input` at the start of a connection
// (`-> x`, `[1] -> x`) and `output` at its end (`x ->`, `x -> [1]`). Not at the top level,
// where there is no input or output.
struct inside_body {
  using rule_t = inside_body;
  using subs_t = empty_list;
  template <typename ParseInput>
  static bool match(ParseInput&) {
    return g_nesting > 0;
  }
};
struct implicit_input : seq<inside_body, opt<out_port, S>, at<arrow>> {};
struct implicit_output : seq<inside_body, opt<in_port>, not_at<S, sor<arrow, one<','>>>> {};
struct hop_after_arrow : hop {};
struct after_arrow : sor<hop_after_arrow, implicit_output> {};
struct hop_after_comma : hop {};
struct more_hops : star<S, one<','>, S, must<hop_after_comma>> {};
struct connection : seq<sor<hop, implicit_input>, more_hops, star<S, arrow, S, must<after_arrow>, more_hops>> {};

struct class_decl_name : ident {};
struct synonym_name : ident {};
struct class_definition : sor<compound, synonym_name> {};
struct elementclass_statement : seq<kw_elementclass, S, must<class_decl_name>, S, must<class_definition>> {};
struct require_statement : seq<kw_require, S, must<require_config>> {};
struct define_statement : seq<kw_define, S, must<define_config>> {};

struct statement : sor<elementclass_statement, require_statement, define_statement, connection> {};

template <typename Rule>
inline constexpr const char* error_message = nullptr;
template <>
inline constexpr auto error_message<port_item> = "expected a port number";
template <>
inline constexpr auto error_message<port_item_after_comma> = "expected a port number after ','";
template <>
inline constexpr auto error_message<port_range_last> = "expected the last port of the range after '-'";
template <> inline constexpr auto error_message<rbracket> = "expected ']' after the port number";
template <>
inline constexpr auto error_message<hop_after_comma> = "expected an element name after ','";
template <> inline constexpr auto error_message<formal_after_comma> = "expected a formal parameter such as '$name' after ','";
template <>
inline constexpr auto error_message<formal_bar> = "expected '|' after the formal parameters";
template <> inline constexpr auto error_message<class_spec> = "expected an element class after '::'";
template <>
inline constexpr auto error_message<after_arrow> = "expected an element after '->'";
template <> inline constexpr auto error_message<class_decl_name> = "expected a class name after 'elementclass'";
template <> inline constexpr auto error_message<class_definition> =
    "expected '{' or the name of an existing class after the new class name";
template <> inline constexpr auto error_message<require_config> = "expected '(' after 'require'";
template <> inline constexpr auto error_message<define_config> = "expected '(' after 'define'";

struct errors {
  template <typename Rule>
  static constexpr auto message = error_message<Rule>;
};
template <typename Rule>
using control = must_if<errors>::control<Rule>;

template <typename Rule>
using selector = parse_tree::selector<
    Rule, parse_tree::store_content::on<
              port_number, port_range_last, port_open, port_item, port_item_after_comma, in_port, out_port,
              hop_after_comma, variable, group, implicit_input, implicit_output, formal_keyword, formal,
              formal_after_comma, formals, overload_bar, ellipsis, compound, hop_after_arrow, class_name, class_spec,
              config, require_config, define_config, dcolon, element_name, decl_name, element, hop, arrow, connection,
              class_decl_name, synonym_name, elementclass_statement, require_statement, define_statement>>;

}  // namespace grammar

// One side of a connection, by Click's rules (lexer.cc's yconnection_connect_all): the hops
// [begin, end) and how their ports are taken.
struct SidePlan {
  std::size_t begin = 0, end = 0;
  bool outputs = false;
  std::size_t min = 0;      // ports the lists name (an element without a port names one)
  std::size_t open = 0;     // hops whose list is open (`[N-]`, `[]`)
  bool expandable = false;  // the side takes ports past its lists
  bool missing = false;     // '=>': its one element without a port stands for ports 0, 1, ...
  bool step = false;        // each link takes the side's next port
  std::size_t extra = 0;    // how many ports past the lists it takes

  const std::optional<PortRef>& port(const Connection& c, std::size_t h) const {
    return outputs ? c.hops[h].out_port : c.hops[h].in_port;
  }
};

SidePlan make_side(const Connection& c, std::size_t b, std::size_t e, bool outputs) {
  SidePlan s;
  s.begin = b;
  s.end = e;
  s.outputs = outputs;
  for (std::size_t k = b; k < e; ++k) {
    const auto& p = s.port(c, k);
    s.min += p ? p->count() : 1;
    s.open += p && p->open ? 1 : 0;
  }
  return s;
}

// Which sides step and how far they stretch; `many` is '=>'.
void plan_sides(const Connection& c, SidePlan& out, SidePlan& in, bool many) {
  out.expandable = out.open > 0;
  in.expandable = in.open > 0;
  if (out.open + in.open > 1) (in.min < out.min ? out : in).expandable = false;  // an error: see check_port_counts
  if (many) {
    for (auto [s, o] : {std::pair<SidePlan*, SidePlan*>{&out, &in}, std::pair<SidePlan*, SidePlan*>{&in, &out}}) {
      if (s->min == 1 && o->min > 1 && !s->port(c, s->begin)) s->expandable = s->missing = true;
    }
  }
  for (auto [s, o] : {std::pair<SidePlan*, SidePlan*>{&out, &in}, std::pair<SidePlan*, SidePlan*>{&in, &out}}) {
    s->step = s->min > 1 || s->expandable;
    s->extra = s->expandable && o->min > s->min ? o->min - s->min : 0;
  }
}

using Node = pegtl::parse_tree::node;

class Converter {
 public:
  Converter(FileId file, const char* base, std::size_t text_size, DiagnosticEngine& diags)
      : file_(file), base_(base), text_size_(text_size), diags_(diags) {}

  Span span(const Node& n) const { return {file_, offset(n.m_begin.data), offset(n.m_end.data)}; }
  std::uint32_t offset(const char* p) const { return static_cast<std::uint32_t>(p - base_); }
  Ident ident(const Node& n) const { return {std::string(n.string_view()), span(n)}; }

  Config config(const Node& n) const {
    Config c;
    c.span = span(n);
    std::string_view all = n.string_view();
    c.raw = std::string(all.substr(1, all.size() - 2));
    c.args = split_config(c.raw, Span{file_, c.span.begin + 1, c.span.end - 1});
    return c;
  }

  unsigned port_number(const Node& n) const {
    std::string_view digits = n.string_view();
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || v > 65535) {
      const std::string shown = digits.size() <= 24
                                    ? std::string(digits)
                                    : fmt::format("{}... ({} digits)", digits.substr(0, 12), digits.size());
      diags_.error(span(n), fmt::format("port number {} is too large", shown)).note("port numbers go from 0 to 65535");
      return 0;
    }
    return v;
  }

  PortRef port(const Node& n) const {
    PortRef p;
    p.span = span(n);
    std::size_t count = 0;
    for (const auto& item : n.children) {
      if (!item->is_type<grammar::port_item>() && !item->is_type<grammar::port_item_after_comma>()) continue;
      PortRange r;
      bool range = false;
      for (const auto& child : item->children) {
        if (child->is_type<grammar::port_range_last>()) {
          r.last = port_number(*child);
          range = true;
        } else if (child->is_type<grammar::port_open>()) {
          p.open = true;
        } else if (child->is_type<grammar::port_number>()) {
          r.first = r.last = port_number(*child);
        }
      }
      if (range && r.last < r.first) {
        // Click silently connects nothing here; a range written backwards is a mistake.
        diags_.error(span(*item), fmt::format("the port range {}-{} is empty", r.first, r.last))
            .note(fmt::format("a range goes up: [{}-{}]", r.last, r.first));
        r.last = r.first;
      }
      count += r.last - r.first + 1;
      if (count > 65536) {
        diags_.error(span(*item), "a port list may name at most 65536 ports");
        break;
      }
      p.ranges.push_back(r);
    }
    if (p.ranges.empty()) {  // `[]`: Click's open list of every port from 0
      p.ranges.push_back({});
      p.open = true;
    }
    p.port = p.ranges.front().first;
    return p;
  }

  ClassRef class_spec(const Node& n) {
    ClassRef c;
    c.span = span(n);
    for (const auto& child : n.children) {
      if (child->is_type<grammar::class_name>()) c.name = ident(*child);
      else if (child->is_type<grammar::compound>()) c.inline_body = compound(*child, Ident{});
      else if (child->is_type<grammar::config>()) c.config = config(*child);
    }
    return c;
  }

  ElementRef element(const Node& n) {
    ElementRef e;
    e.span = span(n);
    bool declared = false;
    for (const auto& child : n.children) {
      if (child->is_type<grammar::element_name>() || child->is_type<grammar::decl_name>()) {
        e.names.push_back(ident(*child));
      } else if (child->is_type<grammar::dcolon>()) {
        declared = true;
      } else if (child->is_type<grammar::class_spec>()) {
        e.cls = class_spec(*child);
      } else if (child->is_type<grammar::compound>()) {
        e.cls.inline_body = compound(*child, Ident{});
        e.cls.span = span(*child);
      } else if (child->is_type<grammar::config>()) {
        e.cls.config = config(*child);
      } else if (child->is_type<grammar::group>()) {
        e.kind = ElementRef::Kind::Group;
        e.group = group(*child);
        return e;
      }
    }
    if (declared) {
      e.kind = ElementRef::Kind::Declaration;
    } else if (e.cls.inline_body || e.cls.config) {
      // `Class(config)` names its class in the element-name position.
      e.kind = ElementRef::Kind::Anonymous;
      if (!e.names.empty()) {
        e.cls.name = e.names.front();
        e.names.clear();
      }
      e.cls.span = e.span;
    } else {
      e.kind = ElementRef::Kind::Reference;
    }
    return e;
  }

  // An element group: its statements, and how many ports it has. Click's rules for its ports
  // are checked here: the ports `input` and `output` use inside are numbered from 0 without
  // gaps, and packets only enter at `input` and leave at `output`.
  std::shared_ptr<Group> group(const Node& n) {
    auto g = std::make_shared<Group>();
    g->span = span(n);
    for (const auto& child : n.children) {
      if (auto st = statement(*child)) g->body.push_back(std::move(*st));
    }
    // The first use of each port, by side (0: input's outputs, 1: output's inputs).
    std::map<unsigned, Span> used[2];
    for (const Statement& st : g->body) {
      const auto* conn = std::get_if<Connection>(&st.node);
      if (!conn) continue;
      bool reported = false;  // one misuse of input or output per connection
      connection_links(*conn, [&](const PortLink& l) {
        const Hop& from = conn->hops[l.from_hop];
        const Hop& to = conn->hops[l.to_hop];
        auto is = [](const Hop& h, const char* name) {
          return h.element.kind == ElementRef::Kind::Reference && h.element.names.size() == 1 &&
                 h.element.names.front().text == name;
        };
        auto where = [](const Hop& h, const std::optional<PortRef>& p) { return p ? p->span : h.element.span; };
        if (is(from, "input")) used[0].emplace(l.from_port, where(from, from.out_port));
        if (is(to, "output")) used[1].emplace(l.to_port, where(to, to.in_port));
        if (!reported && (is(to, "input") || is(from, "output"))) {
          reported = true;
          const bool input = is(to, "input");
          diags_
              .error(input ? to.element.span : from.element.span,
                     input ? "packets cannot go into the element group's 'input': they enter the group there"
                           : "packets cannot come out of the element group's 'output': they leave the group there")
              .note(input ? "'input' is the source of a connection inside the group: input [0] -> x"
                          : "'output' is the destination of a connection inside the group: x -> [0] output");
        }
        return true;
      });
    }
    for (int k = 0; k < 2; ++k) {
      const char* side = k == 0 ? "input" : "output";
      unsigned expected = 0;
      for (const auto& [port, at] : used[k]) {
        if (port != expected) {
          diags_.error(at, fmt::format("the element group uses {} {} but not {} {}", side, port, side, expected))
              .note(fmt::format("a group's {}s are numbered from 0 without gaps, as Click requires", side));
          break;
        }
        ++expected;
      }
      (k == 0 ? g->inputs : g->outputs) = used[k].empty() ? 0 : used[k].rbegin()->first + 1;
    }
    return g;
  }

  // A group's ports not written around it are its implied list of all its ports (Click's
  // "implicit, overridable port specifications").
  void imply_group_ports(Hop& h) const {
    if (h.element.kind != ElementRef::Kind::Group || !h.element.group) return;
    const Group& g = *h.element.group;
    auto all = [&](unsigned n) {
      PortRef p;
      p.ranges.push_back({0, n - 1});
      p.span = g.span;
      p.implicit = true;
      return p;
    };
    if (!h.in_port && g.inputs > 0) h.in_port = all(g.inputs);
    if (!h.out_port && g.outputs > 0) h.out_port = all(g.outputs);
  }

  // Every port of every group in the connection is connected from outside, and exists.
  void check_group_ports(const Connection& c) {
    std::vector<std::set<unsigned>> ins(c.hops.size()), outs(c.hops.size());
    bool any = false;
    for (const Hop& h : c.hops) any |= h.element.kind == ElementRef::Kind::Group && h.element.group;
    if (!any) return;
    connection_links(c, [&](const PortLink& l) {
      outs[l.from_hop].insert(l.from_port);
      ins[l.to_hop].insert(l.to_port);
      return true;
    });
    for (std::size_t i = 0; i < c.hops.size(); ++i) {
      const Hop& h = c.hops[i];
      if (h.element.kind != ElementRef::Kind::Group || !h.element.group) continue;
      const Group& g = *h.element.group;
      for (int k = 0; k < 2; ++k) {
        const bool input = k == 0;
        const unsigned n = input ? g.inputs : g.outputs;
        const std::set<unsigned>& seen = input ? ins[i] : outs[i];
        const char* side = input ? "input" : "output";
        const std::optional<PortRef>& written = input ? h.in_port : h.out_port;
        bool reported = false;
        for (unsigned port : seen) {
          if (port < n) continue;
          Span at = written ? written->span : g.span;
          Diagnostic& d = diags_.error(at, fmt::format("the element group has no {} {}", side, port));
          if (n == 0)
            d.note(fmt::format("no connection inside it uses '{}'", side));
          else if (n == 1)
            d.note(fmt::format("its only {} is {} 0, the one its connections use", side, side));
          else
            d.note(fmt::format("its {}s are 0 to {}, those its connections use", side, n - 1));
          reported = true;
          break;
        }
        for (unsigned port = 0; port < n && !reported; ++port) {
          if (seen.count(port)) continue;
          Diagnostic& d = diags_.error(written && !written->implicit ? written->span : g.span,
                                       fmt::format("{} {} of the element group is not connected", side, port));
          if (input)
            d.note("packets enter the group at 'input': connect something to each of its inputs, as in x => (...)");
          else
            d.note("packets leave the group at 'output': connect each of its outputs, as in (...) => x, y");
          break;
        }
      }
    }
  }

  Connection connection(const Node& n) {
    Connection c;
    c.span = span(n);
    c.hops.reserve(n.children.size() / 2 + 1);
    Span pending_arrow;
    bool pending_double = false;
    bool implicit_start = false;
    for (const auto& child : n.children) {
      if (child->is_type<grammar::arrow>()) {
        pending_arrow = span(*child);
        pending_double = child->string_view() == "=>";
        continue;
      }
      Hop h;
      h.after_comma = child->is_type<grammar::hop_after_comma>();
      if (!h.after_comma) {
        h.arrow = pending_arrow;
        h.many_to_many = pending_double;
      }
      for (const auto& part : child->children) {
        if (part->is_type<grammar::in_port>()) h.in_port = port(*part);
        else if (part->is_type<grammar::out_port>()) h.out_port = port(*part);
        else if (part->is_type<grammar::element>()) h.element = element(*part);
      }
      const bool implicit_in = child->is_type<grammar::implicit_input>();
      if (implicit_in || child->is_type<grammar::implicit_output>()) {
        // Click's implicit `input` or `output`: it stands where the port, or the arrow, is.
        ElementRef& e = h.element;
        e.kind = ElementRef::Kind::Reference;
        e.implicit = true;
        const std::optional<PortRef>& p = implicit_in ? h.out_port : h.in_port;
        e.span = p ? p->span : implicit_in ? Span{} : pending_arrow;
        e.names.push_back(Ident{implicit_in ? "input" : "output", e.span});
        if (implicit_in) implicit_start = true;
      }
      imply_group_ports(h);
      c.hops.push_back(std::move(h));
    }
    // An implicit `input` without a port is where the arrow after it is.
    if (implicit_start && c.hops.size() > 1 && !c.hops[0].element.span.valid()) {
      c.hops[0].element.span = c.hops[1].arrow;
      c.hops[0].element.names[0].span = c.hops[1].arrow;
    }
    if (c.hops.empty()) return c;
    // A list of elements with no arrow: `a, b Counter` lacks the '::' of a declaration.
    if (c.hops.size() > 1 && !c.hops.back().arrow.valid() &&
        std::all_of(c.hops.begin() + 1, c.hops.end(), [](const Hop& h) { return h.after_comma; })) {
      const char* p = base_ + c.span.end;
      const char* end = base_ + text_size_;
      while (p < end) {  // past white space and comments to the next token
        const std::string_view rest(p, static_cast<std::size_t>(end - p));
        if (std::isspace(static_cast<unsigned char>(*p)))
          ++p;
        else if (const Skipped skip = skip_at(rest, 0); skip.comment())
          p += skip.end;
        else
          break;
      }
      auto [what, len] = describe_token(p, end);
      const std::uint32_t at = offset(p);
      diags_
          .error(Span{file_, at, at + static_cast<std::uint32_t>(len)},
                 fmt::format("expected '::' after a list of element names, found {}", what))
          .note(
              "a list of elements is declared with '::' (a, b :: Counter) or connected with an arrow "
              "(a, b -> c)");
      return c;
    }
    // Ports that connect nothing (Click: "input port useless at start of chain").
    for (const Hop& h : c.hops) {
      if (&h != &c.hops.front() && !h.after_comma) break;
      if (h.in_port && !h.in_port->implicit) {
        diags_.error(h.in_port->span, "input port useless at start of chain")
            .note("an input port belongs after '->': a -> [1] b");
        break;
      }
    }
    for (std::size_t i = c.hops.size(); i-- > 0;) {
      if (c.hops[i].out_port && !c.hops[i].out_port->implicit) {
        diags_.error(c.hops[i].out_port->span, "output port useless at end of chain")
            .note("an output port belongs before '->': a [1] -> b");
        break;
      }
      if (!c.hops[i].after_comma) break;
    }
    check_port_counts(c);
    check_group_ports(c);
    return c;
  }

  // Click's "connection mismatch", "many-to-many connections require '=>'" and "at most one
  // expandable port allowed per connection".
  void check_port_counts(const Connection& c) {
    std::size_t side_begin = 0;
    std::size_t prev_begin = 0;
    for (std::size_t i = 1; i <= c.hops.size(); ++i) {
      if (i < c.hops.size() && c.hops[i].after_comma) continue;
      // [side_begin, i) is a side.
      if (side_begin > 0) {
        const Hop& first = c.hops[side_begin];
        SidePlan out = make_side(c, prev_begin, side_begin, true);
        SidePlan in = make_side(c, side_begin, i, false);
        plan_sides(c, out, in, first.many_to_many);
        auto plural = [](std::size_t n, const char* what, bool more = false) {
          if (more) return fmt::format("{} or more {}s", n, what);
          return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
        };
        if (out.open + in.open > 1) {
          diags_.error(first.arrow, "at most one port list of a connection may be open ('[N-]' or '[]')")
              .note("an open list takes as many ports as the other side names; the other side must name them");
        } else if (out.step && in.step) {
          if (!out.expandable && !in.expandable && out.min != in.min) {
            diags_
                .error(first.arrow, fmt::format("connection mismatch: {} connected to {}", plural(out.min, "output"),
                                                plural(in.min, "input")))
                .note("a list of ports on both sides connects them in pairs: the two lists must be as long");
          } else if ((out.expandable && !in.expandable && in.min < out.min) ||
                     (in.expandable && !out.expandable && out.min < in.min)) {
            diags_
                .error(first.arrow,
                       fmt::format("connection mismatch: {} connected to {}", plural(out.min, "output", out.expandable),
                                   plural(in.min, "input", in.expandable)))
                .note("an open list ('[N-]', '[]') takes more ports, never fewer, than it names");
          } else if (!first.many_to_many) {
            diags_
                .error(first.arrow,
                       fmt::format("connecting {} to {} in pairs needs '=>'", plural(out.min, "output", out.expandable),
                                   plural(in.min, "input", in.expandable)))
                .note(
                    "'->' connects one port to one port or to each port of a list; '=>' connects two lists in "
                    "pairs, as in Click: a [0-2] => [0-2] b");
          }
        }
        // An open list stretched past the last port number.
        for (const SidePlan* s : {&out, &in}) {
          if (!s->extra || s->missing) continue;
          for (std::size_t k = s->begin; k < s->end; ++k) {
            const auto& p = s->port(c, k);
            if (!p || !p->open) continue;
            if (p->ranges.back().last + s->extra > 65535)
              diags_.error(p->span, "this open port list would go past port 65535")
                  .note("port numbers go from 0 to 65535");
            break;
          }
        }
      }
      prev_begin = side_begin;
      side_begin = i;
    }
  }

  std::shared_ptr<ElementClassDecl> compound(const Node& n, Ident name) {
    auto first = std::make_shared<ElementClassDecl>();
    first->name = std::move(name);
    first->span = span(n);
    first->body_span = span(n);
    std::shared_ptr<ElementClassDecl> decl = first;  // the alternative being read
    const Span whole = span(n);
    for (const auto& child : n.children) {
      if (child->is_type<grammar::overload_bar>()) {
        const Span bar = span(*child);
        if (first->extends) {
          diags_.error(bar, "'...' must be the last alternative of an overloaded class")
              .note(first->extends_span, "'...' is here");
        }
        // Each body ends where the next '||' starts.
        decl->body_span.end = bar.begin;
        auto next = std::make_shared<ElementClassDecl>();
        next->name = first->name;
        next->span = whole;
        next->body_span = Span{file_, bar.begin, whole.end};
        first->overloads.push_back(next);
        decl = next;
        continue;
      }
      if (child->is_type<grammar::ellipsis>()) {
        first->extends = true;
        first->extends_span = span(*child);
        first->overloads.pop_back();  // `|| ...` is no body
        continue;
      }
      if (child->is_type<grammar::formals>()) {
        decl->has_formals_bar = true;
        std::map<std::string, Span> variables, keywords;  // the first of each, for "declared twice"
        for (const auto& f : child->children) {
          Formal formal;
          for (const auto& part : f->children) {
            if (part->is_type<grammar::formal_keyword>()) formal.keyword = ident(*part);
            else if (part->is_type<grammar::variable>()) formal.variable = ident(*part);
          }
          if (auto [it, fresh] = variables.emplace(formal.variable.text, formal.variable.span); !fresh) {
            diags_.error(formal.variable.span,
                         fmt::format("formal parameter '{}' is declared twice", formal.variable.text))
                .note(it->second, "first declared here");
          } else if (formal.keyword) {
            if (auto [kt, kfresh] = keywords.emplace(formal.keyword->text, formal.keyword->span); !kfresh) {
              diags_.error(formal.keyword->span, fmt::format("keyword '{}' is declared twice", formal.keyword->text))
                  .note(kt->second, "first declared here");
            }
          }
          decl->formals.push_back(std::move(formal));
        }
      } else if (auto st = statement(*child)) {
        decl->body.push_back(std::move(*st));
      }
    }
    return first;
  }

  std::optional<Statement> statement(const Node& n) {
    Statement st;
    st.span = span(n);
    if (n.is_type<grammar::connection>()) {
      st.node = connection(n);
    } else if (n.is_type<grammar::elementclass_statement>()) {
      Ident name;
      std::shared_ptr<ElementClassDecl> decl;
      for (const auto& child : n.children) {
        if (child->is_type<grammar::class_decl_name>()) name = ident(*child);
        else if (child->is_type<grammar::compound>()) decl = compound(*child, name);
        else if (child->is_type<grammar::synonym_name>()) {
          decl = std::make_shared<ElementClassDecl>();
          decl->name = name;
          decl->synonym = ident(*child);
        }
      }
      if (!decl) return std::nullopt;
      decl->span = st.span;
      st.node = decl;
    } else if (n.is_type<grammar::require_statement>()) {
      Require r;
      for (const auto& child : n.children) {
        if (child->is_type<grammar::require_config>()) r.config = config(*child);
      }
      st.node = std::move(r);
    } else if (n.is_type<grammar::define_statement>()) {
      Define d;
      for (const auto& child : n.children) {
        if (child->is_type<grammar::define_config>()) d.config = config(*child);
      }
      define_entries(d);
      st.node = std::move(d);
    } else {
      return std::nullopt;
    }
    return st;
  }

  // define($NAME value, $OTHER value)
  void define_entries(Define& d) {
    auto is_ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@'; };
    for (const ConfigArg& arg : d.config.args) {
      std::string_view text = arg.value;  // comments are white space
      if (text.size() < 2 || text[0] != '$' || !is_ident(text[1])) {
        diags_.error(arg.span.size() ? arg.span : d.config.span, "define expects '$NAME value'")
            .note("for example: define($PORT 0, $OUTFILE out.pcap)");
        continue;
      }
      std::size_t i = 1;
      while (i < text.size() && is_ident(text[i])) ++i;
      DefineEntry e;
      e.variable = {std::string(text.substr(0, i)), arg.value_span(0, i)};
      std::size_t v = i;
      while (v < text.size() && std::isspace(static_cast<unsigned char>(text[v]))) ++v;
      if (v == i && v < text.size()) {
        diags_.error(arg.value_span(i, i + 1), "expected a space between the variable name and its value");
        continue;
      }
      if (v == text.size()) {
        diags_.error(e.variable.span, fmt::format("'{}' is defined without a value", e.variable.text))
            .note(fmt::format("write define({} value); for an empty value, write define({} \"\")", e.variable.text,
                              e.variable.text));
        continue;
      }
      // The value keeps its own comments (for fmt) and its own span.
      std::uint32_t vb = arg.source_offset(v);
      e.value = make_config_arg(std::string_view(base_ + vb, arg.span.end - vb), Span{file_, vb, arg.span.end});
      d.entries.push_back(std::move(e));
    }
  }

 private:
  FileId file_;
  const char* base_;
  std::size_t text_size_;
  DiagnosticEngine& diags_;
};

// After an error in the statement starting at `start`, the offset at which to resume: just past
// the first ';' outside parentheses and braces, or the '}' that closes the statement's outermost
// brace, that comes after `error_at`. Square brackets are not counted (a port without its ']'
// must not swallow the rest of the file), and quoted strings inside parentheses are skipped
// (a ';' or ')' in a string is not one).
std::size_t resync(std::string_view text, std::size_t start, std::size_t error_at) {
  std::size_t parens = 0, braces = 0;
  std::size_t i = start;
  while (i < text.size()) {
    char c = text[i];
    if (const Skipped skip = skip_at(text, i); skip.comment() || (parens > 0 && skip.quoted())) {
      i = skip.end;
      continue;
    }
    if (c == '(') {
      ++parens;
    } else if (c == ')') {
      if (parens > 0) --parens;
    } else if (parens == 0) {
      if (c == '{') {
        ++braces;
      } else if (c == '}') {
        if (braces > 0 && --braces == 0 && i >= error_at) return i + 1;
      } else if (c == ';' && braces == 0 && i >= error_at) {
        return i + 1;
      }
    }
    ++i;
  }
  return text.size();
}

// Comments outside configuration strings, for `nbc fmt`.
// Whether the '(' at `i` opens a configuration (after a name or a compound's '}'), not an
// element group (after an arrow, a ',', a port, a ';' or another '(').
bool config_paren(std::string_view text, std::size_t i) {
  std::size_t j = i;
  while (j > 0) {
    const char c = text[j - 1];
    if (std::isspace(static_cast<unsigned char>(c))) {
      --j;
    } else if (c == '/' && j >= 2 && text[j - 2] == '*') {  // the end of a /* comment */
      const std::size_t open = text.rfind("/*", j - 2);
      if (open == std::string_view::npos) return true;
      j = open;
    } else {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@' || c == '}';
    }
  }
  return false;
}

std::vector<Comment> scan_comments(std::string_view text, FileId file) {
  std::vector<Comment> out;
  std::size_t depth = 0;
  std::vector<std::size_t> groups;  // the '(' of the element groups open at `i`
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    const Skipped skip = skip_at(text, i);
    if (skip.comment()) {
      const bool block = skip.kind == Skipped::Kind::BlockComment;
      std::size_t e = skip.end;
      if (!block) {
        // Trailing white space is not part of a comment (keeps `nbc fmt` idempotent).
        while (e > i + 2 && (text[e - 1] == '\r' || text[e - 1] == ' ' || text[e - 1] == '\t' ||
                             text[e - 1] == '\v' || text[e - 1] == '\f'))
          --e;
      }
      if (depth == 0) out.push_back({Span{file, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(e)}, block});
      i = e;
      continue;
    }
    if (depth > 0 && skip.quoted()) {
      i = skip.end;
      continue;
    }
    if (c == '#' && depth == 0 && at_line_start(text.data(), text.data() + i)) {
      // A line directive: kept by `nbc fmt` as a comment line is.
      std::size_t e = text.find('\n', i);
      if (e == std::string_view::npos) e = text.size();
      while (e > i + 1 && (text[e - 1] == '\r' || text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
      out.push_back({Span{file, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(e)}, false});
      i = e;
      continue;
    }
    if (c == '(' && depth == 0 && !config_paren(text, i)) {
      groups.push_back(i);  // an element group: its comments are the file's
    } else if (c == ')' && depth == 0 && !groups.empty()) {
      groups.pop_back();
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    }
    ++i;
  }
  return out;
}

}  // namespace

namespace {

bool is_space_char(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

}  // namespace

ConfigArg make_config_arg(std::string_view text, Span span) {
  std::size_t b = 0, e = text.size();
  while (b < e && is_space_char(text[b])) ++b;
  while (e > b && is_space_char(text[e - 1])) --e;
  ConfigArg arg;
  std::string_view raw = text.substr(b, e - b);
  arg.raw = std::string(raw);
  arg.span = Span{span.file, span.begin + static_cast<std::uint32_t>(b), span.begin + static_cast<std::uint32_t>(e)};
  if (raw.find('/') == std::string_view::npos) {  // no comment: the value is the raw text
    arg.value = arg.raw;
    return arg;
  }
  // Click's partial_uncomment: a comment, with the white space around it, separates words like
  // one space; comments at either end vanish.
  std::size_t i = 0;
  while (i < raw.size()) {
    if (is_space_char(raw[i])) ++i;
    else if (const Skipped skip = skip_at(raw, i); skip.comment()) i = skip.end;
    else break;
  }
  std::size_t left = i, right = i;
  bool closed = false;
  while (i < raw.size()) {
    const Skipped skip = skip_at(raw, i, true);
    if (is_space_char(raw[i])) {
      ++i;
    } else if (skip.comment()) {
      i = skip.end;
      closed = true;
    } else {
      if (closed) {
        arg.value_map.emplace_back(static_cast<std::uint32_t>(arg.value.size()), static_cast<std::uint32_t>(left));
        arg.value.append(raw.substr(left, right - left));
        arg.value += ' ';
        left = i;
        closed = false;
      }
      i = skip.quoted() ? skip.end : i + 1;
      right = i;
    }
  }
  if (arg.value.empty() && left == 0 && right == raw.size()) {
    arg.value = arg.raw;
    return arg;
  }
  arg.value_map.emplace_back(static_cast<std::uint32_t>(arg.value.size()), static_cast<std::uint32_t>(left));
  arg.value.append(raw.substr(left, right - left));
  return arg;
}

void connection_links(const Connection& c, const std::function<bool(const PortLink&)>& link) {
  // Walks a side's ports in order: each hop's list, then, for an open list, the ports after it.
  struct Cursor {
    std::size_t hop = 0, range = 0;
    unsigned offset = 0;
    bool beyond = false;  // past the list, on the ports an open list adds
    unsigned port = 0;
  };
  auto start = [&](const SidePlan& s, Cursor& cur) {
    cur.range = cur.offset = 0;
    cur.beyond = false;
    const auto& p = s.port(c, cur.hop);
    cur.port = p && !p->ranges.empty() ? p->ranges.front().first : 0;
  };
  auto advance = [&](SidePlan& s, Cursor& cur) {
    const auto& p = s.port(c, cur.hop);
    if (!cur.beyond && p && !p->ranges.empty()) {
      const PortRange& r = p->ranges[cur.range];
      if (r.first + cur.offset < r.last) {
        cur.port = r.first + ++cur.offset;
        return;
      }
      if (cur.range + 1 < p->ranges.size()) {
        cur.offset = 0;
        cur.port = p->ranges[++cur.range].first;
        return;
      }
    }
    if (s.extra > 0 && ((p && p->open) || (!p && s.missing)) && cur.port < 65535) {
      --s.extra;
      ++cur.port;
      cur.beyond = true;
      return;
    }
    if (++cur.hop < s.end) start(s, cur);
  };
  std::size_t prev_begin = 0, side_begin = 0;
  for (std::size_t i = 1; i <= c.hops.size(); ++i) {
    if (i < c.hops.size() && c.hops[i].after_comma) continue;
    if (side_begin > 0) {
      const Hop& first = c.hops[side_begin];
      SidePlan out = make_side(c, prev_begin, side_begin, true);
      SidePlan in = make_side(c, side_begin, i, false);
      plan_sides(c, out, in, first.many_to_many);
      if (!out.step && !in.step) in.step = true;
      Cursor oc{out.begin}, ic{in.begin};
      start(out, oc);
      start(in, ic);
      while (oc.hop < out.end && ic.hop < in.end) {
        if (!link(PortLink{oc.hop, oc.port, ic.hop, ic.port, first.arrow})) return;
        if (out.step) advance(out, oc);
        if (in.step) advance(in, ic);
      }
    }
    prev_begin = side_begin;
    side_begin = i;
  }
}

std::vector<ConfigArg> split_config(std::string_view text, Span base) {
  std::vector<ConfigArg> args;
  auto push = [&](std::size_t b, std::size_t e) {
    args.push_back(make_config_arg(text.substr(b, e - b), Span{base.file, base.begin + static_cast<std::uint32_t>(b),
                                                               base.begin + static_cast<std::uint32_t>(e)}));
  };
  // "()" and "( )" have no arguments at all.
  if (std::all_of(text.begin(), text.end(), is_space_char)) return args;
  std::size_t depth = 0, start = 0, i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (const Skipped skip = skip_at(text, i); skip.kind != Skipped::Kind::None) {
      i = skip.end;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    else if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    else if (c == ',' && depth == 0) {
      push(start, i);
      start = i + 1;
    }
    ++i;
  }
  push(start, std::min(i, text.size()));
  return args;
}

Program parse(const SourceManager& sources, FileId file, DiagnosticEngine& diags, ParseLimits limits) {
  Program program;
  program.file = file;
  const std::string& text = sources.file(file).text();
  const char* base = text.data();
  const char* end = base + text.size();
  program.comments = scan_comments(text, file);
  g_max_nesting = limits.max_nesting;
  g_text_begin = base;
  {
    // Line directives renumber what diagnostics show from the next line on; a malformed one is
    // reported by the grammar.
    const SourceFile& sf = sources.file(file);
    for (const Comment& c : program.comments) {
      if (text[c.span.begin] != '#') continue;
      std::uint32_t line = 0;
      std::string name, error;
      if (parse_line_directive(std::string_view(text).substr(c.span.begin, c.span.size()), line, name, error))
        sf.add_line_directive(sf.line_col(c.span.begin).line + 1, line, std::move(name));
    }
  }
  Converter conv(file, base, text.size(), diags);

  // Spans stay inside the text: an error at the end of the file is an empty span there.
  auto clamp = [&](const char* at, std::size_t length) {
    std::size_t off = std::min<std::size_t>(static_cast<std::size_t>(at - base), text.size());
    std::size_t e = std::min(off + length, text.size());
    return Span{file, static_cast<std::uint32_t>(off), static_cast<std::uint32_t>(e)};
  };
  auto report = [&](const char* at, std::size_t length, const std::string& message) -> Diagnostic& {
    return diags.error(clamp(at, length), message);
  };

  std::size_t pos = 0;
  while (pos < text.size() && !diags.at_limit()) {
    // Whitespace and comments between statements.
    {
      pegtl::memory_input<pegtl::tracking_mode::lazy> in(base + pos, end, sources.file(file).name());
      try {
        pegtl::parse<grammar::S>(in);
      } catch (const SyntaxError& e) {
        report(e.at, e.length, e.message);
        break;
      }
      pos = static_cast<std::size_t>(in.current() - base);
    }
    if (pos >= text.size()) break;
    if (text[pos] == ';') {
      ++pos;
      continue;
    }
    if (text[pos] == '}') {
      report(base + pos, 1, "unmatched '}'");
      ++pos;
      continue;
    }
    std::size_t start = pos;
    pegtl::memory_input<pegtl::tracking_mode::lazy> in(base + pos, end, sources.file(file).name());
    try {
      g_nesting = 0;
      g_braces.clear();
      g_parens.clear();
      auto root = pegtl::parse_tree::parse<grammar::statement, grammar::selector, pegtl::nothing, grammar::control>(in);
      if (!root) {
        auto [what, len] = describe_token(base + pos, end);
        report(base + pos, std::max<std::size_t>(len, 1),
               fmt::format("expected a statement (an element, a connection, 'elementclass', 'define' or 'require'), "
                           "found {}",
                           what));
        pos = resync(text, start, pos + 1);
        continue;
      }
      for (const auto& child : root->children) {
        if (auto st = conv.statement(*child)) program.statements.push_back(std::move(*st));
      }
      pos = static_cast<std::size_t>(in.current() - base);
    } catch (const SyntaxError& e) {
      Diagnostic& d = report(e.at, e.length, e.message);
      if (e.note_at) d.note(clamp(e.note_at, 1), e.note);
      pos = resync(text, start, static_cast<std::size_t>(e.at - base));
    } catch (const pegtl::parse_error& e) {
      std::size_t at = pos + (e.positions().empty() ? 0 : e.positions().front().byte);
      auto [what, len] = describe_token(base + at, end);
      std::string message = fmt::format("{}, found {}", e.message(), what);
      report(base + at, std::max<std::size_t>(len, 1), message);
      pos = resync(text, start, at);
    }
  }
  return program;
}

}  // namespace nb::lang

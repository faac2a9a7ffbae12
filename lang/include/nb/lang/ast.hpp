// The syntax tree of a .nbc file. Every node carries the Span it was parsed from, and every
// configuration argument keeps its raw text and its own span so that errors can point inside it.
#pragma once

#include <nb/lang/source.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace nb::lang {

struct Ident {
  std::string text;
  Span span;
};

// One comma-separated argument of a configuration string, trimmed of surrounding whitespace.
// `raw` is the text as written (comments included: `nbc fmt` keeps it); `value` is what the
// argument means: comments removed as Click's cp_uncomment does (a comment and the white space
// around it become one space, leading and trailing ones vanish). Arguments are parsed from
// `value`; source_offset() maps a position in `value` back to the file, so that errors point at
// the right column.
struct ConfigArg {
  std::string raw;
  Span span;
  std::string value;
  // Where each run of `value` starts: (index in value, offset from span.begin). Empty when
  // value == raw (no comments), the common case.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> value_map;

  // The file offset of value[i] (i may be value.size(): the end of the value).
  std::uint32_t source_offset(std::size_t i) const {
    if (value_map.empty()) return span.begin + static_cast<std::uint32_t>(std::min(i, raw.size()));
    // The last run that starts at or before i (the first run starts at 0).
    auto it = std::upper_bound(value_map.begin(), value_map.end(), i,
                               [](std::size_t v, const std::pair<std::uint32_t, std::uint32_t>& run) {
                                 return v < run.first;
                               });
    if (it != value_map.begin()) --it;
    std::uint32_t off = it->second + static_cast<std::uint32_t>(i - it->first);
    return span.begin + std::min(off, span.size());
  }
  // The file span of value[b, e).
  Span value_span(std::size_t b, std::size_t e) const {
    std::uint32_t sb = source_offset(b);
    std::uint32_t se = e > b ? source_offset(e - 1) + 1 : sb;
    return Span{span.file, sb, std::max(sb, std::min(se, span.end))};
  }
};

// The parenthesised configuration of an element, `require` or `define`.
struct Config {
  std::vector<ConfigArg> args;  // empty for "()"
  Span span;                    // from '(' to ')' inclusive
  std::string raw;              // text between the parentheses, untouched
};

struct ElementClassDecl;
struct Group;

// The class part of a declaration: a class name, or an anonymous compound `{ ... }`.
struct ClassRef {
  Ident name;                                // empty text for an anonymous compound
  std::shared_ptr<ElementClassDecl> inline_body;  // set for an anonymous compound
  std::optional<Config> config;
  Span span;
};

// An element as it appears in a connection or declaration:
//   name                    (Kind::Reference; may also name a class: an anonymous element)
//   Class(config)           (Kind::Anonymous)
//   name :: Class(config)   (Kind::Declaration, one name)
//   a, b :: Class           (Kind::Declaration, several names; only as a statement of its own)
//   { ... }(config)         (Kind::Anonymous with an inline compound)
//   ( statements )          (Kind::Group: Click's element group)
// Inside a compound body or a group, Click leaves out `input` at the start of a connection and
// `output` at its end (`-> x ->`, `[1] -> x`): such a hop is a Reference to "input" or
// "output" with `implicit` set, its span the port or arrow written where the name would be.
struct ElementRef {
  enum class Kind { Reference, Anonymous, Declaration, Group };
  Kind kind = Kind::Reference;
  std::vector<Ident> names;  // Reference: one name; Declaration: declared names
  ClassRef cls;              // Anonymous and Declaration
  std::shared_ptr<Group> group;  // Group
  bool implicit = false;
  Span span;
};

// `first-last` inside a port list; `[3]` is the range 3-3.
struct PortRange {
  unsigned first = 0;
  unsigned last = 0;
};

// `[1]`, or a port list as Click >= 2.1 has it: `[0, 1]`, `[0-2]`, `[0, 4-6]`, and Click's open
// lists `[2-]` (2 and the ports after it) and `[]` (every port from 0), which take as many ports
// as the other side of the connection needs.
struct PortRef {
  unsigned port = 0;              // the first port named
  std::vector<PortRange> ranges;  // as written, in order; empty only for a default-made PortRef
  Span span;                      // from '[' to ']'
  bool open = false;              // `[N-]` or `[]` (ranges then ends with N-N, or 0-0 for `[]`)
  bool implicit = false;          // not written: an element group's implied list of all its ports

  // How many ports the list names (a port named twice counts twice, as in Click); an open list
  // names these and may take more.
  std::size_t count() const {
    if (ranges.empty()) return 1;
    std::size_t n = 0;
    for (const PortRange& r : ranges) n += r.last >= r.first ? r.last - r.first + 1 : 0;
    return n;
  }
};

// One element in a connection chain, with the ports written around it: `[in] elem [out]`.
// Consecutive hops joined by ',' form one side of a connection (`a, b -> c`: Click's
// many-to-one); `after_comma` marks every hop of a side but its first.
struct Hop {
  std::optional<PortRef> in_port;
  ElementRef element;
  std::optional<PortRef> out_port;
  Span arrow;                 // the "->" or "=>" leading into this hop's side; invalid for the first side and after ','
  bool many_to_many = false;  // that arrow is "=>"
  bool after_comma = false;
};

// `a [p] -> [q] b -> c`. A lone element is a declaration statement.
struct Connection {
  std::vector<Hop> hops;
  Span span;
};

// One output-to-input pair a connection makes, by Click's rules for port lists, element lists
// and `=>` (see connection_links in parser.hpp).
struct PortLink {
  std::size_t from_hop = 0;
  unsigned from_port = 0;
  std::size_t to_hop = 0;
  unsigned to_port = 0;
  Span arrow;  // the arrow between the two sides
};

struct Formal {
  std::optional<Ident> keyword;  // KEYWORD for keyword formals
  Ident variable;                // "$name" including the '$'
};

struct Statement;

struct ElementClassDecl {
  Ident name;                  // empty for an anonymous compound
  std::optional<Ident> synonym;  // `elementclass A B;`
  std::vector<Formal> formals;
  bool has_formals_bar = false;
  std::vector<Statement> body;
  Span span;
  Span body_span;  // from '{' to '}'; of an overloaded class's first body: from '{' to the first '||'
  // Click's overloads, `{ $a | ... || $a, $b | ... }`: the alternatives after the first, in order
  // (each with the class's name, its formals, body and body_span, from the '||' before it).
  std::vector<std::shared_ptr<ElementClassDecl>> overloads;
  bool extends = false;  // ends with `|| ...`: the class it hides serves the arguments no body takes
  Span extends_span;     // the '...'
};

struct DefineEntry {
  Ident variable;  // "$NAME"
  ConfigArg value;
};

struct Define {
  std::vector<DefineEntry> entries;
  Config config;
};

struct Require {
  Config config;
};

struct Statement {
  std::variant<Connection, std::shared_ptr<ElementClassDecl>, Define, Require> node;
  Span span;  // excludes the terminating ';'
};

// Click's element group: statements in parentheses used as an element. It opens no scope: its
// declarations belong to the body around it. `input` and `output` inside are the group's ports;
// `inputs`/`outputs` count them (one more than the highest port used there).
struct Group {
  std::vector<Statement> body;
  Span span;  // from '(' to ')'
  unsigned inputs = 0;
  unsigned outputs = 0;
};

struct Comment {
  Span span;
  bool block = false;  // /* */ rather than //
};

struct Program {
  FileId file = kNoFile;
  std::vector<Statement> statements;
  std::vector<Comment> comments;  // every comment outside configuration strings, in order
};

}  // namespace nb::lang

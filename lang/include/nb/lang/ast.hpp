// The syntax tree of a .nbc file. Every node carries the Span it was parsed from, and every
// configuration argument keeps its raw text and its own span so that errors can point inside it.
#pragma once

#include <nb/lang/source.hpp>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nb::lang {

struct Ident {
  std::string text;
  Span span;
};

// One comma-separated argument of a configuration string, trimmed of surrounding whitespace.
struct ConfigArg {
  std::string raw;
  Span span;
};

// The parenthesised configuration of an element, `require` or `define`.
struct Config {
  std::vector<ConfigArg> args;  // empty for "()"
  Span span;                    // from '(' to ')' inclusive
  std::string raw;              // text between the parentheses, untouched
};

struct ElementClassDecl;

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
struct ElementRef {
  enum class Kind { Reference, Anonymous, Declaration };
  Kind kind = Kind::Reference;
  std::vector<Ident> names;  // Reference: one name; Declaration: declared names
  ClassRef cls;              // Anonymous and Declaration
  Span span;
};

struct PortRef {
  unsigned port = 0;
  Span span;  // from '[' to ']'
};

// One element in a connection chain, with the ports written around it: `[in] elem [out]`.
struct Hop {
  std::optional<PortRef> in_port;
  ElementRef element;
  std::optional<PortRef> out_port;
  Span arrow;  // the "->" leading into this hop; invalid for the first hop
};

// `a [p] -> [q] b -> c`. A lone element is a declaration statement.
struct Connection {
  std::vector<Hop> hops;
  Span span;
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
  Span body_span;  // from '{' to '}'
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

// Elaboration: from the AST of a .nbc file to the Graph IR.
//
// Compound classes are expanded as Click does: the elements of an instance `f` of a compound
// are named `f/inner`, and the compound's `input`/`output` pseudo-elements become "tunnels"
// that are spliced away at the end, so the graph holds only primitive elements. Connections are
// recorded by name first and resolved after each body, so elements may be used before the
// statement that declares them.
#include <nb/compiler/click_names.hpp>
#include <nb/compiler/driver.hpp>
#include <nb/lang/parser.hpp>

#include "address_info.hpp"
#include "bind_args.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <tuple>

namespace nb::compiler {
namespace {

using detail::keyword_of;
using detail::SubstArg;
using lang::ClassRef;
using lang::Config;
using lang::ConfigArg;
using lang::Connection;
using lang::Diagnostic;
using lang::ElementClassDecl;
using lang::ElementRef;
using lang::Span;
using lang::Statement;

constexpr unsigned kMaxInstantiationDepth = 100;
// Bounds on the expansion (docs/language.md, "Limits"). Compound classes that instantiate each
// other twice per level double the graph at every level: a few lines expand to billions of
// elements. Expansion stops at the first limit it reaches, before doing that work.
// Elements and compound instances in all: a 100,000-element graph expands in about half a second.
constexpr std::size_t kMaxElements = 150'000;
// One argument after $variable substitution (a formal passed on as $x$x doubles per level).
constexpr std::size_t kMaxArgumentBytes = 1u << 20;
// What the expansion makes, in bytes: names, arguments and instantiation contexts (a deep
// element names and remembers every enclosing instance), plus kFixedCost per element and per
// connection. About the memory the expanded graph takes.
constexpr std::size_t kMaxExpandedBytes = 96u << 20;
constexpr std::size_t kFixedCost = 128;
// And per statement of a body for every instance of the body (a define's entries count as an
// element each: each is bound again).
constexpr std::size_t kStatementCost = 64;
// "in 'x' instantiated here" notes shown for one error; deeper ones are summed up.
constexpr std::size_t kMaxContextNotes = 5;

struct Binding {
  // A define's value in the AST, or a formal's argument kept by the Elaborator: never copied per
  // instance (a body's defines are bound again for every instance of it).
  const std::string* value = nullptr;
  Span defined_at;
  bool broken = false;  // its argument was already reported: uses of it are not checked again
  mutable bool used = false;  // for command-line definitions: one that nothing uses is a typo
};
using BindingMap = std::map<std::string, Binding, std::less<>>;

// The variables visible in a body: its own (a class's formals, a body's defines), then those of
// the scope around it. Chained rather than copied, so that an instance costs nothing per
// variable visible where it is created (a big define used by many instances stays one string).
struct Bindings {
  const Bindings* parent = nullptr;
  BindingMap own;

  const Binding* find(std::string_view name) const {
    for (const Bindings* b = this; b; b = b->parent) {
      auto it = b->own.find(name);
      if (it != b->own.end()) return &it->second;
    }
    return nullptr;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const Bindings* b = this; b; b = b->parent) {
      for (const auto& [n, v] : b->own) out.push_back(n);
    }
    return out;
  }
};

struct ClassScope {
  const ClassScope* parent = nullptr;
  std::map<std::string, const ElementClassDecl*, std::less<>> classes;
  std::map<const ElementClassDecl*, const ClassScope*> defined_in;  // lexical scope of each class here
};

struct Instance;

// A vertex is a primitive element or one port of a compound instance (a tunnel).
struct Vertex {
  bool tunnel = false;
  unsigned element = 0;  // for elements: index into graph.elements
  // For tunnels:
  bool input_side = false;  // the instance's input port (fed from outside, drained inside)
  unsigned port = 0;
  std::string owner;        // instance name
  std::string owner_class;  // its class name
  Span owner_span;
  const Instance* instance = nullptr;
};

struct RawEdge {
  unsigned from = 0, from_port = 0, to = 0, to_port = 0;
  Span from_span, to_span, arrow;
  std::size_t depth = 0;        // how deep inside compound instances it is written
  std::vector<Span> context;    // those instances, outermost first
};

struct Instance {
  std::string name;
  std::string class_name;
  Span span;
  std::map<unsigned, unsigned> in_tunnels;   // port -> vertex
  std::map<unsigned, unsigned> out_tunnels;  // port -> vertex
  // An error was reported inside its body: connections there may be missing, so its ports are
  // not checked (one mistake, one error).
  bool broken = false;
  // An element group (Click's `( ... )`): the parser has checked its ports.
  bool group = false;
};

// Calls f on every statement of a body, those inside its element groups too (a group opens no
// scope: its statements belong to the body around it).
template <typename F>
void for_each_statement(const std::vector<Statement>& stmts, const F& f) {
  for (const Statement& st : stmts) {
    f(st);
    if (auto* conn = std::get_if<Connection>(&st.node)) {
      for (const lang::Hop& h : conn->hops) {
        if (h.element.group) for_each_statement(h.element.group->body, f);
      }
    }
  }
}

// What a local name in a body stands for.
struct Local {
  enum class Kind { Primitive, Compound, Broken } kind = Kind::Broken;
  unsigned vertex = 0;            // Primitive
  Instance* instance = nullptr;   // Compound
  Span span;
};

bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@'; }

class Elaborator {
 public:
  Elaborator(const Registry& registry, lang::DiagnosticEngine& diags, const Definitions& definitions)
      : registry_(registry), diags_(diags), definitions_(definitions) {}

  std::optional<Graph> run(const lang::Program& program) {
    std::size_t errors_before = diags_.error_count();
    root_scope_.parent = nullptr;
    // Definitions from the command line are the outermost scope, and a top-level define of
    // the same name gives way to them (body()), as in Click.
    Bindings globals;
    for (const Definition& d : definitions_) globals.own[d.name] = Binding{&d.value, Span{}};
    body(program.statements, root_scope_, "", globals, nullptr);
    if (stopped_) return std::move(graph_);
    // A definition nothing uses is most likely a misspelt name: the configuration runs
    // without it.
    for (const auto& [name, b] : globals.own) {
      if (b.used || diags_.has_errors()) continue;
      std::vector<std::string> candidates;
      for (const auto& [n, span] : defined_) candidates.push_back(n);
      for (const auto& [n, span] : used_names_) candidates.push_back(n);
      std::string hint = lang::closest_match(name, candidates);
      Diagnostic& d =
          diags_.warning(Span{}, fmt::format("{}={} from the command line: the configuration does not use ${}",
                                             name.substr(1), *b.value, name.substr(1)));
      if (!hint.empty()) d.note(fmt::format("did you mean {}?", hint.substr(1)));
    }
    check_uninstantiated();
    splice();
    // An empty file, or one of nothing but comments and classes, is almost surely the wrong file:
    // running it would do nothing and exit 0.
    if (graph_.elements.empty() && diags_.error_count() == errors_before) {
      Span where{program.file, 0, 0};
      error(where, "the configuration has no elements")
          .note("a configuration needs at least one element, for example: FromDump(in.pcap) -> Discard;");
    }
    return std::move(graph_);
  }

 private:
  Diagnostic& error(Span span, std::string message) {
    Diagnostic& d = diags_.error(span, std::move(message));
    add_context(d);
    for (Instance* inst : context_) inst->broken = true;
    return d;
  }

  void add_context(Diagnostic& d) {
    std::size_t shown = 0;
    for (auto it = context_.rbegin(); it != context_.rend(); ++it) {
      if (shown == kMaxContextNotes && context_.size() > kMaxContextNotes + 1) {
        std::size_t more = context_.size() - shown;
        d.note(fmt::format("... and {} more instantiation{}", more, more == 1 ? "" : "s"));
        break;
      }
      d.note((*it)->span, fmt::format("in '{}' (elementclass {}) instantiated here", (*it)->name, (*it)->class_name));
      ++shown;
    }
  }

  // ---- names and classes ------------------------------------------------------------------

  const ElementClassDecl* find_compound(const ClassScope& scope, std::string_view name, const ClassScope** where) {
    for (const ClassScope* s = &scope; s; s = s->parent) {
      auto it = s->classes.find(name);
      if (it != s->classes.end()) {
        if (where) *where = s;
        return it->second;
      }
    }
    return nullptr;
  }

  std::vector<std::string> class_candidates(const ClassScope& scope) {
    std::vector<std::string> names = registry_.names();
    for (const ClassScope* s = &scope; s; s = s->parent) {
      for (const auto& [n, d] : s->classes) names.push_back(n);
    }
    return names;
  }

  bool class_exists(const ClassScope& scope, std::string_view name) {
    return find_compound(scope, name, nullptr) || registry_.find(name);
  }

  void unknown_class(const ClassScope& scope, const lang::Ident& name) {
    std::string hint = diags_.at_limit() ? std::string() : lang::closest_match(name.text, class_candidates(scope));
    Diagnostic& d = error(name.span, fmt::format("unknown element class '{}'", name.text));
    // A Click user's class name: what to use says more than the nearest spelling.
    if (const ClickReplacement* click = find_click_replacement(name.text)) d.note(click_replacement_note(*click));
    else if (!hint.empty()) d.note(fmt::format("did you mean '{}'?", hint));
    else d.note("`nbc doc` lists every element class");
  }

  // Counts what an element or instance adds to the expansion; false (reported once, and the
  // expansion stops) when that passes a limit.
  bool charge(std::size_t elements, std::size_t bytes, Span where) {
    if (stopped_) return false;
    expanded_elements_ += elements;
    expanded_bytes_ += bytes;
    if (expanded_elements_ <= kMaxElements && expanded_bytes_ <= kMaxExpandedBytes) return true;
    stopped_ = true;
    Diagnostic& d = expanded_elements_ > kMaxElements
                        ? error(where, fmt::format("the configuration expands to more than {} elements, the limit "
                                                   "(compound instances count as elements)",
                                                   kMaxElements))
                        : error(where, fmt::format("the expanded configuration is larger than {} MiB, the limit",
                                                   kMaxExpandedBytes >> 20));
    if (expanded_elements_ <= kMaxElements)
      d.note(
          "it counts every element, connection and statement of every compound instance, with their names, "
          "arguments and enclosing instances");
    if (!context_.empty())
      d.note("compound classes that each instantiate others several times grow exponentially with their depth");
    return false;
  }

  // ---- variable substitution --------------------------------------------------------------

  // Substitutes $variables in the argument's value (comments are already gone from it).
  // `keep_undefined`: an undefined variable stays as written, for the element (ElementSpec::raw_arguments).
  SubstArg substitute(const ConfigArg& arg, const Bindings& vars, bool keep_undefined = false) {
    SubstArg out{std::string(), arg.span, false, false, &arg, arg.value.empty() && !arg.raw.empty()};
    const std::string& raw = arg.value;
    out.text.reserve(raw.size());
    char quote = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (quote == '\'') {
        out.text += c;
        if (c == '\'') quote = 0;
        continue;
      }
      if (c == '\'' && !quote) quote = '\'';
      if (c == '$' && i + 1 < raw.size() && (is_ident_char(raw[i + 1]) || raw[i + 1] == '{')) {
        std::size_t b = i + 1, e;
        bool braced = raw[b] == '{';
        if (braced) {
          e = raw.find('}', b);
          if (e == std::string::npos) {
            out.text += c;
            continue;
          }
          std::string name = "$" + raw.substr(b + 1, e - b - 1);
          // Click's ${VAR-DEFAULT}: DEFAULT, as written, where VAR is not defined.
          if (const std::size_t dash = name.find('-'); dash != std::string::npos) {
            const std::string fallback = name.substr(dash + 1);
            name.resize(dash);
            const Binding* found = vars.find(name);
            if (found)
              found->used = true;
            else
              used_names_.emplace(name, Span{});
            if (!found) {
              out.substituted = true;
              if (out.too_long || out.text.size() + fallback.size() > kMaxArgumentBytes)
                out.too_long = true;
              else
                out.text += fallback;
              i = e;
              continue;
            }
          }
          if (keep_undefined && !vars.find(name))
            out.text += raw.substr(i, e + 1 - i);
          else
            replace(out, name, vars, arg.value_span(i, e + 1));
          i = e;
          continue;
        }
        e = b;
        while (e < raw.size() && is_ident_char(raw[e])) ++e;
        std::string name = raw.substr(i, e - i);
        if (keep_undefined && !vars.find(name))
          out.text += name;
        else
          replace(out, name, vars, arg.value_span(i, e));
        i = e - 1;
        continue;
      }
      out.text += c;
    }
    if (out.too_long && quiet_) {
      out.failed = true;
      out.text.clear();
    } else if (out.too_long) {
      Diagnostic& d = error(arg.span, fmt::format("after substitution this argument is longer than {} MiB, the limit "
                                                  "for one argument",
                                                  kMaxArgumentBytes >> 20));
      d.note("a formal passed on as $x$x doubles at every level of compound classes");
      out.failed = true;
      out.text.clear();
    }
    return out;
  }

  void replace(SubstArg& out, const std::string& name, const Bindings& vars, Span where) {
    const Binding* b = vars.find(name);
    if (b) b->used = true;
    if (!b && quiet_) {
      out.text += name;
      out.failed = true;
      return;
    }
    if (!b) {
      // Past the error limit nothing is shown: the hint is not worth its search.
      std::string hint = diags_.at_limit() ? std::string() : lang::closest_match(name, vars.names());
      Diagnostic& d = error(where, fmt::format("undefined variable '{}'", name));
      if (!hint.empty()) d.note(fmt::format("did you mean '{}'?", hint));
      else d.note("variables come from define($NAME value) or from the formal parameters of an elementclass");
      out.text += name;
      out.failed = true;
      return;
    }
    out.substituted = true;
    if (b->broken) out.failed = true;
    if (out.too_long || out.text.size() + b->value->size() > kMaxArgumentBytes) {
      out.too_long = true;
      return;
    }
    out.text += *b->value;
  }

  // Whether `cls` is a built-in class that reads its own $variables (Script), not a compound.
  bool keeps_undefined_variables(const ClassRef& cls, const lang::Ident& class_ident, const ClassScope& scope) {
    if (cls.inline_body) return false;
    const ClassScope* unused = nullptr;
    if (find_compound(scope, class_ident.text, &unused)) return false;
    const ElementClass* prim = registry_.find(class_ident.text);
    return prim && prim->spec->raw_arguments;
  }

  // ---- instantiation ----------------------------------------------------------------------

  // Creates the element or compound instance `local` of class `cls` in the current body.
  Local instantiate(const std::string& prefix, const std::string& local, bool anonymous, const ClassRef& cls,
                    const lang::Ident& class_ident, Span span, const ClassScope& scope, const Bindings& vars) {
    Local result;
    result.span = span;
    std::vector<SubstArg> args;
    if (cls.config) {
      const bool raw = keeps_undefined_variables(cls, class_ident, scope);
      for (const ConfigArg& a : cls.config->args) {
        SubstArg sa = substitute(a, vars, raw);
        // A __REST__ formal holds several arguments: they become arguments again here, as
        // Click substitutes before it splits a configuration.
        if (sa.substituted && !sa.failed && sa.text.find(',') != std::string::npos) {
          std::vector<ConfigArg> parts = lang::split_config(sa.text, Span{});
          if (parts.size() > 1) {
            for (const ConfigArg& p : parts) {
              SubstArg piece = sa;
              piece.text = p.value;
              args.push_back(std::move(piece));
            }
            continue;
          }
        }
        args.push_back(std::move(sa));
      }
    }
    // A configuration of nothing but comments has no arguments, like "()".
    if (args.size() == 1 && args[0].comment_only) args.clear();
    Span class_span = cls.inline_body ? cls.span : class_ident.span;
    std::size_t bytes = kFixedCost + prefix.size() + local.size() + context_.size() * sizeof(Span);
    for (const SubstArg& a : args) bytes += a.text.size();
    if (!charge(1, bytes, span)) return result;

    const ClassScope* defined_in = &scope;
    const ElementClassDecl* decl = cls.inline_body.get();
    if (!decl) decl = find_compound(scope, class_ident.text, &defined_in);
    // Click's override idiom: inside `elementclass X { ... X ... }` X is the class X hides (an
    // outer one, or the built-in), not X itself.
    if (decl && !cls.inline_body && !active_.empty() && alternative_of(active_.back(), decl)) {
      const ClassScope* outer = defined_in->parent;
      const ElementClassDecl* hidden = outer ? find_compound(*outer, class_ident.text, &defined_in) : nullptr;
      if (hidden || registry_.find(class_ident.text)) decl = hidden;
    }
    // Follow `elementclass A B;` synonyms.
    for (int hops = 0; decl && decl->synonym; ++hops) {
      instantiated_.insert(decl);
      if (hops > 64) {
        error(decl->synonym->span, fmt::format("elementclass '{}' is defined in terms of itself", decl->name.text));
        return result;
      }
      const ClassScope* where = defined_in;
      const ElementClassDecl* next = find_compound(*where, decl->synonym->text, &defined_in);
      if (!next) {
        const ElementClass* prim = registry_.find(decl->synonym->text);
        if (!prim) {
          unknown_class(*where, *decl->synonym);
          return result;
        }
        return primitive(prefix, local, anonymous, *prim, args, span, class_span, cls);
      }
      decl = next;
    }
    if (decl) {
      if (cls.inline_body) defined_in = &scope;
      // Click's overloads: the first body whose formals take these arguments; with `|| ...`,
      // the class it extends when none does.
      for (int hops = 0; decl && (!decl->overloads.empty() || decl->extends); ++hops) {
        instantiated_.insert(decl);
        const ElementClassDecl* chosen = choose_overload(*decl, args);
        if (chosen) {
          decl = chosen;
          break;
        }
        if (!decl->extends || hops > 64) {
          no_overload(*decl, args, cls.config ? cls.config->span : span);
          return result;
        }
        const ClassScope* outer = defined_in->parent;
        const ElementClassDecl* hidden = outer ? find_compound(*outer, class_ident.text, &defined_in) : nullptr;
        if (!hidden) {
          const ElementClass* prim = registry_.find(class_ident.text);
          if (!prim) {
            error(decl->extends_span, fmt::format("elementclass '{}' extends a class with '...', but there is no "
                                                  "other class '{}' to extend",
                                                  class_ident.text, class_ident.text))
                .note(span, "no body of it takes the arguments given here");
            return result;
          }
          return primitive(prefix, local, anonymous, *prim, args, span, class_span, cls);
        }
        decl = hidden;
      }
      return compound(prefix, local, *decl, *defined_in, args, span, cls, vars);
    }
    const ElementClass* prim = registry_.find(class_ident.text);
    if (!prim) {
      unknown_class(scope, class_ident);
      return result;
    }
    return primitive(prefix, local, anonymous, *prim, args, span, class_span, cls);
  }

  Local primitive(const std::string& prefix, const std::string& local, bool anonymous, const ElementClass& cls,
                  const std::vector<SubstArg>& args, Span span, Span class_span, const ClassRef& ref) {
    Element el;
    el.name = prefix + local;
    el.cls = &cls;
    el.anonymous = anonymous;
    el.span = span;
    el.class_span = class_span;
    el.args.reserve(args.size());
    for (const SubstArg& a : args) el.args.push_back(a.text);
    el.context.reserve(context_.size());
    for (const Instance* inst : context_) el.context.push_back(inst->span);
    Span where = ref.config ? ref.config->span : class_span;
    const detail::AddressScope addresses{&addresses_, prefix};
    detail::bind_params(
        el, args, where, [this](Span at, std::string message) -> Diagnostic& { return error(at, std::move(message)); },
        &addresses);
    graph_.elements.push_back(std::move(el));
    Vertex v;
    v.element = static_cast<unsigned>(graph_.elements.size() - 1);
    vertices_.push_back(v);
    return Local{Local::Kind::Primitive, static_cast<unsigned>(vertices_.size() - 1), nullptr, span};
  }

  Local compound(const std::string& prefix, const std::string& local, const ElementClassDecl& decl,
                 const ClassScope& defined_in, const std::vector<SubstArg>& args, Span span, const ClassRef& ref,
                 const Bindings& outer_vars) {
    Local result;
    result.span = span;
    std::string class_name = decl.name.text.empty() ? std::string("{...}") : decl.name.text;
    if (std::find(active_.begin(), active_.end(), &decl) != active_.end()) {
      Diagnostic& d = error(span, fmt::format("recursive compound class '{}': it contains itself", class_name));
      d.note(decl.name.span.valid() ? decl.name.span : decl.span, fmt::format("'{}' is defined here", class_name));
      return result;
    }
    if (active_.size() >= kMaxInstantiationDepth) {
      error(span, fmt::format("compound classes are instantiated too deeply (the limit is {})",
                              kMaxInstantiationDepth));
      return result;
    }
    // Bind formals: positional ones in order, KEYWORD ones by keyword.
    Bindings vars{&outer_vars, {}};
    std::vector<const lang::Formal*> positional;
    std::vector<std::string> keywords;
    // `__REST__ $rest` takes whatever the other formals do not, as Click's compounds do.
    const lang::Formal* rest = nullptr;
    std::string rest_text;
    for (const lang::Formal& f : decl.formals) {
      if (f.keyword && f.keyword->text == "__REST__")
        rest = &f;
      else if (!f.keyword)
        positional.push_back(&f);
      else keywords.push_back(f.keyword->text);
    }
    auto to_rest = [&](const SubstArg& arg) {
      if (!rest_text.empty()) rest_text += ", ";
      rest_text += arg.text;
    };
    std::size_t next = 0;
    std::set<std::string> bound;
    // After a reported argument error, missing arguments are not reported too, and the formals
    // left unbound are broken: their uses inside the body are not checked again.
    bool arg_errors = false;
    Span where = ref.config ? ref.config->span : span;
    const Span defined_at = decl.name.span.valid() ? decl.name.span : Span{decl.span.file, decl.span.begin, decl.span.begin + 1};
    for (const SubstArg& arg : args) {
      auto kw = keyword_of(arg.text);
      const lang::Formal* by_kw = nullptr;
      if (kw) {
        for (const lang::Formal& f : decl.formals) {
          if (f.keyword && f.keyword->text == kw->first && &f != rest) by_kw = &f;
        }
      }
      if (by_kw) {
        vars.own[by_kw->variable.text] = Binding{&keep(arg.text.substr(kw->second)), arg.span, arg.failed};
        bound.insert(by_kw->variable.text);
        continue;
      }
      bool positional_left = next < positional.size();
      if (rest && !by_kw && (kw || !positional_left)) {
        to_rest(arg);
        continue;
      }
      if (kw && !arg.failed) {
        std::string hint = lang::closest_match(kw->first, keywords);
        if (!positional_left || !hint.empty()) {
          Span kspan = arg.substituted || !arg.source ? arg.span : arg.source->value_span(0, kw->first.size());
          Diagnostic& d = error(kspan, fmt::format("unknown keyword '{}' for elementclass {}", kw->first, class_name));
          if (!hint.empty()) d.note(fmt::format("did you mean '{}'?", hint));
          else if (keywords.empty()) d.note(defined_at, fmt::format("'{}' takes no keyword arguments", class_name));
          else d.note(defined_at, fmt::format("'{}' is defined here", class_name));
          arg_errors = true;
          continue;
        }
      }
      if (positional_left) {
        const lang::Formal* f = positional[next++];
        vars.own[f->variable.text] = Binding{&keep(arg.text), arg.span, arg.failed};
        bound.insert(f->variable.text);
      } else if (!arg.failed) {
        Diagnostic& d = error(arg.span, fmt::format("too many arguments for elementclass {}", class_name));
        d.note(defined_at, fmt::format("'{}' is defined here", class_name));
        arg_errors = true;
        break;
      }
    }
    if (rest) {
      vars.own[rest->variable.text] = Binding{&keep(rest_text), where};
      bound.insert(rest->variable.text);
    }
    for (const lang::Formal& f : decl.formals) {
      if (bound.count(f.variable.text)) continue;
      if (!arg_errors) {
        Diagnostic& d = error(where, fmt::format("missing argument {} of elementclass {}",
                                                 f.keyword ? f.keyword->text : f.variable.text, class_name));
        d.note(f.variable.span, "the formal parameter is declared here");
      }
      vars.own[f.variable.text] = Binding{&keep(""), f.variable.span, true};
    }

    instantiated_.insert(&decl);
    Instance* inst = &instances_.emplace_back();
    inst->name = prefix + local;
    inst->class_name = class_name;
    inst->span = span;
    result.kind = Local::Kind::Compound;
    result.instance = inst;
    active_.push_back(&decl);
    context_.push_back(inst);
    ClassScope& scope = scopes_.emplace_back();
    scope.parent = &defined_in;
    body(decl.body, scope, prefix + local + "/", vars, inst);
    context_.pop_back();
    active_.pop_back();
    return result;
  }

  unsigned tunnel(Instance& inst, bool input_side, unsigned port) {
    auto& map = input_side ? inst.in_tunnels : inst.out_tunnels;
    auto it = map.find(port);
    if (it != map.end()) return it->second;
    Vertex v;
    v.tunnel = true;
    v.input_side = input_side;
    v.port = port;
    v.owner = inst.name;
    v.owner_class = inst.class_name;
    v.owner_span = inst.span;
    v.instance = &inst;
    vertices_.push_back(v);
    unsigned id = static_cast<unsigned>(vertices_.size() - 1);
    map[port] = id;
    return id;
  }

  // ---- bodies -----------------------------------------------------------------------------

  // Click's AddressInfo elements name addresses for the whole body they are in (and the
  // compounds below it), wherever they stand in it: their names are known before any element of
  // the body binds its arguments. The AddressInfo elements themselves are made (and their
  // arguments checked, errors reported) in order with the others.
  void collect_addresses(const std::vector<Statement>& stmts, const ClassScope& scope, const std::string& prefix,
                         const Bindings& vars) {
    const ClassScope* unused = nullptr;
    // Click's IPRewriterPatterns names rewriter patterns the same way (`pattern NAME FOUT ROUT`).
    const bool info = registry_.find("AddressInfo") && !find_compound(scope, "AddressInfo", &unused);
    const bool patterns = registry_.find("IPRewriterPatterns") && !find_compound(scope, "IPRewriterPatterns", &unused);
    if (!info && !patterns) return;
    for_each_statement(stmts, [&](const Statement& st) {
      auto* conn = std::get_if<Connection>(&st.node);
      if (!conn) return;
      for (const lang::Hop& h : conn->hops) {
        const ElementRef& e = h.element;
        if (e.kind == ElementRef::Kind::Reference || e.cls.inline_body || !e.cls.config) continue;
        const bool is_info = info && e.cls.name.text == "AddressInfo";
        const bool is_patterns = patterns && e.cls.name.text == "IPRewriterPatterns";
        if (!is_info && !is_patterns) continue;
        quiet_ = true;
        for (const ConfigArg& a : e.cls.config->args) {
          SubstArg sa = substitute(a, vars);
          if (sa.failed) continue;
          if (is_info)
            addresses_.define(prefix, sa.text);
          else
            addresses_.define_pattern(prefix, sa.text);
        }
        quiet_ = false;
      }
    });
  }

  struct HopRef {
    std::string local;  // resolved local name ("" when broken)
    Span span;
  };

  void body(const std::vector<Statement>& stmts, ClassScope& scope, const std::string& prefix, const Bindings& outer,
            Instance* self) {
    // Every statement (and define entry) is looked at again for every instance of the body,
    // even those that make no element: that work counts towards the limit too.
    std::size_t work = stmts.size() * kStatementCost;
    for (const Statement& st : stmts) {
      if (auto* def = std::get_if<lang::Define>(&st.node)) work += def->entries.size() * kFixedCost;
      if (auto* req = std::get_if<lang::Require>(&st.node)) work += req->config.raw.size();
    }
    if (!stmts.empty() && !charge(0, work, self ? self->span : stmts.front().span)) return;
    Bindings vars{&outer, {}};
    // Classes and defines of this body first: both may be used before they are written.
    for_each_statement(stmts, [&](const Statement& st) {
      if (auto* decl = std::get_if<std::shared_ptr<ElementClassDecl>>(&st.node)) {
        const ElementClassDecl& d = **decl;
        auto prev = scope.classes.find(d.name.text);
        if (prev != scope.classes.end()) {
          error(d.name.span, fmt::format("redefinition of elementclass '{}'", d.name.text))
              .note(prev->second->name.span, fmt::format("'{}' previously defined here", d.name.text));
          return;
        }
        if (registry_.find(d.name.text) && !d.extends && !uses_own_name(d)) {
          diags_.warning(d.name.span, fmt::format("elementclass '{}' hides the built-in element class of that name",
                                                  d.name.text));
        }
        scope.classes[d.name.text] = &d;
        declared_classes_.emplace_back(&d, &scope);
      } else if (auto* def = std::get_if<lang::Define>(&st.node)) {
        for (const lang::DefineEntry& e : def->entries) {
          auto prev = defined_.find(e.variable.text);
          if (prev != defined_.end() && prev->second.first == self) {
            error(e.variable.span, fmt::format("'{}' is already defined", e.variable.text))
                .note(prev->second.second, "previously defined here");
            continue;
          }
          defined_[e.variable.text] = {self, e.variable.span};
          // A definition from the command line wins over the file's top-level define.
          if (!self && outer.own.count(e.variable.text)) continue;
          // Click expands the variables in a define's value where it is defined:
          // define($DEV eth0, $GW $DEV:gw) makes $GW "eth0:gw". One that is not defined yet
          // leaves the value as written.
          const std::string* value = &e.value.value;
          if (value->find('$') != std::string::npos) {
            quiet_ = true;
            SubstArg sa = substitute(e.value, vars);
            quiet_ = false;
            if (sa.substituted && !sa.failed) value = &keep(std::move(sa.text));
          }
          vars.own[e.variable.text] = Binding{value, e.variable.span};
        }
      } else if (auto* req = std::get_if<lang::Require>(&st.node)) {
        graph_.requirements.push_back(Requirement{req->config.args, st.span});
      }
    });

    collect_addresses(stmts, scope, prefix, vars);

    // Names declared anywhere in this body (in its element groups too).
    std::map<std::string, Span, std::less<>> declared;
    for_each_statement(stmts, [&](const Statement& st) {
      auto* conn = std::get_if<Connection>(&st.node);
      if (!conn) return;
      for (const lang::Hop& h : conn->hops) {
        if (h.element.kind != ElementRef::Kind::Declaration) continue;
        for (const lang::Ident& n : h.element.names) declared.emplace(n.text, n.span);
      }
    });

    std::map<std::string, Local, std::less<>> locals;
    unsigned counter = 0, groups = 0;
    std::vector<std::vector<HopRef>> resolved;  // per connection, per hop
    std::vector<const Connection*> connections;

    // The connections of the body, those in its element groups too (after the connection the
    // group is in), each with the group it is written in: null for the body itself, whose input
    // and output are self's. A group is expanded like a compound instance, in the body's scope.
    std::vector<std::pair<const Connection*, Instance*>> flat;
    std::vector<Instance*> written_in;  // per connection
    std::map<const lang::Group*, Instance*> group_ports;
    std::function<void(const std::vector<Statement>&, Instance*)> gather = [&](const std::vector<Statement>& list,
                                                                               Instance* group) {
      for (const Statement& st : list) {
        auto* conn = std::get_if<Connection>(&st.node);
        if (!conn) continue;
        flat.emplace_back(conn, group);
        for (const lang::Hop& h : conn->hops) {
          if (!h.element.group) continue;
          Instance* inst = &instances_.emplace_back();
          inst->name = prefix + "(group)";
          inst->class_name = "(group)";
          inst->span = h.element.span;
          inst->group = true;
          group_ports[h.element.group.get()] = inst;
          gather(h.element.group->body, inst);
        }
      }
    };
    gather(stmts, nullptr);

    for (auto [conn, group] : flat) {
      if (stopped_) return;
      connections.push_back(conn);
      written_in.push_back(group);
      std::vector<HopRef>& refs = resolved.emplace_back();
      refs.reserve(conn->hops.size());
      for (const lang::Hop& h : conn->hops) {
        if (stopped_) return;
        const ElementRef& e = h.element;
        HopRef ref{"", e.span};
        switch (e.kind) {
          case ElementRef::Kind::Declaration: {
            if (e.names.size() > 1 && conn->hops.size() > 1) {
              error(e.names[1].span, "a declaration of several elements cannot be part of a connection")
                  .note("declare them in a statement of their own: a, b :: Counter;");
            }
            const bool element_as_class = names_element(e.cls, declared, scope);
            for (const lang::Ident& n : e.names) {
              ++counter;
              if (n.text == "input" || n.text == "output") {
                error(n.span, fmt::format("'{}' is reserved for the ports of an elementclass", n.text));
                continue;
              }
              auto prev = locals.find(n.text);
              if (prev != locals.end()) {
                error(n.span, fmt::format("redeclaration of '{}'", n.text))
                    .note(prev->second.span, fmt::format("'{}' previously declared here", n.text));
                continue;
              }
              if (self == nullptr && class_exists(scope, n.text)) {
                diags_.warning(n.span, fmt::format("element '{}' has the name of an element class", n.text));
              }
              if (element_as_class) {
                locals[n.text] = Local{Local::Kind::Broken, 0, nullptr, n.span};
                continue;
              }
              locals[n.text] = instantiate(prefix, n.text, false, e.cls, e.cls.name, n.span, scope, vars);
            }
            if (locals.count(e.names.front().text)) ref.local = e.names.front().text;
            break;
          }
          case ElementRef::Kind::Anonymous: {
            ++counter;
            std::string cname = e.cls.inline_body ? "compound" : e.cls.name.text;
            std::string local = fmt::format("{}@{}", cname, counter);
            if (names_element(e.cls, declared, scope)) {
              locals[local] = Local{Local::Kind::Broken, 0, nullptr, e.span};
            } else {
              locals[local] = instantiate(prefix, local, true, e.cls, e.cls.name, e.span, scope, vars);
            }
            ref.local = local;
            break;
          }
          case ElementRef::Kind::Group: {
            // A name no identifier can have: the group is no element of its own (nor does it take
            // a number from the anonymous elements).
            std::string local = fmt::format("(group)@{}", ++groups);
            locals[local] = Local{Local::Kind::Compound, 0, group_ports.at(e.group.get()), e.span};
            ref.local = local;
            break;
          }
          case ElementRef::Kind::Reference: {
            const lang::Ident& n = e.names.front();
            if (n.text == "input" || n.text == "output") {
              if (!self && !group) {
                error(n.span, fmt::format("'{}' can only be used inside an elementclass", n.text));
                break;
              }
              ref.local = n.text;
              break;
            }
            if (declared.count(n.text)) {
              ref.local = n.text;
              break;
            }
            if (class_exists(scope, n.text)) {
              ++counter;
              std::string local = fmt::format("{}@{}", n.text, counter);
              ClassRef cls;
              cls.name = n;
              cls.span = n.span;
              locals[local] = instantiate(prefix, local, true, cls, n, n.span, scope, vars);
              ref.local = local;
              break;
            }
            undeclared(n, declared, scope);
            break;
          }
        }
        refs.push_back(std::move(ref));
      }
    }

    // Connections, now that every local name exists.
    for (std::size_t c = 0; c < connections.size(); ++c) {
      const Connection& conn = *connections[c];
      const std::vector<HopRef>& refs = resolved[c];
      Instance* ports = written_in[c] ? written_in[c] : self;
      bool stop = false;
      lang::connection_links(conn, [&](const lang::PortLink& link) {
        const lang::Hop& a = conn.hops[link.from_hop];
        const lang::Hop& b = conn.hops[link.to_hop];
        if (refs[link.from_hop].local.empty() || refs[link.to_hop].local.empty()) return true;
        unsigned out_port = link.from_port;
        unsigned in_port = link.to_port;
        Span from_span = a.out_port ? Span{a.out_port->span.file, a.element.span.begin, a.out_port->span.end} : a.element.span;
        Span to_span = b.in_port ? Span{b.in_port->span.file, b.in_port->span.begin, b.element.span.end} : b.element.span;
        if (!a.out_port && a.element.names.size() == 1 && a.element.kind != ElementRef::Kind::Reference) {
          from_span = a.element.names.front().span;
        }
        auto src = endpoint(refs[link.from_hop].local, locals, ports, out_port, /*as_source=*/true, from_span);
        auto dst = endpoint(refs[link.to_hop].local, locals, ports, in_port, /*as_source=*/false, to_span);
        if (!src || !dst) return true;
        if (!charge(0, kFixedCost + context_.size() * sizeof(Span), b.element.span)) {
          stop = true;
          return false;
        }
        RawEdge& edge = raw_.emplace_back();
        edge.from = src->first;
        edge.from_port = src->second;
        edge.to = dst->first;
        edge.to_port = dst->second;
        edge.from_span = from_span;
        edge.to_span = to_span;
        edge.arrow = link.arrow;
        edge.depth = context_.size();
        edge.context.reserve(context_.size());
        for (const Instance* inst : context_) edge.context.push_back(inst->span);
        return true;
      });
      if (stop) return;
      // A lone element reference is not a statement with any effect in Click either.
    }
  }

  // Whether `alt` is `decl` or one of its overloaded bodies.
  static bool alternative_of(const ElementClassDecl* alt, const ElementClassDecl* decl) {
    if (alt == decl) return true;
    for (const auto& o : decl->overloads) {
      if (o.get() == alt) return true;
    }
    return false;
  }

  // Whether the formals of `d` take `args` (as compound() binds them, without reporting).
  static bool accepts(const ElementClassDecl& d, const std::vector<SubstArg>& args) {
    std::size_t positional = 0, rest = 0;
    std::set<std::string> keywords;
    for (const lang::Formal& f : d.formals) {
      if (f.keyword && f.keyword->text == "__REST__")
        ++rest;
      else if (f.keyword)
        keywords.insert(f.keyword->text);
      else
        ++positional;
    }
    std::size_t next = 0;
    std::set<std::string> given;
    for (const SubstArg& a : args) {
      auto kw = keyword_of(a.text);
      if (kw && keywords.count(kw->first)) {
        given.insert(kw->first);
        continue;
      }
      if (rest && (kw || next == positional)) continue;
      if (next == positional) return false;
      ++next;
    }
    return next == positional && given.size() == keywords.size();
  }

  static const ElementClassDecl* choose_overload(const ElementClassDecl& decl, const std::vector<SubstArg>& args) {
    if (accepts(decl, args)) return &decl;
    for (const auto& o : decl.overloads) {
      if (accepts(*o, args)) return o.get();
    }
    return nullptr;
  }

  void no_overload(const ElementClassDecl& decl, const std::vector<SubstArg>& args, Span where) {
    Diagnostic& d = error(where, fmt::format("no body of the overloaded elementclass '{}' takes {} argument{}",
                                             decl.name.text, args.size(), args.size() == 1 ? "" : "s"));
    auto describe = [](const ElementClassDecl& alt) {
      if (alt.formals.empty()) return std::string("no arguments");
      std::string f;
      for (const lang::Formal& x : alt.formals) {
        if (!f.empty()) f += ", ";
        f += (x.keyword ? x.keyword->text + " " : std::string()) + x.variable.text;
      }
      return f;
    };
    d.note(decl.name.span.valid() ? decl.name.span : decl.span, fmt::format("one takes {}", describe(decl)));
    for (const auto& o : decl.overloads) {
      Span at = !o->formals.empty() ? o->formals.front().variable.span : o->body_span;
      d.note(at, fmt::format("one takes {}", describe(*o)));
    }
    if (registry_.find(decl.name.text))
      d.note(
          fmt::format("end the class with '|| ...' to let the built-in {} take the other arguments", decl.name.text));
  }

  // Whether a class's body uses its own name: Click's override idiom, where that name is the
  // class it hides (which it then means to hide).
  static bool uses_own_name(const ElementClassDecl& d) {
    bool uses = false;
    for_each_statement(d.body, [&](const Statement& st) {
      const auto* conn = std::get_if<Connection>(&st.node);
      if (!conn) return;
      for (const lang::Hop& h : conn->hops) {
        const ElementRef& e = h.element;
        if (e.cls.name.text == d.name.text) uses = true;
        if (e.kind == ElementRef::Kind::Reference && !e.names.empty() && e.names.front().text == d.name.text)
          uses = true;
      }
    });
    return uses;
  }

  // `d :: c` where c is an element of this body, not a class: reported here, as Click does.
  bool names_element(const ClassRef& cls, const std::map<std::string, Span, std::less<>>& declared,
                     const ClassScope& scope) {
    if (cls.inline_body || cls.name.text.empty()) return false;
    auto it = declared.find(cls.name.text);
    if (it == declared.end() || class_exists(scope, cls.name.text)) return false;
    error(cls.name.span, fmt::format("'{}' is an element, not an element class", cls.name.text))
        .note(it->second, fmt::format("'{}' is declared here", cls.name.text));
    return true;
  }

  // ---- classes that are never instantiated ---------------------------------------------------

  // Their bodies are never expanded, so nothing else would look at them: at least the names of
  // classes and elements they use are checked.
  void check_uninstantiated() {
    std::set<const ElementClassDecl*> seen;
    for (std::size_t i = 0; i < declared_classes_.size() && !diags_.at_limit(); ++i) {
      auto [decl, scope] = declared_classes_[i];
      if (!seen.insert(decl).second) continue;
      if (!instantiated_.count(decl)) light_check(*decl, *scope);
      for (const auto& alt : decl->overloads) {
        if (!instantiated_.count(alt.get())) light_check(*alt, *scope);
      }
    }
  }

  void light_check(const ElementClassDecl& decl, const ClassScope& outer) {
    if (decl.synonym) {
      if (!class_exists(outer, decl.synonym->text)) unknown_class(outer, *decl.synonym);
      return;
    }
    ClassScope scope;
    scope.parent = &outer;
    std::map<std::string, Span, std::less<>> declared;
    for_each_statement(decl.body, [&](const Statement& st) {
      if (auto* d = std::get_if<std::shared_ptr<ElementClassDecl>>(&st.node)) {
        scope.classes.emplace((*d)->name.text, d->get());
      } else if (auto* conn = std::get_if<Connection>(&st.node)) {
        for (const lang::Hop& h : conn->hops) {
          if (h.element.kind != ElementRef::Kind::Declaration) continue;
          for (const lang::Ident& n : h.element.names) declared.emplace(n.text, n.span);
        }
      }
    });
    for_each_statement(decl.body, [&](const Statement& st) {
      if (diags_.at_limit()) return;
      if (auto* d = std::get_if<std::shared_ptr<ElementClassDecl>>(&st.node)) {
        light_check(**d, scope);
        return;
      }
      auto* conn = std::get_if<Connection>(&st.node);
      if (!conn) return;
      for (const lang::Hop& h : conn->hops) {
        const ElementRef& e = h.element;
        if (e.kind == ElementRef::Kind::Reference) {
          if (e.names.empty()) continue;
          const lang::Ident& n = e.names.front();
          if (n.text == "input" || n.text == "output" || declared.count(n.text) || class_exists(scope, n.text))
            continue;
          undeclared(n, declared, scope);
        } else if (e.cls.inline_body) {
          light_check(*e.cls.inline_body, scope);
        } else if (!e.cls.name.text.empty() && !class_exists(scope, e.cls.name.text)) {
          if (!names_element(e.cls, declared, scope)) unknown_class(scope, e.cls.name);
        }
      }
    });
  }

  void undeclared(const lang::Ident& n, const std::map<std::string, Span, std::less<>>& declared,
                  const ClassScope& scope) {
    bool looks_like_class = std::isupper(static_cast<unsigned char>(n.text[0]));
    std::string hint_elem, hint_class;
    if (!diags_.at_limit()) {  // past the limit nothing is shown: the hints are not worth their search
      std::vector<std::string> candidates;
      for (const auto& [name, span] : declared) candidates.push_back(name);
      hint_elem = lang::closest_match(n.text, candidates);
      hint_class = lang::closest_match(n.text, class_candidates(scope));
    }
    bool as_class = looks_like_class && hint_elem.empty();
    Diagnostic& d = as_class ? error(n.span, fmt::format("unknown element class '{}'", n.text))
                             : error(n.span, fmt::format("undeclared element '{}'", n.text));
    const ClickReplacement* click = as_class ? find_click_replacement(n.text) : nullptr;
    if (!hint_elem.empty()) {
      d.note(declared.at(hint_elem), fmt::format("did you mean '{}'?", hint_elem));
    } else if (click) {
      d.note(click_replacement_note(*click));
    } else if (!hint_class.empty()) {
      d.note(fmt::format("did you mean '{}'?", hint_class));
    } else if (as_class) {
      // A capitalised word is meant as a class: "declare it" would suggest that it is an element.
      d.note(fmt::format("there is no element class '{}' here; `nbc doc` lists every element class", n.text));
    } else {
      d.note(fmt::format("declare it first, for example: {} :: Counter;", n.text));
    }
  }

  // The vertex and port a hop stands for as a connection's source or destination.
  std::optional<std::pair<unsigned, unsigned>> endpoint(const std::string& local,
                                                        std::map<std::string, Local, std::less<>>& locals,
                                                        Instance* self, unsigned port, bool as_source, Span span) {
    if (local == "input" || local == "output") {
      if (!self) return std::nullopt;  // already reported where it was written
      bool is_input = local == "input";
      if (is_input != as_source) {
        error(span, is_input ? "'input' can only be the source of a connection (packets enter the class there)"
                             : "'output' can only be the destination of a connection (packets leave the class there)");
        return std::nullopt;
      }
      return std::make_pair(tunnel(*self, is_input, port), 0u);
    }
    auto it = locals.find(local);
    if (it == locals.end() || it->second.kind == Local::Kind::Broken) return std::nullopt;
    if (it->second.kind == Local::Kind::Primitive) return std::make_pair(it->second.vertex, port);
    return std::make_pair(tunnel(*it->second.instance, !as_source, port), 0u);
  }

  // ---- splicing compound ports away ---------------------------------------------------------

  void splice() {
    std::vector<std::vector<unsigned>> out_edges(vertices_.size());
    std::vector<unsigned> in_degree(vertices_.size(), 0);
    for (unsigned i = 0; i < raw_.size(); ++i) {
      out_edges[raw_[i].from].push_back(i);
      ++in_degree[raw_[i].to];
    }
    // A tunnel forwards to exactly one place: packets are never duplicated implicitly.
    for (unsigned v = 0; v < vertices_.size(); ++v) {
      const Vertex& t = vertices_[v];
      if (!t.tunnel || out_edges[v].size() < 2) continue;
      const RawEdge& first = raw_[out_edges[v][0]];
      for (std::size_t k = 1; k < out_edges[v].size(); ++k) {
        const RawEdge& e = raw_[out_edges[v][k]];
        const bool group = t.instance && t.instance->group;
        Diagnostic& d =
            t.input_side
                ? diags_.error(e.from_span,
                               group ? fmt::format("input {} of the element group is connected to more than "
                                                   "one element",
                                                   t.port)
                                     : fmt::format("input {} of elementclass {} is connected to more than one "
                                                   "element",
                                                   t.port, t.owner_class))
                : diags_.error(e.from_span,
                               group ? fmt::format("output {} of the element group is already connected", t.port)
                                     : fmt::format("output {} of '{}' is already connected", t.port, t.owner));
        d.note(first.from_span, "first connected here");
        d.note("a packet has exactly one owner: to send copies to several places, use Tee");
      }
    }
    // Outputs of compounds that nothing inside feeds (not checked for instances whose body had
    // an error: the connection may be missing because of it).
    for (unsigned v = 0; v < vertices_.size(); ++v) {
      const Vertex& t = vertices_[v];
      if (t.tunnel && !t.input_side && in_degree[v] == 0 && !out_edges[v].empty() && !broken(t)) {
        const RawEdge& e = raw_[out_edges[v][0]];
        diags_.error(e.from_span, fmt::format("'{}' has no output {}: elementclass {} never connects 'output [{}]'",
                                              t.owner, t.port, t.owner_class, t.port));
      }
    }
    // Where each tunnel leads is worked out once: many connections can enter one chain of
    // compound ports (a thousand sources into a thousand nested pass-through instances).
    std::vector<Through> through(vertices_.size());
    std::set<const RawEdge*> reported;  // the connections into dead ends already reported
    for (const RawEdge& e : raw_) {
      if (vertices_[e.from].tunnel) continue;
      unsigned v = e.to, port = e.to_port;
      const RawEdge* last = &e;
      const RawEdge* outermost = &e;  // where the connection is written at the outermost level
      if (vertices_[v].tunnel) {
        if (through[v].state == Through::Unknown) resolve(v, through, out_edges);
        const Through& r = through[v];
        if (r.state == Through::Loop) {
          diags_.error(e.to_span, "packets could loop forever through the ports of compound elements");
          continue;
        }
        if (r.state == Through::Dead) {
          const Vertex& t = vertices_[r.dead];
          const RawEdge* into = r.last < 0 ? &e : &raw_[static_cast<unsigned>(r.last)];
          if (broken(t) || !reported.insert(into).second) continue;
          if (t.input_side) {
            Diagnostic& d = diags_.error(into->to_span, fmt::format("'{}' has no input {}: elementclass {} never uses "
                                                                    "'input [{}]'",
                                                                    t.owner, t.port, t.owner_class, t.port));
            d.note(t.owner_span, fmt::format("'{}' is declared here", t.owner));
          } else {
            Diagnostic& d = diags_.error(t.owner_span, fmt::format("output {} of '{}' is not connected: packets sent "
                                                                   "there would be lost",
                                                                   t.port, t.owner));
            d.note(into->to_span, "packets reach it from here");
            d.note("connect it, or send unwanted packets to Discard explicitly");
          }
          continue;
        }
        v = r.to;
        port = r.port;
        last = &raw_[static_cast<unsigned>(r.last)];
        const RawEdge* o = &raw_[static_cast<unsigned>(r.outermost)];
        if (o->depth < outermost->depth) outermost = o;
      }
      Edge& edge = graph_.edges.emplace_back();
      edge.from = vertices_[e.from].element;
      edge.from_port = e.from_port;
      edge.to = vertices_[v].element;
      edge.to_port = port;
      edge.from_span = e.from_span;
      edge.to_span = last->to_span;
      edge.arrow = outermost->arrow;
      edge.context = outermost->context;
    }
    // A connection made twice is one connection, as in Click ("connections may be repeated
    // without error"): `x -> ( [0] -> [0]; [1] -> [1] ) => ( ... ) -> y` makes x -> y twice.
    std::set<std::tuple<unsigned, unsigned, unsigned, unsigned>> seen;
    graph_.edges.erase(
        std::remove_if(graph_.edges.begin(), graph_.edges.end(),
                       [&](const Edge& e) { return !seen.emplace(e.from, e.from_port, e.to, e.to_port).second; }),
        graph_.edges.end());
  }

  // Where packets that enter a tunnel end up.
  struct Through {
    enum State : std::uint8_t { Unknown, Walking, Done, Dead, Loop } state = Unknown;
    unsigned to = 0, port = 0;  // Done: the element and its input
    int last = -1;              // Done: the connection into that element; Dead: the one into the
                                // dead end (-1: the tunnel itself is the dead end)
    int outermost = -1;         // Done: the connection on the way written least deep (the first of those)
    unsigned dead = 0;          // Dead: the tunnel that leads nowhere
  };

  // Follows tunnel v to an element, a dead end or a loop, and records the answer for every
  // tunnel on the way. Iterative: chains of ports can be as long as the graph.
  void resolve(unsigned v, std::vector<Through>& through, const std::vector<std::vector<unsigned>>& out_edges) {
    std::vector<unsigned> path;
    unsigned cur = v;
    while (vertices_[cur].tunnel && through[cur].state == Through::Unknown) {
      if (out_edges[cur].empty()) {
        through[cur].state = Through::Dead;
        through[cur].dead = cur;
        break;
      }
      through[cur].state = Through::Walking;
      path.push_back(cur);
      cur = raw_[out_edges[cur][0]].to;
    }
    const bool loop =
        vertices_[cur].tunnel && (through[cur].state == Through::Walking || through[cur].state == Through::Loop);
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      Through& m = through[*it];
      if (loop) {
        m.state = Through::Loop;
        continue;
      }
      const unsigned xi = out_edges[*it][0];
      const RawEdge& x = raw_[xi];
      if (!vertices_[x.to].tunnel) {
        m.state = Through::Done;
        m.to = x.to;
        m.port = x.to_port;
        m.last = m.outermost = static_cast<int>(xi);
        continue;
      }
      const Through& n = through[x.to];
      if (n.state == Through::Done) {
        m = n;
        if (x.depth <= raw_[static_cast<unsigned>(n.outermost)].depth) m.outermost = static_cast<int>(xi);
      } else {  // Dead
        m.state = Through::Dead;
        m.dead = n.dead;
        m.last = n.last < 0 ? static_cast<int>(xi) : n.last;
      }
    }
  }

  // A group's ports are checked by the parser: every one used inside is connected outside.
  static bool broken(const Vertex& t) { return t.instance && (t.instance->broken || t.instance->group); }

  const std::string& keep(std::string value) { return formal_values_.emplace_back(std::move(value)); }

  const Registry& registry_;
  lang::DiagnosticEngine& diags_;
  const Definitions& definitions_;
  std::map<std::string, Span> used_names_;  // ${NAME-DEFAULT} uses of names not defined
  std::size_t expanded_elements_ = 0;  // elements and compound instances
  std::size_t expanded_bytes_ = 0;
  bool stopped_ = false;  // a limit was reached: nothing more is expanded
  Graph graph_;
  detail::AddressTable addresses_;  // Click's AddressInfo names, by body
  bool quiet_ = false;              // substituting ahead (AddressInfo): errors come later, once
  ClassScope root_scope_;
  std::deque<ClassScope> scopes_;
  std::deque<Instance> instances_;
  std::vector<Instance*> context_;  // the compound instances being expanded, outermost first
  std::set<const ElementClassDecl*> instantiated_;
  // Every class declared in an expanded body, with its scope: those never instantiated get a
  // light check of their own.
  std::vector<std::pair<const ElementClassDecl*, const ClassScope*>> declared_classes_;
  std::vector<const ElementClassDecl*> active_;
  std::vector<Vertex> vertices_;
  std::deque<std::string> formal_values_;  // the arguments bound to formals (Binding::value)
  std::vector<RawEdge> raw_;
  std::map<std::string, std::pair<const Instance*, Span>> defined_;
};

}  // namespace

std::optional<Graph> elaborate(const lang::SourceManager& sources, const lang::Program& program,
                               const Registry& registry, lang::DiagnosticEngine& diags,
                               const Definitions& definitions) {
  (void)sources;
  return Elaborator(registry, diags, definitions).run(program);
}

}  // namespace nb::compiler

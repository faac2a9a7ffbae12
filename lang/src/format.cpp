// `nbc fmt`: the canonical layout of a .nbc file.
//
// The layout is a function of the AST alone (plus where comments and blank lines were), so
// formatting formatted text changes nothing. Comments between statements stay where they were;
// a comment in the middle of a statement moves to the line before it, so that none is lost.
#include <nb/lang/format.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

namespace nb::lang {
namespace {

constexpr std::size_t kMaxLine = 100;

bool contains(Span outer, Span inner) { return inner.begin >= outer.begin && inner.end <= outer.end; }

class Formatter {
 public:
  Formatter(const SourceManager& sources, const Program& program)
      : sources_(sources), file_(sources.file(program.file)), comments_(program.comments),
        used_(program.comments.size(), false) {}

  std::string run(const Program& program) {
    Span whole{program.file, 0, static_cast<std::uint32_t>(file_.text().size())};
    block(program.statements, whole, 0);
    // Remove trailing blank lines; end with exactly one newline.
    while (!out_.empty() && (out_.back() == '\n' || out_.back() == ' ')) out_.pop_back();
    if (!out_.empty()) out_ += '\n';
    return out_;
  }

 private:
  std::string_view text(Span s) const { return sources_.text(s); }
  std::uint32_t line_of(std::uint32_t off) const { return file_.line_col(off).line; }

  void newline_if_needed() {
    if (!out_.empty() && out_.back() != '\n') out_ += '\n';
  }

  // A blank line between two items that had at least one blank line between them.
  void separate(std::uint32_t begin, bool first) {
    if (!first && have_prev_ && line_of(begin) >= prev_end_line_ + 2) out_ += '\n';
  }

  void emit_comment(std::size_t i, std::size_t indent, bool first) {
    const Comment& c = comments_[i];
    separate(c.span.begin, first);
    out_ += std::string(indent, ' ');
    out_ += text(c.span);
    out_ += '\n';
    used_[i] = true;
    have_prev_ = true;
    prev_end_line_ = line_of(c.span.end == c.span.begin ? c.span.end : c.span.end - 1);
  }

  // Every compound body directly inside a statement: comments in there belong to that body.
  static void bodies_of(const Statement& st, std::vector<Span>& out) {
    if (auto* conn = std::get_if<Connection>(&st.node)) {
      for (const Hop& h : conn->hops) {
        if (h.element.group) out.push_back(h.element.group->span);
        if (!h.element.cls.inline_body) continue;
        out.push_back(h.element.cls.inline_body->body_span);
        for (const auto& alt : h.element.cls.inline_body->overloads) out.push_back(alt->body_span);
      }
    } else if (auto* decl = std::get_if<std::shared_ptr<ElementClassDecl>>(&st.node)) {
      if (!(*decl)->synonym) out.push_back((*decl)->body_span);
      for (const auto& alt : (*decl)->overloads) out.push_back(alt->body_span);
    }
  }

  void block(const std::vector<Statement>& stmts, Span region, std::size_t indent) {
    bool first = true;
    for (const Statement& st : stmts) {
      // Comments before this statement, then those inside it (not inside its compound bodies).
      std::vector<Span> bodies;
      bodies_of(st, bodies);
      std::sort(bodies.begin(), bodies.end(), [](Span a, Span b) { return a.begin < b.begin; });
      // A comment after a compound body (but still inside the statement) goes at the end of that
      // body: printed before the statement it would come ahead of the body's own comments.
      for (std::size_t k = 0; k < bodies.size(); ++k) {
        std::uint32_t tail_end = k + 1 < bodies.size() ? bodies[k + 1].begin : st.span.end;
        tails_[bodies[k].begin] = Span{bodies[k].file, bodies[k].end, std::max(bodies[k].end, tail_end)};
      }
      const std::uint32_t first_body = bodies.empty() ? st.span.end : bodies.front().begin;
      for (std::size_t i = 0; i < comments_.size(); ++i) {
        if (used_[i] || !contains(region, comments_[i].span)) continue;
        const Span cs = comments_[i].span;
        bool before = cs.end <= st.span.begin;
        bool inside = contains(st.span, cs) && cs.begin < first_body;
        if (before || inside) {
          emit_comment(i, indent, first);
          first = false;
        }
      }
      separate(st.span.begin, first);
      first = false;
      statement(st, indent);
      have_prev_ = true;
      prev_end_line_ = line_of(st.span.end > st.span.begin ? st.span.end - 1 : st.span.end);
      trailing_comment(st.span.end);
    }
    // Comments after the last statement of this block.
    for (std::size_t i = 0; i < comments_.size(); ++i) {
      if (used_[i] || !contains(region, comments_[i].span)) continue;
      emit_comment(i, indent, first);
      first = false;
    }
  }

  // A comment on the same line right after the statement stays there.
  void trailing_comment(std::uint32_t stmt_end) {
    for (std::size_t i = 0; i < comments_.size(); ++i) {
      if (used_[i]) continue;
      const Comment& c = comments_[i];
      if (c.span.begin < stmt_end) continue;
      std::string_view gap = text(Span{c.span.file, stmt_end, c.span.begin});
      bool same_line = std::all_of(gap.begin(), gap.end(), [](char ch) { return ch == ' ' || ch == '\t' || ch == ';'; });
      if (!same_line) break;
      if (c.block && text(c.span).find('\n') != std::string_view::npos) break;
      // out_ ends with '\n' after the statement: put the comment before it.
      if (!out_.empty() && out_.back() == '\n') out_.pop_back();
      out_ += ' ';
      out_ += text(c.span);
      out_ += '\n';
      used_[i] = true;
      stmt_end = c.span.end;
    }
  }

  static std::string arg_text(const ConfigArg& a) {
    // Arguments with comments or line breaks inside quotes are kept verbatim.
    if (a.raw.find("//") != std::string::npos || a.raw.find("/*") != std::string::npos) return a.raw;
    std::string out;
    char quote = 0;
    bool space = false;
    for (std::size_t i = 0; i < a.raw.size(); ++i) {
      char c = a.raw[i];
      if (quote) {
        out += c;
        if (c == '\\' && quote == '"' && i + 1 < a.raw.size()) out += a.raw[++i];
        else if (c == quote) quote = 0;
        continue;
      }
      if (std::isspace(static_cast<unsigned char>(c))) {
        space = true;
        continue;
      }
      if (space && !out.empty()) out += ' ';
      space = false;
      if (c == '"' || c == '\'') quote = c;
      out += c;
    }
    return out;
  }

  static std::string config(const std::optional<Config>& c) {
    if (!c || c->args.empty()) return {};
    std::string out = "(";
    for (std::size_t i = 0; i < c->args.size(); ++i) {
      if (i) out += ", ";
      out += arg_text(c->args[i]);
      // A // comment runs to the end of its line: end the line, or it would swallow ", " or ")".
      if (c->args[i].raw.find("//") != std::string::npos) out += '\n';
    }
    out += ')';
    return out;
  }

  // One body of a compound class: its formals and statements.
  void alternative(const ElementClassDecl& decl, std::size_t indent) {
    if (!decl.formals.empty()) {
      out_ += std::string(indent + 4, ' ');
      for (std::size_t i = 0; i < decl.formals.size(); ++i) {
        if (i) out_ += ", ";
        if (decl.formals[i].keyword) out_ += decl.formals[i].keyword->text + " ";
        out_ += decl.formals[i].variable.text;
      }
      out_ += " |\n";
      have_prev_ = true;
      prev_end_line_ = line_of(decl.formals.back().variable.span.end);
    }
    block(decl.body, decl.body_span, indent + 4);
    // Comments written after this body, up to the next body of the same statement.
    if (auto tail = tails_.find(decl.body_span.begin); tail != tails_.end()) {
      const Span region = tail->second;
      for (std::size_t i = 0; i < comments_.size(); ++i) {
        if (!used_[i] && contains(region, comments_[i].span)) emit_comment(i, indent + 4, false);
      }
    }
  }

  std::string compound_text(const ElementClassDecl& decl, std::size_t indent) {
    std::string saved = std::move(out_);
    out_.clear();
    bool saved_prev = have_prev_;
    std::uint32_t saved_line = prev_end_line_;
    have_prev_ = false;
    out_ += "{\n";
    alternative(decl, indent);
    // Click's overloads: each further body after a '||' line.
    for (const auto& alt : decl.overloads) {
      newline_if_needed();
      out_ += std::string(indent, ' ') + "||\n";
      alternative(*alt, indent);
    }
    if (decl.extends) {
      newline_if_needed();
      out_ += std::string(indent, ' ') + "|| ...\n";
    }
    newline_if_needed();
    out_ += std::string(indent, ' ') + "}";
    std::string result = std::move(out_);
    out_ = std::move(saved);
    have_prev_ = saved_prev;
    prev_end_line_ = saved_line;
    return result;
  }

  // An element group: its statements, one a line, between '(' and ')'.
  std::string group_text(const Group& g, std::size_t indent) {
    std::string saved = std::move(out_);
    out_.clear();
    bool saved_prev = have_prev_;
    std::uint32_t saved_line = prev_end_line_;
    have_prev_ = false;
    out_ += "(\n";
    block(g.body, g.span, indent + 4);
    if (auto tail = tails_.find(g.span.begin); tail != tails_.end()) {
      for (std::size_t i = 0; i < comments_.size(); ++i) {
        if (!used_[i] && contains(tail->second, comments_[i].span)) emit_comment(i, indent + 4, false);
      }
    }
    newline_if_needed();
    out_ += std::string(indent, ' ') + ")";
    std::string result = std::move(out_);
    out_ = std::move(saved);
    have_prev_ = saved_prev;
    prev_end_line_ = saved_line;
    return result;
  }

  std::string element(const ElementRef& e, std::size_t indent) {
    std::string out;
    auto cls = [&]() {
      std::string c = e.cls.inline_body ? compound_text(*e.cls.inline_body, indent) : e.cls.name.text;
      return c + config(e.cls.config);
    };
    switch (e.kind) {
      case ElementRef::Kind::Reference:  // an implicit input or output is left out, as written
        return e.names.empty() || e.implicit ? std::string() : e.names.front().text;
      case ElementRef::Kind::Group:
        return e.group ? group_text(*e.group, indent) : std::string("()");
      case ElementRef::Kind::Anonymous:
        return cls();
      case ElementRef::Kind::Declaration:
        for (std::size_t i = 0; i < e.names.size(); ++i) {
          if (i) out += ", ";
          out += e.names[i].text;
        }
        return out + " :: " + cls();
    }
    return out;
  }

  // `[1]`, `[0, 2-4]`.
  static std::string port_list(const PortRef& p) {
    if (p.ranges.empty()) return "[" + std::to_string(p.port) + "]";
    if (p.open && p.ranges.size() == 1 && p.ranges[0].first == 0 && p.ranges[0].last == 0) {
      return "[]";  // `[0-]` means the same
    }
    std::string s = "[";
    for (std::size_t i = 0; i < p.ranges.size(); ++i) {
      if (i) s += ", ";
      s += std::to_string(p.ranges[i].first);
      if (p.ranges[i].last != p.ranges[i].first) s += "-" + std::to_string(p.ranges[i].last);
    }
    return s + (p.open ? "-]" : "]");
  }

  void statement(const Statement& st, std::size_t indent) {
    std::string pad(indent, ' ');
    if (auto* conn = std::get_if<Connection>(&st.node)) {
      // One string per side of the connection (hops joined by ','), with the arrow before it.
      std::vector<std::string> hops;
      std::vector<const char*> arrows;
      bool multiline = false;
      for (const Hop& h : conn->hops) {
        std::string s;
        auto add = [&](const std::string& part) {
          if (part.empty()) return;
          if (!s.empty()) s += ' ';
          s += part;
        };
        if (h.in_port && !h.in_port->implicit) add(port_list(*h.in_port));
        add(element(h.element, indent));
        if (h.out_port && !h.out_port->implicit) add(port_list(*h.out_port));
        multiline |= s.find('\n') != std::string::npos;
        if (h.after_comma && !hops.empty()) {
          hops.back() += ", " + s;
        } else {
          hops.push_back(std::move(s));
          arrows.push_back(h.many_to_many ? "=>" : "->");
        }
      }
      // An implicit input or output leaves a side empty: `-> x ->`.
      auto join = [](std::string a, const std::string& b) {
        if (a.empty() || a.back() == ' ' || a.back() == '\n') return a + b;
        return b.empty() ? a : a + " " + b;
      };
      std::string line = pad + hops[0];
      for (std::size_t i = 1; i < hops.size(); ++i) line = join(join(line, arrows[i]), hops[i]);
      if (!multiline && line.size() + 1 > kMaxLine && hops.size() > 1) {
        line = pad + hops[0];
        for (std::size_t i = 1; i < hops.size(); ++i) line += "\n" + pad + "    " + join(arrows[i], hops[i]);
      }
      out_ += line + ";\n";
    } else if (auto* decl = std::get_if<std::shared_ptr<ElementClassDecl>>(&st.node)) {
      if ((*decl)->synonym) {
        out_ += pad + "elementclass " + (*decl)->name.text + " " + (*decl)->synonym->text + ";\n";
      } else {
        out_ += pad + "elementclass " + (*decl)->name.text + " " + compound_text(**decl, indent) + "\n";
      }
    } else if (auto* def = std::get_if<Define>(&st.node)) {
      std::string s = pad + "define(";
      // An entry with comments anywhere in it (even before its variable) is kept as written.
      const bool whole = def->entries.size() == def->config.args.size();
      for (std::size_t i = 0; i < def->entries.size(); ++i) {
        if (i) s += ", ";
        const ConfigArg& arg = whole ? def->config.args[i] : def->entries[i].value;
        if (whole && arg.value != arg.raw) {  // the value differs from the text only by comments
          s += arg_text(arg);
        } else {
          s += def->entries[i].variable.text + " " + arg_text(def->entries[i].value);
        }
        if (arg.raw.find("//") != std::string::npos) s += '\n';
      }
      out_ += s + ");\n";
    } else if (auto* req = std::get_if<Require>(&st.node)) {
      std::string s = pad + "require(";
      for (std::size_t i = 0; i < req->config.args.size(); ++i) {
        if (i) s += ", ";
        s += arg_text(req->config.args[i]);
        if (req->config.args[i].raw.find("//") != std::string::npos) s += '\n';
      }
      out_ += s + ");\n";
    }
  }

  const SourceManager& sources_;
  const SourceFile& file_;
  const std::vector<Comment>& comments_;
  std::vector<bool> used_;
  std::map<std::uint32_t, Span> tails_;  // compound body begin -> the statement text after it
  std::string out_;
  bool have_prev_ = false;
  std::uint32_t prev_end_line_ = 0;
};

}  // namespace

std::string format_program(const SourceManager& sources, const Program& program) {
  return Formatter(sources, program).run(program);
}

}  // namespace nb::lang

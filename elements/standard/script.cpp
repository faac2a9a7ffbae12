#include "script.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

namespace nb::elements {

namespace {

using Op = Script::Op;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The first space-separated word of `s`, which loses it (Click's cp_shift_spacevec; quotes keep
// their spaces).
std::string_view shift_word(std::string_view& s) {
  s = trim(s);
  std::size_t i = 0;
  char quote = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (is_space(c)) {
      break;
    }
  }
  std::string_view w = s.substr(0, i);
  s = trim(s.substr(i));
  return w;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  while (!trim(s).empty()) out.push_back(shift_word(s));
  return out;
}

// One layer of Click's quotes: "..." (with \ escapes) and '...'.
std::string unquote(std::string_view s) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote == '"' && c == '\\' && i + 1 < s.size()) {
      const char n = s[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else if (quote && c == quote) {
      quote = 0;
    } else if (!quote && (c == '"' || c == '\'')) {
      quote = c;
    } else {
      out += c;
    }
  }
  return out;
}

// ---- numbers and functions ---------------------------------------------------------------------

struct Number {
  bool integral = true;
  std::int64_t i = 0;
  double d = 0;
  double value() const { return integral ? static_cast<double>(i) : d; }
};

bool parse_number(std::string_view w, Number& n) {
  w = trim(w);
  if (w.empty()) return false;
  std::string_view digits = w.front() == '+' ? w.substr(1) : w;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n.i);
  if (ec == std::errc() && p == digits.data() + digits.size()) {
    n.integral = true;
    return true;
  }
  auto [q, ec2] = std::from_chars(digits.data(), digits.data() + digits.size(), n.d);
  if (ec2 == std::errc() && q == digits.data() + digits.size() && std::isfinite(n.d)) {
    n.integral = false;
    return true;
  }
  return false;
}

std::string number_text(const Number& n) {
  if (n.integral) return std::to_string(n.i);
  if (n.d == std::floor(n.d) && std::fabs(n.d) < 9e15) return std::to_string(static_cast<std::int64_t>(n.d));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12g", n.d);
  return buf;
}

// Click's BoolArg: true/false, yes/no, 1/0, on/off, t/f, y/n.
bool parse_bool(std::string_view w, bool& b) {
  w = trim(w);
  if (w == "true" || w == "yes" || w == "1" || w == "on" || w == "t" || w == "y") return b = true, true;
  if (w == "false" || w == "no" || w == "0" || w == "off" || w == "f" || w == "n") return b = false, true;
  return false;
}

const char* bool_text(bool b) {
  return b ? "true" : "false";
}

// -1, 0, 1: numerically when both are numbers, else as text.
int compare(std::string_view a, std::string_view b) {
  Number x, y;
  if (parse_number(a, x) && parse_number(b, y)) {
    if (x.integral && y.integral) return x.i < y.i ? -1 : x.i > y.i;
    return x.value() < y.value() ? -1 : x.value() > y.value();
  }
  const int c = a.compare(b);
  return c < 0 ? -1 : c > 0;
}

// ---- the program -------------------------------------------------------------------------------

struct Instruction {
  std::string_view name;
  Op op;
  bool quoted;
  bool newline;
};
constexpr Instruction kInstructions[] = {
    {"append", Op::Print, false, true},  // append TEXT FILE: print >>FILE TEXT (configure rewrites it)
    {"end", Op::End, false, false},
    {"error", Op::Error, false, false},
    {"errorq", Op::Error, true, false},
    {"exit", Op::Exit, false, false},
    {"export", Op::Init, false, false},
    {"exportq", Op::Init, true, false},
    {"goto", Op::Goto, false, false},
    {"init", Op::Init, false, false},
    {"initq", Op::Init, true, false},
    {"label", Op::Label, false, false},
    {"loop", Op::Goto, false, false},
    {"pause", Op::WaitStep, false, false},
    {"print", Op::Print, false, true},
    {"printn", Op::Print, false, false},
    {"printnq", Op::Print, true, false},
    {"printq", Op::Print, true, true},
    {"read", Op::Read, false, false},
    {"readq", Op::Read, true, false},
    {"return", Op::Return, false, false},
    {"returnq", Op::Return, true, false},
    {"save", Op::Print, false, true},  // save TEXT FILE: print >FILE TEXT (configure rewrites it)
    {"set", Op::Set, false, false},
    {"setq", Op::Set, true, false},
    {"stop", Op::Stop, false, false},
    {"wait", Op::WaitTime, false, false},
    {"wait_for", Op::WaitTime, false, false},
    {"wait_step", Op::WaitStep, false, false},
    {"wait_stop", Op::WaitStep, false, false},  // a DRIVER script's: stop events step it
    {"wait_time", Op::WaitTime, false, false},
    {"write", Op::Write, false, false},
    {"writeq", Op::Write, true, false},
};

const Instruction* find_instruction(std::string_view name) {
  for (const Instruction& i : kInstructions)
    if (i.name == name) return &i;
  return nullptr;
}

// Click's instructions nb does not have, with why.
std::string_view missing_instruction(std::string_view) {
  return {};
}

// One instruction's syntax, as Click's configure checks it: the offset and message of the first
// mistake.
bool check_instruction(std::string_view text, ParamError& error) {
  std::string_view rest = text;
  const std::string_view name = shift_word(rest);
  const std::size_t at = static_cast<std::size_t>(name.data() - text.data());
  if (name.empty()) return true;  // an empty instruction is benign, as in Click
  const Instruction* insn = find_instruction(name);
  if (!insn) {
    std::string_view why = missing_instruction(name);
    error = {at,
             name.size(),
             why.empty() ? "unknown Script instruction '" + std::string(name) + "'"
                         : "Script instruction '" + std::string(name) + "' is not in nb: " + std::string(why),
             {}};
    return false;
  }
  const std::vector<std::string_view> args = words(rest);
  auto fail = [&](std::string message) {
    error = {at, name.size(), std::move(message), {}};
    return false;
  };
  switch (insn->op) {
    case Op::WaitStep: {
      if (args.size() > 1) return fail("'" + std::string(name) + "' takes at most one count");
      Number n;
      if (args.size() == 1 && args[0].find('$') == std::string_view::npos &&
          (!parse_number(args[0], n) || !n.integral || n.i < 0))
        return fail("'" + std::string(name) + "': '" + std::string(args[0]) + "' is not a count");
      return true;
    }
    case Op::WaitTime: {
      if (args.empty() && name != "wait") return fail("'" + std::string(name) + "' needs a TIME");
      std::uint64_t ns = 0;
      if (!args.empty() && rest.find('$') == std::string_view::npos && !Script::parse_time(rest, ns))
        return fail("'" + std::string(rest) + "' is not a time (0.5s, 100ms, 2)");
      return true;
    }
    case Op::Set:
      if (args.size() < 2) return fail("'" + std::string(name) + "' needs VAR TEXT");
      return true;
    case Op::Init:
      if (args.empty() || (name.starts_with("init") && args.size() < 2))
        return fail("'" + std::string(name) + "' needs VAR" + (name.starts_with("init") ? " TEXT" : " [TEXT]"));
      return true;
    case Op::Label:
      if (args.size() != 1) return fail("'label' needs exactly one LABEL");
      return true;
    case Op::Goto:
      if (name == "loop" && !args.empty()) return fail("'loop' takes no arguments");
      if (name == "goto" && args.empty()) return fail("'goto' needs a LABEL");
      return true;
    case Op::End:
    case Op::Exit:
    case Op::Stop:
      if (!args.empty()) return fail("'" + std::string(name) + "' takes no arguments");
      return true;
    case Op::Read:
    case Op::Write:
      if (args.empty()) return fail("'" + std::string(name) + "' needs a HANDLER (ELEMENT.NAME)");
      return true;
    case Op::Print:
      if ((name == "save" || name == "append") && args.empty())
        return fail("'" + std::string(name) + "' needs a TEXT or HANDLER (and a FILE, else standard output)");
      if (!args.empty() && args[0].starts_with('>') && args[0].find_first_not_of('>') == std::string_view::npos &&
          args.size() < 2)
        return fail("'" + std::string(name) + " " + std::string(args[0]) + "' needs a FILE");
      return true;
    default:
      return true;
  }
}

bool validate_instruction(std::string_view text, ParamError& error) {
  return check_instruction(text, error);
}

bool validate_type(std::string_view text, ParamError& error) {
  const std::string_view t = trim(text);
  if (t == "ACTIVE" || t == "PASSIVE" || t == "PROXY" || t == "DRIVER") return true;
  std::string message = "'" + std::string(t) + "' is not a Script TYPE nb has (ACTIVE, PASSIVE, PROXY, DRIVER)";
  if (t == "PACKET" || t == "PUSH") message += ": nb's Script has no ports, so it runs for no packet";
  if (t.starts_with("SIGNAL"))
    message += ": for a script run on demand use TYPE PASSIVE and `nbctl write NAME.run` (from a signal handler)";
  error = {0, text.size(), std::move(message), {}};
  return false;
}

int find_var(const Script::Config& c, std::string_view name) {
  for (std::uint32_t i = 0; i < c.nvars; ++i)
    if (name == c.vars[i]) return static_cast<int>(i);
  return -1;
}

std::string_view insn_text(const Script::Config& c, const Script::Insn& i) {
  return std::string_view(c.pool + i.text, i.len);
}

// ---- running -----------------------------------------------------------------------------------

struct Run {
  const Script::Config& c;
  Script::State& s;
  ControlContext& ctx;
  std::string args;        // $args: the run handler's value
  std::string zero;        // $0: PROXY's handler name
  std::string write_flag;  // $write
  std::string error;       // an error instruction's text, or a failed expansion
  std::uint32_t depth = 0;

  void set_var(std::uint32_t v, std::string_view value) {
    const std::size_t n = std::min<std::size_t>(value.size(), Script::kMaxValue - 1);
    std::memcpy(s.values[v], value.data(), n);
    s.values[v][n] = 0;
  }

  bool lookup(std::string_view name, std::string& out) {
    const int v = find_var(c, name);
    if (v >= 0) return out = s.values[v], true;
    if (name == "?") return out = std::to_string(s.write_status), true;
    if (name == "args") return out = args, true;
    if (name == "0") return out = zero, true;
    if (name == "write") return out = write_flag, true;
    if (name == "#") return out = std::to_string(words(args).size()), true;
    Number n;
    if (parse_number(name, n) && n.integral && n.i > 0) {
      const auto ws = words(args);
      out = static_cast<std::size_t>(n.i) <= ws.size() ? std::string(ws[static_cast<std::size_t>(n.i) - 1]) : "";
      return true;
    }
    return false;
  }

  // $(FUNCTION ARGS) or $(ELEMENT.HANDLER [ARGS]).
  std::string call(std::string_view inner) {
    std::string_view rest = inner;
    const std::string_view head = shift_word(rest);
    std::string out, why;
    if (Script::function(head, rest, out, why)) return out;
    if (!why.empty()) {
      if (error.empty()) error = "$(" + std::string(inner) + "): " + why;
      return "";
    }
    const std::size_t dot = head.rfind('.');
    if (dot == std::string_view::npos || dot == 0) {
      if (error.empty())
        error = "$(" + std::string(inner) + "): '" + std::string(head) +
                "' is no function of Script's and no ELEMENT.HANDLER";
      return "";
    }
    if (!ctx.read(head.substr(0, dot), head.substr(dot + 1), out, why)) {
      if (error.empty()) error = why;
      return "";
    }
    return out;
  }

  // Click's substitutions: $VAR, ${VAR}, $(...) (nested), not inside single quotes.
  std::string expand(std::string_view t) {
    std::string out;
    if (++depth > 32) {
      error = "substitutions nested too deep";
      --depth;
      return out;
    }
    bool squote = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const char ch = t[i];
      if (ch == '\'') squote = !squote;
      if (squote || ch != '$' || i + 1 == t.size()) {
        out += ch;
        continue;
      }
      const char n = t[i + 1];
      if (n == '(') {
        int level = 0;
        std::size_t j = i + 1;
        for (; j < t.size(); ++j) {
          if (t[j] == '(') ++level;
          if (t[j] == ')' && --level == 0) break;
        }
        if (j == t.size()) {
          out += t.substr(i);
          break;
        }
        out += call(trim(expand(t.substr(i + 2, j - i - 2))));
        i = j;
        continue;
      }
      std::size_t b = i + 1, e;
      std::string_view name;
      if (n == '{') {
        e = t.find('}', b);
        if (e == std::string_view::npos) {
          out += ch;
          continue;
        }
        name = t.substr(b + 1, e - b - 1);
        ++e;
      } else if (n == '?' || n == '#') {
        name = t.substr(b, 1);
        e = b + 1;
      } else {
        e = b;
        while (e < t.size() && (std::isalnum(static_cast<unsigned char>(t[e])) || t[e] == '_')) ++e;
        name = t.substr(b, e - b);
      }
      std::string value;
      if (!name.empty() && lookup(name, value)) {
        out += value;
      } else {
        out += t.substr(i, e - i);  // unknown: left as written (Click's lexer does the same)
      }
      i = e - 1;
    }
    --depth;
    return out;
  }

  // "ELEMENT.HANDLER REST": the handler and the rest, expanded.
  bool handler_call(std::string_view text, bool quoted, std::string& element, std::string& handler,
                    std::string& value) {
    std::string expanded = expand(text);
    std::string_view rest = expanded;
    const std::string_view head = shift_word(rest);
    const std::size_t dot = head.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == head.size()) {
      error = "'" + std::string(head) + "' is not ELEMENT.HANDLER";
      return false;
    }
    element = head.substr(0, dot);
    handler = head.substr(dot + 1);
    value = quoted ? unquote(rest) : std::string(rest);
    return true;
  }

  void report(std::string_view what) {
    std::string line = "Script: " + std::string(what) + "\n";
    ctx.print(line, true);
  }

  // Runs from s.pc until it blocks or ends. False when it ended with an error.
  bool go() {
    std::uint32_t jumps = 0;
    while (s.pc < c.ninsns) {
      const Script::Insn& in = c.insns[s.pc];
      const std::uint32_t here = s.pc++;
      const std::string_view text = insn_text(c, in);
      switch (in.op) {
        case Op::WaitStep:
          while (s.steps > 0 && s.paused < in.count) --s.steps, ++s.paused;
          if (s.paused < in.count) {
            s.pc = here;
            return true;
          }
          s.paused = 0;
          break;
        case Op::WaitTime: {
          if (s.timer_fired || s.steps > 0) {  // its time came, or a step cut it short (Click)
            if (!s.timer_fired) --s.steps;
            s.timer_fired = false;
            s.wait_armed = false;
            ctx.wake_at(kNoWake);
            break;
          }
          std::uint64_t ns = 0;
          const std::string t = expand(text);
          if (trim(t).empty()) {  // `wait` alone: a pause
            s.pc = here;
            return true;
          }
          if (!Script::parse_time(t, ns)) {
            error = "wait: '" + t + "' is not a time";
            s.done = true;
            return false;
          }
          ctx.wake_at(ctx.now_ns() + ns);
          s.wait_armed = true;
          s.pc = here;
          return true;
        }
        case Op::Print: {
          std::string result;
          std::string_view t = trim(text);
          // print >FILE TEXT, >>FILE appends (save and append are written so): the control
          // thread writes the file, `-` is standard output.
          std::string file;
          bool append = false;
          if (!t.empty() && t[0] == '>') {
            append = t.size() > 1 && t[1] == '>';
            t.remove_prefix(append ? 2 : 1);
            file = expand(shift_word(t));
            if (file == "-") file.clear();
          }
          if (!t.empty() && (std::isalpha(static_cast<unsigned char>(t[0])) || t[0] == '@' || t[0] == '_')) {
            std::string el, h, v, why;
            if (handler_call(t, in.quoted, el, h, v) && !ctx.read(el, h, result, why)) error = why;
          } else {
            result = unquote(expand(t));
          }
          if (!error.empty()) {
            report(error);
            error.clear();
            break;
          }
          if (in.newline && (result.empty() || result.back() != '\n')) result += '\n';
          if (file.empty()) {
            ctx.print(result, false);
          } else if (std::FILE* f = std::fopen(file.c_str(), append ? "ab" : "wb")) {
            std::fwrite(result.data(), 1, result.size(), f);
            std::fclose(f);
          } else {
            report(file + ": " + std::strerror(errno));
          }
          break;
        }
        case Op::Read: {
          std::string el, h, v, result, why;
          if (handler_call(text, in.quoted, el, h, v) && ctx.read(el, h, result, why))
            ctx.print(el + "." + h + ":\n" + result + "\n", true);
          else
            report(error.empty() ? why : error);
          error.clear();
          break;
        }
        case Op::Write: {
          std::string el, h, v, why;
          if (!handler_call(text, in.quoted, el, h, v)) {
            s.write_status = -1;
            report(error);
            error.clear();
          } else if (!ctx.write(el, h, v, why)) {
            s.write_status = -1;
            report("write " + el + "." + h + ": " + why);
          } else {
            s.write_status = 0;
          }
          break;
        }
        case Op::Set:
        case Op::Return: {
          const std::string v = expand(text);
          set_var(in.var, in.quoted ? unquote(v) : v);
          if (in.op == Op::Return) {
            s.done = true;
            s.pc = here;
            return true;
          }
          break;
        }
        case Op::Init:
        case Op::Label:
          break;
        case Op::Goto: {
          const std::string cond = std::string(trim(expand(text)));  // the label is in `target`
          bool take = true;
          if (!cond.empty() && !parse_bool(cond, take)) {
            report("goto: bad condition '" + cond + "'");
            break;
          }
          if (!take) break;
          if (in.target == Script::kToEnd || in.target == Script::kToExit) return s.done = true, s.pc = here, true;
          if (in.target == Script::kToStop) {
            ctx.stop_router();
            return s.done = true, s.pc = here, true;
          }
          if (in.target == Script::kToError) {
            error = "error";
            return s.done = true, s.pc = here, false;
          }
          s.paused = 0;
          s.pc = static_cast<std::uint32_t>(in.target);
          if (++jumps >= Script::kMaxJumps) {
            report("too many jumps without waiting, giving up");
            s.done = true;
            return false;
          }
          break;
        }
        case Op::End:
        case Op::Exit:
          s.done = true;
          s.pc = here;
          return true;
        case Op::Stop:
          ctx.stop_router();
          s.done = true;
          s.pc = here;
          return true;
        case Op::Error: {
          const std::string m = expand(text);
          error = in.quoted ? unquote(m) : m;
          if (error.empty()) error = "error";
          s.done = true;
          s.pc = here;
          return false;
        }
      }
    }
    // Fell off the end: `end`, or for a DRIVER script `stop` (Click's driver stops then).
    s.done = true;
    if (c.type == Script::Type::Driver) ctx.stop_router();
    return true;
  }

  // init and export, once, in order.
  void initialize() {
    for (std::uint32_t k = 0; k < c.ninsns; ++k) {
      const Script::Insn& in = c.insns[k];
      if (in.op != Op::Init) continue;
      const std::string v = expand(insn_text(c, in));
      set_var(in.var, in.quoted ? unquote(v) : v);
    }
    error.clear();
  }
};

}  // namespace

// ---- functions -----------------------------------------------------------------------------------

bool Script::function(std::string_view name, std::string_view args, std::string& out, std::string& error) {
  const std::vector<std::string_view> a = words(args);
  auto numbers = [&](std::vector<Number>& ns) {
    for (std::string_view w : a) {
      Number n;
      if (!parse_number(w, n)) {
        error = "'" + std::string(w) + "' is not a number";
        return false;
      }
      ns.push_back(n);
    }
    return true;
  };
  if (name == "add" || name == "sub" || name == "mul" || name == "min" || name == "max" || name == "div" ||
      name == "idiv" || name == "mod" || name == "rem") {
    std::vector<Number> ns;
    if (!numbers(ns)) return false;
    if (ns.empty()) {
      if (name == "add" || name == "sub" || name == "mul") return out = name == "mul" ? "1" : "0", true;
      error = "'" + std::string(name) + "' needs numbers";
      return false;
    }
    if ((name == "mod" || name == "rem") && ns.size() != 2) return error = "'mod' needs two numbers", false;
    Number acc = ns[0];
    bool integral = true;
    for (const Number& n : ns) integral &= n.integral;
    if (name == "div") integral = false;
    if (!integral) acc = Number{false, 0, ns[0].value()};
    for (std::size_t k = 1; k < ns.size(); ++k) {
      const Number& n = ns[k];
      if ((name == "div" || name == "idiv" || name == "mod" || name == "rem") && n.value() == 0)
        return error = "division by zero", false;
      if (integral) {
        std::int64_t& x = acc.i;
        if (name == "add")
          x += n.i;
        else if (name == "sub")
          x -= n.i;
        else if (name == "mul")
          x *= n.i;
        else if (name == "min")
          x = std::min(x, n.i);
        else if (name == "max")
          x = std::max(x, n.i);
        else if (name == "idiv")
          x /= n.i;
        else
          x %= n.i;
      } else {
        double& x = acc.d;
        const double y = n.value();
        if (name == "add")
          x += y;
        else if (name == "sub")
          x -= y;
        else if (name == "mul")
          x *= y;
        else if (name == "min")
          x = std::min(x, y);
        else if (name == "max")
          x = std::max(x, y);
        else if (name == "div")
          x /= y;
        else if (name == "idiv")
          x = std::trunc(x / y);
        else
          x = std::fmod(x, y);
      }
    }
    out = number_text(acc);
    return true;
  }
  if (name == "neg" || name == "abs") {
    std::vector<Number> ns;
    if (!numbers(ns)) return false;
    if (ns.size() != 1) return error = "'" + std::string(name) + "' needs one number", false;
    Number n = ns[0];
    if (n.integral)
      n.i = name == "neg" ? -n.i : (n.i < 0 ? -n.i : n.i);
    else
      n.d = name == "neg" ? -n.d : std::fabs(n.d);
    out = number_text(n);
    return true;
  }
  if (name == "eq" || name == "ne" || name == "lt" || name == "gt" || name == "le" || name == "ge") {
    if (a.size() != 2) return error = "'" + std::string(name) + "' compares two values", false;
    const int c = compare(a[0], a[1]);
    const bool r = name == "eq"   ? c == 0
                   : name == "ne" ? c != 0
                   : name == "lt" ? c < 0
                   : name == "gt" ? c > 0
                   : name == "le" ? c <= 0
                                  : c >= 0;
    out = bool_text(r);
    return true;
  }
  if (name == "not") {
    bool b = false;
    if (a.size() != 1 || !parse_bool(a[0], b)) return error = "'not' needs one boolean", false;
    out = bool_text(!b);
    return true;
  }
  if (name == "and" || name == "or" || name == "nand" || name == "nor") {
    const bool conj = name == "and" || name == "nand";
    bool acc = conj;
    for (std::string_view w : a) {
      bool b = false;
      if (!parse_bool(w, b)) return error = "'" + std::string(w) + "' is not a boolean", false;
      acc = conj ? acc && b : acc || b;
    }
    out = bool_text(name == "nand" || name == "nor" ? !acc : acc);
    return true;
  }
  if (name == "if") {
    bool b = false;
    if (a.size() < 2 || a.size() > 3 || !parse_bool(a[0], b))
      return error = "'if' needs a boolean and one or two values", false;
    out = b ? std::string(a[1]) : a.size() == 3 ? std::string(a[2]) : std::string();
    return true;
  }
  if (name == "in") {
    if (a.empty()) return error = "'in' needs a value", false;
    bool found = false;
    for (std::size_t k = 1; k < a.size(); ++k) found |= compare(a[0], a[k]) == 0;
    out = bool_text(found);
    return true;
  }
  if (name == "cat") {
    out.clear();
    for (std::string_view w : a) out += w;
    return true;
  }
  if (name == "length") {
    out = std::to_string(trim(args).size());
    return true;
  }
  if (name == "unquote") {
    out = unquote(trim(args));
    return true;
  }
  if (name == "random") {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::vector<Number> ns;
    if (!numbers(ns)) return false;
    std::int64_t lo = 0, hi = INT32_MAX;
    if (ns.size() == 1) hi = ns[0].i;
    if (ns.size() == 2) lo = ns[0].i, hi = ns[1].i;
    if (ns.size() > 2 || hi < lo) return error = "'random' takes [[LO] HI]", false;
    out = std::to_string(std::uniform_int_distribution<std::int64_t>(lo, hi)(rng));
    return true;
  }
  return false;
}

bool Script::parse_time(std::string_view text, std::uint64_t& ns) {
  text = trim(text);
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  Number n;
  if (i == 0 || !parse_number(text.substr(0, i), n) || n.value() < 0) return false;
  const std::string_view unit = trim(text.substr(i));
  double scale = 0;
  if (unit.empty() || unit == "s" || unit == "sec" || unit == "secs")
    scale = 1e9;
  else if (unit == "ms" || unit == "msec" || unit == "msecs")
    scale = 1e6;
  else if (unit == "us" || unit == "usec" || unit == "usecs")
    scale = 1e3;
  else if (unit == "ns" || unit == "nsec" || unit == "nsecs")
    scale = 1;
  else if (unit == "m" || unit == "min" || unit == "mins")
    scale = 60e9;
  else if (unit == "h" || unit == "hr" || unit == "hrs")
    scale = 3600e9;
  else if (unit == "d" || unit == "day" || unit == "days")
    scale = 86400e9;
  else
    return false;
  const double v = n.value() * scale;
  if (v > 1e18) return false;
  ns = static_cast<std::uint64_t>(std::llround(v));
  return true;
}

// ---- configure ------------------------------------------------------------------------------------

bool Script::configure(const Args& args, Config& c, std::string& error) {
  return configure_typed(args, c, error, "ACTIVE");
}

bool DriverManager::configure(const Args& args, Config& c, std::string& error) {
  return configure_typed(args, c, error, "DRIVER");
}

bool Script::configure_typed(const Args& args, Config& c, std::string& error, std::string_view default_type) {
  const std::string type = args.given("TYPE") ? std::string(trim(args.get_string("TYPE"))) : std::string(default_type);
  c.type = type == "PASSIVE"  ? Type::Passive
           : type == "PROXY"  ? Type::Proxy
           : type == "DRIVER" ? Type::Driver
                              : Type::Active;
  std::vector<std::string> labels;
  std::vector<std::pair<std::uint32_t, std::string>> gotos;  // instruction, label
  auto add_var = [&](std::string_view name) -> int {
    int v = find_var(c, name);
    if (v >= 0) return v;
    if (c.nvars == kMaxVars || name.size() >= kMaxName) return -1;
    std::memcpy(c.vars[c.nvars], name.data(), name.size());
    c.vars[c.nvars][name.size()] = 0;
    return static_cast<int>(c.nvars++);
  };
  const std::size_t n = args.count("INSTRUCTION");
  for (std::size_t k = 0; k < n; ++k) {
    const std::string full = args.get_string_at("INSTRUCTION", k);
    ParamError pe;
    if (!check_instruction(full, pe)) {
      error = pe.message;
      return false;
    }
    std::string_view rest = full;
    const std::string_view name = shift_word(rest);
    if (name.empty()) continue;
    const Instruction* ins = find_instruction(name);
    if (c.ninsns == kMaxInsns) {
      error = "more than " + std::to_string(kMaxInsns) + " instructions";
      return false;
    }
    Insn in{};
    in.op = ins->op;
    in.quoted = ins->quoted;
    in.newline = ins->newline;
    in.exported = name.starts_with("export");
    std::string_view arg = rest;  // what follows the variable, or the label (Goto: the condition)
    std::string redirected;       // save TEXT FILE, append TEXT FILE: Click's print >FILE TEXT
    if (name == "save" || name == "append") {
      std::string_view r = rest;
      const std::string_view what = shift_word(r);
      redirected = std::string(name == "save" ? ">" : ">>") + (trim(r).empty() ? "-" : std::string(trim(r))) + " " +
                   std::string(what);
      arg = redirected;
    }
    if (in.op == Op::Set || in.op == Op::Init) {
      const std::string_view var = shift_word(arg);
      const int v = add_var(var);
      if (v < 0) {
        error = "too many variables (at most " + std::to_string(kMaxVars) + ", names under " +
                std::to_string(kMaxName) + " bytes)";
        return false;
      }
      in.var = static_cast<std::uint8_t>(v);
    } else if (in.op == Op::Return) {
      in.var = static_cast<std::uint8_t>(add_var("_"));
    } else if (in.op == Op::Label) {
      labels.emplace_back(trim(arg));
    } else if (in.op == Op::Goto) {
      std::string label = name == "loop" ? "loop" : std::string(shift_word(arg));
      gotos.emplace_back(c.ninsns, label);
    } else if (in.op == Op::WaitStep) {
      Number cnt;
      in.count = trim(arg).empty() || !parse_number(arg, cnt) ? 1 : static_cast<std::uint32_t>(cnt.i);
    }
    if (c.pool_used + arg.size() > kMaxText) {
      error = "the instructions' text is longer than " + std::to_string(kMaxText) + " bytes";
      return false;
    }
    std::memcpy(c.pool + c.pool_used, arg.data(), arg.size());
    in.text = static_cast<std::uint16_t>(c.pool_used);
    in.len = static_cast<std::uint16_t>(arg.size());
    c.pool_used += static_cast<std::uint32_t>(arg.size());
    c.insns[c.ninsns++] = in;
  }
  // A DRIVER script without instructions waits for one stop event, then stops (Click's).
  if (c.ninsns == 0 && c.type == Type::Driver) {
    Insn in{};
    in.op = Op::WaitStep;
    in.count = 1;
    c.insns[c.ninsns++] = in;
  }
  for (const auto& [at, label] : gotos) {
    std::int16_t target = -100;
    for (std::uint32_t k = 0; k < c.ninsns; ++k)
      if (c.insns[k].op == Op::Label && insn_text(c, c.insns[k]) == label && target == -100)
        target = static_cast<std::int16_t>(k);
    if (target == -100) {
      if (label == "begin" || label == "loop")
        target = 0;
      else if (label == "end")
        target = kToEnd;
      else if (label == "exit")
        target = kToExit;
      else if (label == "stop")
        target = kToStop;
      else if (label == "error")
        target = kToError;
    }
    if (target == -100) {
      error = "no such label '" + label + "'";
      return false;
    }
    c.insns[at].target = target;
  }
  return true;
}

void Script::transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state) {
  if (std::memcmp(&old_config, &new_config, sizeof(Config)) == 0) new_state = old_state;
}

// ---- the control function ---------------------------------------------------------------------------

bool Script::control(const Config& c, State& s, ControlContext& ctx, ControlCall& call) {
  // Asked before the run starts (nothing else runs then): whether stop events step this script.
  if (call.handler == "driver") {
    if (call.write) return call.error = "driver is read-only", false;
    call.out = c.type == Type::Driver ? "true" : "false";
    return true;
  }
  Run run{c, s, ctx, {}, {}, {}, {}, 0};
  if (!s.started) {
    s.started = true;
    run.initialize();
    if (c.type == Type::Passive || c.type == Type::Proxy) s.done = true;  // until a handler runs it
  }
  auto result = [&](bool ok) {
    if (!ok) call.error = run.error.empty() ? "error" : run.error;
    return ok;
  };
  ++s.runs;
  if (call.handler.empty()) {  // the timer
    if (s.done) return true;
    const Insn* at = s.pc < c.ninsns ? &c.insns[s.pc] : nullptr;
    // Only a wait that asked for this wake-up is over: the first run (a script that starts with
    // `wait 1s`) arms it.
    if (at && at->op == Op::WaitTime && s.wait_armed) s.timer_fired = true;
    return result(run.go());
  }
  const std::string_view h = call.handler;
  if (h == "step") {
    if (!call.write) return call.error = "step is write-only", false;
    Number n;
    n.i = 1;
    // `router`: a stop event of the run (Click's driver writes it so). A DRIVER script that then
    // ends, or had ended, lets the run stop; one that blocks again keeps it running.
    const bool router = trim(call.value) == "router";
    if (!router && !trim(call.value).empty() && (!parse_number(call.value, n) || !n.integral || n.i < 0))
      return call.error = "expected a count or 'router', not '" + std::string(call.value) + "'", false;
    s.steps += static_cast<std::uint32_t>(n.i);
    const bool driver = router && c.type == Type::Driver;
    if (s.done) {
      if (driver) ctx.stop_router();
      return true;
    }
    const bool ok = run.go();
    if (driver && s.done) ctx.stop_router();
    return result(ok);
  }
  if (h == "goto") {
    if (!call.write) return call.error = "goto is write-only", false;
    const std::string_view label = trim(call.value);
    for (std::uint32_t k = 0; k < c.ninsns; ++k) {
      if (c.insns[k].op == Op::Label && insn_text(c, c.insns[k]) == label) {
        s.pc = k;
        s.done = false;
        s.paused = 0;
        s.timer_fired = false;
        s.wait_armed = false;
        ctx.wake_at(kNoWake);
        return result(run.go());
      }
    }
    return call.error = "no such label '" + std::string(label) + "'", false;
  }
  const bool proxy = c.type == Type::Proxy && h != "run";
  if (h == "run" || proxy) {
    if (h == "run" && c.type != Type::Passive && c.type != Type::Proxy && !call.write)
      return call.error = "run is a handler of PASSIVE and PROXY scripts", false;
    run.args = std::string(call.value);
    run.zero = std::string(h);
    run.write_flag = call.write ? "true" : "false";
    s.pc = 0;
    s.done = false;
    s.paused = 0;
    s.timer_fired = false;
    s.wait_armed = false;
    const int ret = find_var(c, "_");
    if (ret >= 0) s.values[ret][0] = 0;
    const bool ok = run.go();
    if (ret >= 0 && c.insns[std::min(s.pc, c.ninsns ? c.ninsns - 1 : 0)].op == Op::Return) call.out = s.values[ret];
    return result(ok);
  }
  // An exported variable reads as a handler of its name (Click's export).
  for (std::uint32_t k = 0; k < c.ninsns; ++k) {
    const Insn& in = c.insns[k];
    if (in.op == Op::Init && in.exported && h == c.vars[in.var]) {
      if (call.write) {
        run.set_var(in.var, call.value);
        return true;
      }
      call.out = s.values[in.var];
      return true;
    }
  }
  call.unknown = true;
  return false;
}

// ---- the spec ---------------------------------------------------------------------------------------

namespace {

constexpr ParamSpec kParams[] = {
    {.name = "TYPE",
     .type = ParamType::String,
     .kind = ParamKind::Keyword,
     .required = false,
     .default_value = "ACTIVE",
     .doc = "ACTIVE (runs from the start), PASSIVE (runs when its `run` handler is read or written), PROXY (runs "
            "when any handler of its not its own is called: $0 the handler's name, $write whether written, $args "
            "the value) or DRIVER (ACTIVE, takes the run's stop events - see DriverManager - and ends the run when the "
            "script ends).",
     .validate = validate_type},
    {.name = "INSTRUCTION",
     .type = ParamType::String,
     .kind = ParamKind::Rest,
     .required = false,
     .default_value = "",
     .doc = "One instruction of Click's script language (see above).",
     .validate = validate_instruction},
};

constexpr ParamSpec kDriverParams[] = {
    {.name = "TYPE",
     .type = ParamType::String,
     .kind = ParamKind::Keyword,
     .required = false,
     .default_value = "DRIVER",
     .doc = "As Script's TYPE; DRIVER by default, which is what makes a DriverManager.",
     .validate = validate_type},
    {.name = "INSTRUCTION",
     .type = ParamType::String,
     .kind = ParamKind::Rest,
     .required = false,
     .default_value = "",
     .doc = "One instruction of Click's script language (see Script); `wait_stop` waits for a stop event.",
     .validate = validate_instruction},
};

constexpr HandlerSpec kHandlers[] = {
    {.name = "step",
     .kind = HandlerSpec::Kind::Control,
     .doc = "write [N]: moves on past N blocking instructions (pause, or a wait cut short); default 1",
     .control_access = kControlWrite},
    {.name = "goto",
     .kind = HandlerSpec::Kind::Control,
     .doc = "write LABEL: runs on from the label",
     .control_access = kControlWrite},
    {.name = "run",
     .kind = HandlerSpec::Kind::Control,
     .doc = "read or write [ARGS] (PASSIVE, PROXY): runs the script from the top with $args; a read returns what "
            "`return` gave",
     .control_access = kControlRead | kControlWrite},
    {.name = "driver",
     .kind = HandlerSpec::Kind::Control,
     .doc = "read: true when the run's stop events step this script (TYPE DRIVER, DriverManager)",
     .control_access = kControlRead},
};

}  // namespace

NB_ELEMENT_CONTROL(Script);

constinit const ElementSpec Script::spec{
    .class_name = "Script",
    .ports = "0/0",
    .params = kParams,
    .brief = "runs Click's script language on the running router: waits, reads and writes handlers",
    .description =
        "Each argument is an instruction of Click's script language; nbrun runs them in order on "
        "its control thread (never on a worker core), the thread that serves `nbctl`, so that "
        "`write ELEMENT.HANDLER VALUE` does exactly what `nbctl write` does (a handler's write "
        "runs on each worker between two bursts) and `$(ELEMENT.HANDLER)` reads what `nbctl "
        "read` reads. `nbc check` checks the instructions and runs none.\n"
        "\n"
        "Instructions: `set VAR TEXT`; `init VAR TEXT` (once, at the start); `export VAR [TEXT]` "
        "(as init, and VAR is then a handler of the Script, read and written); `print TEXT` "
        "(standard output; TEXT starting with a letter is a handler read: `print c.count`), "
        "`printn` (no newline); `read ELEMENT.HANDLER` (name and value on standard error); "
        "`write ELEMENT.HANDLER [VALUE]` ($? is then 0, or -1 when the write failed, which is "
        "said on standard error); `wait TIME` (0.5s, 5ms, 2; a step ends it sooner); `pause "
        "[N]` (until the `step` handler was written N times); `label L`; `goto L [COND]` (only "
        "when COND is true; the labels `begin`/`loop`, `end`, `exit`, `stop`, `error` as in "
        "Click); `loop` (to the first instruction); `end`, `exit`; `stop` (ends the run, as "
        "SIGINT does); `return [VALUE]` (what a read of `run` returns); `error [MSG]`. The q "
        "forms (setq, initq, exportq, printq, printnq, readq, writeq, returnq, errorq) remove a "
        "layer of quotes after substitution. A script that jumps 1000 times without waiting is "
        "stopped, as in Click.\n"
        "\n"
        "Substitutions, as Click's: `$VAR`, `${VAR}`, `$?`, `$args`, `$0`, `$1`..., `$#`, "
        "`$(ELEMENT.HANDLER)` and Click's functions `$(add A B...)`, `sub`, `mul`, `div` "
        "(decimal), `idiv`, `mod`, `min`, `max`, `neg`, `abs`, `eq`, `ne`, `lt`, `gt`, `le`, "
        "`ge` (numbers compare as numbers, other text as text), `not`, `and`, `or`, `nand`, "
        "`nor`, `if C A [B]`, `in X A B...`, `cat`, `length`, `unquote`, `random [[LO] HI]`; "
        "nested freely. A `$x` the configuration does not define is left in Script's arguments "
        "for the Script (elsewhere in nb an undefined variable is an error); one defined with "
        "define($x ...) is substituted first, as in Click. ELEMENT names are looked up in the "
        "Script's compound first, then outwards.\n"
        "\n"
        "Handlers: `step` (also `step router`: a stop event), `goto`, `run` (above), `driver`, "
        "and each exported variable. On a hot reload a "
        "Script whose instructions did not change carries on where it was; a changed one starts "
        "over.\n"
        "\n"
        "Files: `print >FILE TEXT` writes FILE, `print >>FILE TEXT` appends to it (`-` is "
        "standard output); `save TEXT FILE` and `append TEXT FILE` are the same (Click's), "
        "TEXT a handler when it starts with a letter. The control thread writes the file; one "
        "it cannot open is said on standard error and the script goes on.\n"
        "\n"
        "TYPE DRIVER (and DriverManager, `nbc doc DriverManager`): the run's stop events step "
        "the script instead of ending the run (`wait_stop` waits for one), and the run ends "
        "when the script ends.\n"
        "\n"
        "Differences from Click: no PACKET/PUSH scripts (nb's Script has no ports) and no "
        "SIGNAL scripts (a PASSIVE script's `run`, written with nbctl, does that); a DRIVER "
        "script does not hold back the end of a run whose inputs are all read (nbrun ends "
        "then, as without it); wait's precision is "
        "the control thread's, about a millisecond; a variable holds at most 255 bytes; at most "
        "128 instructions, 32 variables.",
    .example =
        "s :: RatedSource(RATE 1000) -> c :: Counter -> Discard;\n"
        "Script(init x 0, wait 0.5s, set x $(sub 1000 $x), write s.rate $x, loop);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .raw_arguments = true,
};

NB_REGISTER_ELEMENT(Script::spec);

constexpr ElementOps kDriverOps = kernel_ops<DriverManager>(nullptr);

constinit const ElementSpec DriverManager::spec{
    .class_name = "DriverManager",
    .ports = "0/0",
    .params = kDriverParams,
    .brief = "a Script that manages the run's stop events (Click's DriverManager)",
    .description =
        "Script with TYPE DRIVER by default: the same instructions, substitutions and handlers "
        "(`nbc doc Script`), run on nbrun's control thread. While it runs, a *stop event* does "
        "not end the run but steps the script, as a write of its `step` handler does: it ends a "
        "`wait_stop` (or `pause`, `wait_step`) and cuts a `wait` short. The run ends when the "
        "script ends - by `stop`, `end`, `exit`, an error, or by falling off its last "
        "instruction - or at a stop event after it ended. With no instructions it waits for one "
        "stop event and stops.\n"
        "\n"
        "Stop events: an element that asks the run to stop (a source's LIMIT with STOP true, "
        "FromDump(STOP true) at its end, SchedOrderTest(STOP true) when full), another Script's "
        "`stop`, and a write of the global `stop` handler through a ControlSocket. SIGINT, "
        "SIGTERM, `--duration` and `--packets` still end the run at once, and so does the end "
        "of every input file (nbrun's natural end).\n"
        "\n"
        "Differences from Click: with several DRIVER scripts (Click refuses them) the first in "
        "the configuration gets the stop events; the others run as ACTIVE scripts whose end (or "
        "`stop`) is a stop event.",
    .example =
        "s :: InfiniteSource(LIMIT 1000, STOP true) -> c :: Counter -> Discard;\n"
        "DriverManager(wait_stop, print c.count, stop);\n",
    .ops = &kDriverOps,
    .handlers = kHandlers,
    .raw_arguments = true,
};

NB_REGISTER_ELEMENT(DriverManager::spec);

}  // namespace nb::elements

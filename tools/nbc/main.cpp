// nbc: the nb configuration compiler's command line (check, dot, fmt, doc).
// Exit status: 0 success, 1 errors in the input, 2 usage errors.
#include <nb/compiler/dot.hpp>
#include <nb/compiler/driver.hpp>
#include <nb/compiler/flatten.hpp>
#include <nb/compiler/jit.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/compiler/plugin.hpp>
#include <nb/compiler/registry.hpp>
#include <nb/compiler/values.hpp>
#include <nb/lang/format.hpp>
#include <nb/lang/parser.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <iostream>

namespace {

using nb::compiler::Registry;
using nb::lang::DiagnosticEngine;
using nb::lang::SourceManager;

enum Exit { kOk = 0, kErrors = 1, kUsage = 2 };

struct Options {
  std::string color = "auto";
  std::vector<nb::compiler::PluginRef> plugins;  // --plugin
  nb::compiler::Definitions definitions;         // NAME=VALUE arguments
  bool use_color() const { return color == "always" || (color == "auto" && isatty(STDERR_FILENO)); }
};

// Loads a file ("-": standard input) into `sources`, reporting "nbc: error: ..." when it
// cannot be read.
nb::lang::FileId load(SourceManager& sources, const std::string& path) {
  std::string err;
  nb::lang::FileId id = path == "-" ? sources.load_stdin(err) : sources.load(path, err);
  if (id == nb::lang::kNoFile) fmt::print(stderr, "nbc: error: {}\n", err);
  return id;
}

// Moves the NAME=VALUE arguments of `args` into `opt.definitions`; false (reported) when one is
// malformed or given twice.
bool take_definitions(std::vector<std::string>& args, Options& opt) {
  std::vector<std::string> rest;
  for (std::string& a : args) {
    if (!nb::compiler::is_definition(a)) {
      rest.push_back(std::move(a));
      continue;
    }
    nb::compiler::Definition d;
    std::string error;
    if (!nb::compiler::parse_definition(a, d, error) || !nb::compiler::add_definition(opt.definitions, d, error)) {
      fmt::print(stderr, "nbc: error: {}\n", error);
      return false;
    }
  }
  args = std::move(rest);
  return true;
}

int report(const DiagnosticEngine& diags, const SourceManager& sources, const Options& opt) {
  diags.render(std::cerr, sources, opt.use_color());
  return diags.has_errors() ? kErrors : kOk;
}

int cmd_check(const std::vector<std::string>& files, bool syntax_only, std::size_t max_errors, const Options& opt) {
  int status = kOk;
  for (const std::string& path : files) {
    SourceManager sources;
    DiagnosticEngine diags(max_errors);
    auto id = load(sources, path);
    if (id == nb::lang::kNoFile) {
      status = kErrors;
      continue;
    }
    if (syntax_only) nb::lang::parse(sources, id, diags);
    else {
      // lower() too: it runs every element's configure() as nbrun does, so that what nbrun
      // rejects before it opens files or devices is rejected here, with the same message.
      auto front =
          nb::compiler::compile_front_end(sources, id, Registry::builtin(), diags, opt.plugins, opt.definitions);
      if (front.graph) nb::compiler::lower(*front.graph, diags);
    }
    if (report(diags, sources, opt) != kOk) status = kErrors;
  }
  return status;
}

int cmd_dot(const std::string& path, const std::string& output, const Options& opt) {
  SourceManager sources;
  DiagnosticEngine diags;
  auto id = load(sources, path);
  if (id == nb::lang::kNoFile) return kErrors;
  auto result = nb::compiler::compile_front_end(sources, id, Registry::builtin(), diags, opt.plugins, opt.definitions);
  if (report(diags, sources, opt) != kOk || !result.graph) return kErrors;
  std::string dot = nb::compiler::to_dot(*result.graph, path);
  if (output.empty() || output == "-") {
    std::cout << dot;
    return kOk;
  }
  std::ofstream out(output);
  out << dot;
  out.close();  // the write error of the last buffer shows only here
  if (!out) {
    fmt::print(stderr, "nbc: error: cannot write '{}'\n", output);
    return kErrors;
  }
  return kOk;
}

// The configuration as click-flatten prints it: checked as `nbc check` checks (so that what it
// prints runs), then every element and connection of the expanded graph.
int cmd_flatten(const std::string& path, const Options& opt) {
  SourceManager sources;
  DiagnosticEngine diags;
  auto id = load(sources, path);
  if (id == nb::lang::kNoFile) return kErrors;
  auto front = nb::compiler::compile_front_end(sources, id, Registry::builtin(), diags, opt.plugins, opt.definitions);
  if (front.graph) nb::compiler::lower(*front.graph, diags);
  if (report(diags, sources, opt) != kOk || !front.graph) return kErrors;
  std::cout << nb::compiler::to_flat_config(*front.graph);
  return kOk;
}

// Replaces the file at `path` (a configuration: a regular file) with `text` through a new file
// in the same folder renamed over it, so that a full disk or a failed write leaves the original
// as it was (writing in place truncated it first). Keeps its permissions; follows symlinks.
bool replace_file(const std::string& path, const std::string& text, std::string& error) {
  std::error_code ec;
  std::string target = std::filesystem::canonical(path, ec).string();
  if (ec) {
    error = ec.message();
    return false;
  }
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) {
    error = std::strerror(errno);
    return false;
  }
  std::string tmp = target + ".nbc-fmt.XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, st.st_mode & 07777) == 0;
  for (std::size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  if (!ok) error = std::strerror(errno);
  if (::close(fd) != 0 && ok) {
    ok = false;
    error = std::strerror(errno);
  }
  if (ok && ::rename(tmp.c_str(), target.c_str()) != 0) {
    ok = false;
    error = std::strerror(errno);
  }
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

int cmd_fmt(const std::string& path, bool in_place, bool check_only, const Options& opt) {
  SourceManager sources;
  DiagnosticEngine diags;
  if (in_place && path == "-") {
    fmt::print(stderr, "nbc: error: fmt -i rewrites a file; standard input is not one\n");
    return kUsage;
  }
  auto id = load(sources, path);
  if (id == nb::lang::kNoFile) return kErrors;
  nb::lang::Program program = nb::lang::parse(sources, id, diags);
  if (report(diags, sources, opt) != kOk) return kErrors;
  std::string formatted = nb::lang::format_program(sources, program);
  if (check_only) {
    if (formatted == sources.file(id).text()) return kOk;
    fmt::print(stderr, "{}: not formatted (run: nbc fmt -i {})\n", path, path);
    return kErrors;
  }
  if (!in_place) {
    std::cout << formatted;
    return kOk;
  }
  if (formatted == sources.file(id).text()) return kOk;
  std::string error;
  if (!replace_file(path, formatted, error)) {
    fmt::print(stderr, "nbc: error: cannot write '{}': {}; the file is unchanged\n", path, error);
    return kErrors;
  }
  return kOk;
}

int cmd_ir(const std::string& path, bool stats, int opt_level, const Options& opt) {
  SourceManager sources;
  DiagnosticEngine diags;
  auto id = load(sources, path);
  if (id == nb::lang::kNoFile) return kErrors;
  auto front = nb::compiler::compile_front_end(sources, id, Registry::builtin(), diags, opt.plugins, opt.definitions);
  if (!front.graph) return report(diags, sources, opt), kErrors;
  auto plan = nb::compiler::lower(*front.graph, diags);
  if (report(diags, sources, opt) != kOk || !plan) return kErrors;
  // The IR names each element's state by a symbol, bound to its address when code is loaded;
  // here that is memory of this process, as in nbrun.
  std::vector<nb::compiler::AlignedBlock> states(plan->elements.size());
  std::vector<nb::jit_abi::TxBuffer> tx(plan->ports.size());
  nb::HostServices host;
  nb::compiler::JitLayout layout;
  for (std::size_t i = 0; i < plan->elements.size(); ++i) {
    const auto& e = plan->elements[i];
    if (e.ops && e.ops->role == nb::ElementOps::Role::Kernel) states[i] = nb::compiler::AlignedBlock(e.ops->state_size, e.ops->state_align);
    layout.states.push_back(states[i].data());
  }
  for (auto& t : tx) layout.tx.push_back(&t);
  layout.host = &host;
  nb::compiler::JitOptions jo;
  jo.opt_level = opt_level;
  jo.keep_ir = !stats;
  jo.materialize = false;
  std::string error;
  auto g = nb::compiler::jit_compile(*plan, layout, jo, error);
  if (!g) {
    fmt::print(stderr, "nbc: error: the JIT cannot compile '{}': {}\n", path, error);
    return kErrors;
  }
  if (!stats) {
    std::cout << g->ir;
    return kOk;
  }
  const auto& st = g->stats;
  fmt::print("phase        ms\n");
  fmt::print("build    {:>8.2f}\nparse    {:>8.2f}\nlink     {:>8.2f}\noptimize {:>8.2f}\n", st.build_ms, st.parse_ms,
             st.link_ms, st.optimize_ms);
  fmt::print("total    {:>8.2f}\n\n", st.build_ms + st.parse_ms + st.link_ms + st.optimize_ms);
  std::size_t w = 7;
  for (const auto& e : st.elements) w = std::max(w, e.name.size());
  fmt::print("{:<{}}  {:<14}  {}\n", "element", w, "class", "kernel");
  for (const auto& e : st.elements) fmt::print("{:<{}}  {:<14}  {}\n", e.name, w, e.cls, e.inlined ? "inlined" : "called");
  // What the graph's facts proved redundant (docs/facts.md): one line per element left out.
  fmt::print("\nremoved: {}\n", st.removals.size());
  for (const auto& r : st.removals) {
    std::string at = "?";
    if (r.span.valid()) {
      const nb::lang::SourceFile& f = sources.file(r.span.file);
      nb::lang::LineCol lc = f.line_col(r.span.begin);
      at = fmt::format("{}:{}:{}", f.name(), lc.line, lc.column);
    }
    fmt::print("removed {} ({}) at {}: {}\n", r.name, r.cls, at, r.fact);
  }
  // The other removal: the reset of every received packet's annotations.
  fmt::print("\nannotation reset: {}: {}\n", st.reset_annotations ? "kept" : "removed", st.annotations_why);
  return kOk;
}

std::string param_line(const nb::ParamSpec& p) {
  std::string kind = p.kind == nb::ParamKind::Keyword ? "keyword" : p.kind == nb::ParamKind::Rest ? "one or more" : "positional";
  std::string req = p.required ? "required" : p.default_value.empty() ? "optional" : fmt::format("default {}", p.default_value);
  std::string range;
  if (p.min_value != INT64_MIN || p.max_value != UINT64_MAX) {
    range = fmt::format(", {} to {}", p.min_value == INT64_MIN ? std::string("...") : std::to_string(p.min_value),
                        p.max_value == UINT64_MAX ? std::string("...") : std::to_string(p.max_value));
    // A time's bounds are microseconds: shown in its units (1us to 35791394min).
    if (p.type == nb::ParamType::Duration && p.min_value >= 0 && p.max_value != UINT64_MAX)
      range = fmt::format(", {} to {}", nb::compiler::format_duration(static_cast<std::uint64_t>(p.min_value)),
                          nb::compiler::format_duration(p.max_value));
    if (p.type == nb::ParamType::Bandwidth && p.min_value >= 0)
      range = fmt::format(", {}B/s to {}", p.min_value,
                          p.max_value == UINT64_MAX ? std::string("...") : fmt::format("{}B/s", p.max_value));
  }
  return fmt::format("{} ({}{}, {}, {})", p.name, nb::compiler::type_name(p.type), range, kind, req);
}

// Prints text with an indent, wrapping prose at 96 columns; lines that start with spaces (code)
// are kept as they are.
void print_indented(std::string_view text, const char* indent, bool wrap = true) {
  constexpr std::size_t kWidth = 96;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (line.empty()) {
      fmt::print("\n");
    } else if (!wrap || line.front() == ' ') {
      fmt::print("{}{}\n", indent, line);
    } else {
      std::string cur;
      std::size_t i = 0;
      while (i < line.size()) {
        std::size_t sp = line.find(' ', i);
        std::string_view word = line.substr(i, sp == std::string_view::npos ? std::string_view::npos : sp - i);
        if (!cur.empty() && cur.size() + 1 + word.size() + std::strlen(indent) > kWidth) {
          fmt::print("{}{}\n", indent, cur);
          cur.clear();
        }
        if (!cur.empty()) cur += ' ';
        cur += word;
        if (sp == std::string_view::npos) break;
        i = sp + 1;
      }
      if (!cur.empty()) fmt::print("{}{}\n", indent, cur);
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

// How the element's State scales over worker cores (ElementOps::state_scope, docs/multicore.md).
const char* state_scope_line(const nb::ElementOps* ops) {
  if (!ops) return nullptr;
  if (ops->role != nb::ElementOps::Role::Kernel) return "none: a port, which the runtime serves for every worker";
  switch (ops->state_scope) {
    case nb::StateScope::PerWorker:
      return "per worker — each worker core has its own; handlers report the sum over workers";
    case nb::StateScope::PerFlow:
      return "per flow — each worker core keeps its own flows (a flow stays on one); handlers merge";
    case nb::StateScope::SharedReadMostly:
      return "shared read-mostly — one table for every worker core, only read by packets";
  }
  return nullptr;
}

// The element's handlers, counters and drop reasons, from its declarations (HandlerSpec, kDrops)
// and what the runtime gives every element (runtime/src/control.cpp, handlers_of), so that
// descriptions need not list them.
void print_handlers(const nb::ElementSpec& s) {
  using Kind = nb::HandlerSpec::Kind;
  struct Line {
    std::string_view name, access, doc;
  };
  std::vector<Line> lines;
  auto has = [&](std::string_view n) {
    return std::any_of(lines.begin(), lines.end(), [&](const Line& l) { return l.name == n; });
  };
  // In declared order; a counter whose name another handler takes is listed as a counter only.
  for (const nb::HandlerSpec& h : s.handlers) {
    const bool shadowed = h.kind == Kind::Counter && std::any_of(s.handlers.begin(), s.handlers.end(), [&](auto& o) {
                            return o.name == h.name && o.kind != Kind::Counter;
                          });
    std::string_view access = shadowed                  ? "a counter in the run's statistics"
                              : h.kind == Kind::Counter ? "read; a counter in the run's statistics"
                              : h.kind == Kind::Control ? (h.control_access == (nb::kControlRead | nb::kControlWrite)
                                                               ? "read/write"
                                                           : h.control_access == nb::kControlWrite ? "write"
                                                                                                   : "read")
                              : h.kind != Kind::Custom  ? "read"
                              : h.read && h.write       ? "read/write"
                              : h.write                 ? "write"
                                                        : "read";
    lines.push_back({h.name, access, h.doc});
  }
  const nb::ElementOps* ops = s.ops;
  if (!has("class")) lines.push_back({"class", "read", "the element's class"});
  if (ops && ops->role == nb::ElementOps::Role::Kernel) {
    if (!has("drops")) lines.push_back({"drops", "read", "packets dropped, for every reason"});
    if (!ops->drop_reasons.empty() && !has("drop_reasons"))
      lines.push_back({"drop_reasons", "read", "packets dropped, per reason: one line REASON COUNT"});
  } else if (ops) {
    if (!has("count")) lines.push_back({"count", "read", "packets through the element's port"});
    if ((ops->role == nb::ElementOps::Role::Source || ops->role == nb::ElementOps::Role::SourceSink) && !has("active"))
      lines.push_back({"active", "read/write", "whether the source reads packets (false pauses it where it is)"});
  }
  fmt::print("\nHANDLERS\n");
  for (const Line& l : lines) {
    fmt::print("  {} ({})\n", l.name, l.access);
    print_indented(l.doc, "      ");
  }
  if (ops && !ops->drop_reasons.empty()) {
    fmt::print("\nDROP REASONS\n");
    for (const nb::DropReason& r : ops->drop_reasons) {
      fmt::print("  {}\n", r.name);
      print_indented(r.doc, "      ");
    }
  }
}

int cmd_doc(const std::string& name, const Options& opt) {
  Registry reg = Registry::builtin();
  for (const auto& p : opt.plugins) {
    if (auto err = nb::compiler::add_plugin_classes(reg, p)) {
      fmt::print(stderr, "nbc: error: {}\n", *err);
      return kErrors;
    }
  }
  if (name.empty()) {
    std::size_t width = 0;
    for (const auto& [n, c] : reg.classes()) width = std::max(width, n.size());
    for (const auto& [n, c] : reg.classes()) fmt::print("{:<{}}  {}\n", n, width, c.spec->brief);
    return kOk;
  }
  const nb::compiler::ElementClass* cls = reg.find(name);
  if (!cls) {
    fmt::print(stderr, "nbc: error: unknown element class '{}'\n", name);
    std::string hint = nb::lang::closest_match(name, reg.names());
    if (!hint.empty()) fmt::print(stderr, "note: did you mean '{}'?\n", hint);
    else fmt::print(stderr, "note: `nbc doc` lists every element class\n");
    return kErrors;
  }
  const nb::ElementSpec& s = *cls->spec;
  fmt::print("{} - {}\n\n", s.class_name, s.brief);
  if (const char* scope = state_scope_line(s.ops)) fmt::print("State: {}\n\n", scope);
  fmt::print("PORTS\n  {}, {}", nb::compiler::describe_count(cls->ports.inputs, "input"),
             nb::compiler::describe_count(cls->ports.outputs, "output"));
  if (s.output_count == nb::OutputCount::OnePerRestArg) fmt::print(" (one per argument)");
  if (s.output_count == nb::OutputCount::FromParam) fmt::print(" ({} if given)", s.output_count_param);
  fmt::print("  [Click port spec {}]\n", s.ports);
  fmt::print("  processing {}/{}: {}\n\n", cls->processing.inputs, cls->processing.outputs,
             "h push, l pull, a agnostic (push or pull, as connected); the last letter covers the ports past it");
  fmt::print("PARAMETERS\n");
  if (s.params.empty()) fmt::print("  none\n");
  for (const nb::ParamSpec& p : s.params) {
    fmt::print("  {}\n", param_line(p));
    print_indented(p.doc, "      ");
  }
  print_handlers(s);
  fmt::print("\nDESCRIPTION\n");
  print_indented(s.description, "  ");
  fmt::print("\nEXAMPLE\n");
  print_indented(s.example, "  ", false);
  return kOk;
}

// CLI11 answers `nbc frobnicate` with "A subcommand is required": name the word it did not
// know and the subcommands it could have been. `valued` are the global options that take a value.
bool unknown_subcommand(CLI::App& app, int argc, char** argv, std::initializer_list<std::string_view> valued) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") return false;
    if (!a.empty() && a[0] == '-') {
      if (std::find(valued.begin(), valued.end(), a) != valued.end()) ++i;  // its value
      continue;
    }
    std::string names;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_name() == a) return false;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    fmt::print(stderr,
               "{}: error: unknown subcommand '{}'\nThe subcommands are: {}\nRun with --help for more information.\n",
               app.get_name(), a, names);
    return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nbc - check, draw, format and document nb packet-processing graphs (.nbc files)", "nbc"};
  app.set_version_flag("--version", "nbc " NB_PROJECT_VERSION, "Print nbc's version and exit");
  app.require_subcommand(1);
  app.fallthrough();  // global options (--color, --plugin) also after the subcommand
  Options opt;
  app.add_option("--color", opt.color, "Colour diagnostics: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  std::vector<std::string> plugin_paths;
  app.add_option("--plugin", plugin_paths,
                 "Load this element plugin (.so) first, as require(plugin \"PATH\") would; may be repeated")
      ->allow_extra_args(false);

  std::vector<std::string> check_files;
  bool syntax_only = false;
  auto* check = app.add_subcommand("check", "Check .nbc files; print every error with its location, or nothing");
  check
      ->add_option("FILE", check_files,
                   "Configuration files ('-': standard input), and NAME=VALUE definitions of $NAME for every file "
                   "(over a define($NAME ...) of the file; a file named with a '=' is written ./A=B.nbc)")
      ->required();
  check->add_flag("--syntax-only", syntax_only, "Only parse: do not resolve classes or check the graph");
  // Measuring a foreign configuration (tools/click_conf_report.py) needs every error, not the first 20.
  std::size_t max_errors = 20;
  check->add_option("--max-errors", max_errors, "Stop after this many errors per file (0: no limit)")
      ->capture_default_str();

  std::string dot_file, dot_out;
  auto* dot = app.add_subcommand("dot", "Print the elaborated graph in Graphviz format");
  dot->add_option("FILE", dot_file, "Configuration file ('-': standard input)")->required();
  std::vector<std::string> dot_defs;
  dot->add_option("NAME=VALUE", dot_defs, "Definitions of $NAME, over a define($NAME ...) of the file");
  dot->add_option("-o,--output", dot_out, "Write to this file instead of standard output");

  std::string flatten_file;
  std::vector<std::string> flatten_defs;
  auto* flatten = app.add_subcommand("flatten",
                                     "Print the elaborated graph as a flat configuration (as click-flatten): every "
                                     "element with its full name and arguments, then every connection");
  flatten->add_option("FILE", flatten_file, "Configuration file ('-': standard input)")->required();
  flatten->add_option("NAME=VALUE", flatten_defs, "Definitions of $NAME, over a define($NAME ...) of the file");

  std::string fmt_file;
  bool in_place = false, fmt_check = false;
  auto* fmtc = app.add_subcommand("fmt", "Print a configuration in canonical layout (comments are kept)");
  fmtc->add_option("FILE", fmt_file, "Configuration file ('-': standard input)")->required();
  fmtc->add_flag("-i,--in-place", in_place, "Rewrite the file instead of printing");
  fmtc->add_flag("--check", fmt_check, "Exit 1 if the file is not already formatted");

  std::string doc_class;
  auto* doc = app.add_subcommand("doc", "List element classes, or document one in full");
  doc->add_option("CLASS", doc_class, "Element class name");

  std::string ir_file;
  bool ir_stats = false;
  int ir_opt = 3;
  auto* ir = app.add_subcommand("ir", "Print the optimised LLVM IR of the fused packet loop the JIT makes");
  ir->add_option("FILE", ir_file, "Configuration file")->required();
  std::vector<std::string> ir_defs;
  ir->add_option("NAME=VALUE", ir_defs, "Definitions of $NAME, over a define($NAME ...) of the file");
  ir->add_flag("--stats", ir_stats, "Print per-phase compile times and, per element, whether its kernel was inlined");
  ir->add_option("-O", ir_opt, "Optimisation level (0-3)")->check(CLI::Range(0, 3));

  if (unknown_subcommand(app, argc, argv, {"--color", "--plugin"})) return kUsage;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  }

  for (const std::string& path : plugin_paths) {
    std::string error;
    auto p = nb::compiler::load_plugin(path, error);
    if (!p) {
      fmt::print(stderr, "nbc: error: {}\n", error);
      return kErrors;
    }
    opt.plugins.push_back(std::move(p));
  }

  // NAME=VALUE: after the file, as Click's `click cfg.click NAME=VALUE`.
  std::vector<std::string>* given = check->parsed()     ? &check_files
                                    : flatten->parsed() ? &flatten_defs
                                    : dot->parsed()     ? &dot_defs
                                    : ir->parsed()      ? &ir_defs
                                                        : nullptr;
  if (given) {
    if (!take_definitions(*given, opt)) return kUsage;
    if (given != &check_files && !given->empty()) {
      fmt::print(stderr, "nbc: error: '{}' is not a definition: expected NAME=VALUE, e.g. RATE=10\n", given->front());
      return kUsage;
    }
    if (check_files.empty() && check->parsed()) {
      fmt::print(stderr, "nbc: error: check needs a configuration file, not only definitions\n");
      return kUsage;
    }
  }

  try {
    int status = kUsage;
    if (check->parsed())
      status = cmd_check(check_files, syntax_only, max_errors, opt);
    else if (dot->parsed())
      status = cmd_dot(dot_file, dot_out, opt);
    else if (flatten->parsed())
      status = cmd_flatten(flatten_file, opt);
    else if (fmtc->parsed())
      status = cmd_fmt(fmt_file, in_place, fmt_check, opt);
    else if (doc->parsed())
      status = cmd_doc(doc_class, opt);
    else if (ir->parsed())
      status = cmd_ir(ir_file, ir_stats, ir_opt, opt);
    // `nbc fmt x.nbc > /dev/full` must not exit 0 with nothing written.
    std::cout.flush();
    if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout)) {
      fmt::print(stderr, "nbc: error: cannot write standard output: {}\n", std::strerror(errno));
      return kErrors;
    }
    return status;
  } catch (const std::system_error& e) {
    // fmt::print throws when stdio cannot write: more than a buffer's worth of output to a full
    // device (`nbc doc` now lists more than 4 KiB).
    if (std::ferror(stdout)) {
      fmt::print(stderr, "nbc: error: cannot write standard output: {}\n", e.code().message());
      return kErrors;
    }
    fmt::print(stderr, "nbc: internal error: {}\n", e.what());
    return kErrors;
  } catch (const std::exception& e) {
    // Nothing should get here; if something does, say so plainly instead of aborting.
    fmt::print(stderr, "nbc: internal error: {}\n", e.what());
    return kErrors;
  }
  return kUsage;
}

#include <nb/compiler/driver.hpp>
#include <nb/lang/parser.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace nb::compiler {

namespace {

// `KIND "FILE"` or `KIND FILE` in a require(...) (KIND: plugin, library): the file name and its
// span, or nothing when the argument is about something else (Click's `package "name"`).
bool file_argument(const lang::ConfigArg& arg, std::string_view kw, std::string& file, lang::Span& span) {
  const std::string& v = arg.value;
  if (v.compare(0, kw.size(), kw) != 0) return false;
  std::size_t i = kw.size();
  if (i < v.size() && !std::isspace(static_cast<unsigned char>(v[i]))) return false;
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
  std::size_t b = i, e = v.size();
  while (e > b && std::isspace(static_cast<unsigned char>(v[e - 1]))) --e;
  if (e - b >= 2 && v[b] == '"' && v[e - 1] == '"') {
    span = arg.value_span(b, e);
    ++b;
    --e;
  } else {
    span = arg.value_span(b, e);
  }
  file = v.substr(b, e - b);
  if (file.empty()) span = arg.span;
  return true;
}

bool plugin_argument(const lang::ConfigArg& arg, std::string& file, lang::Span& span) {
  return file_argument(arg, "plugin", file, span);
}

// Includes the libraries `program` requires (require(library FILE)) into `out`, depth first:
// a library's own libraries come before it. `chain` is the files being included, outermost
// first (a cycle is an error); `included` every library so far (each is included once).
void include_libraries(lang::SourceManager& sources, const lang::Program& program, lang::DiagnosticEngine& diags,
                       std::vector<std::pair<std::string, lang::Span>>& chain, std::set<std::string>& included,
                       std::vector<lang::Statement>& out) {
  namespace fs = std::filesystem;
  if (chain.size() > 64) return;  // reported as a cycle long before this could matter
  for (const lang::Statement& st : program.statements) {
    const auto* req = std::get_if<lang::Require>(&st.node);
    if (!req) continue;
    for (const lang::ConfigArg& arg : req->config.args) {
      std::string name;
      lang::Span span;
      if (!file_argument(arg, "library", name, span)) continue;
      if (name.empty()) {
        diags.error(span, "require(library ...) needs the library's file name, e.g. require(library \"lib.nbc\")");
        continue;
      }
      fs::path path(name);
      if (path.is_relative()) path = fs::path(sources.file(program.file).name()).parent_path() / path;
      std::error_code ec;
      fs::path canon = fs::weakly_canonical(path, ec);
      path = ec ? path.lexically_normal() : canon;  // "sub/../lib" where sub does not exist
      std::string key = path.string();
      auto in_chain = std::find_if(chain.begin(), chain.end(), [&](const auto& c) { return c.first == key; });
      if (in_chain != chain.end()) {
        lang::Diagnostic& d = diags.error(
            span,
            fmt::format("require(library) cycle: '{}' includes this file, directly or through other libraries", name));
        for (auto it = in_chain + 1; it != chain.end(); ++it)
          d.note(it->second, fmt::format("through '{}', required here", it->first));
        d.note("a library may require others, but not one that requires it back");
        continue;
      }
      if (!included.insert(key).second) continue;  // included already: once is enough, as in Click
      std::string error;
      lang::FileId id = sources.load(path.string(), error);
      if (id == lang::kNoFile) {
        diags.error(span, fmt::format("cannot include library: {}", error))
            .note("a relative library name is taken from the folder of the file that requires it");
        continue;
      }
      std::size_t before = diags.error_count();
      lang::Program lib = lang::parse(sources, id, diags);
      if (diags.error_count() != before) continue;
      for (const lang::Statement& s : lib.statements) {
        const auto* conn = std::get_if<lang::Connection>(&s.node);
        if (!conn) continue;
        diags.error(s.span, "a library may only define element classes, variables and requirements")
            .note(span, "included as a library here");
      }
      if (diags.error_count() != before) continue;
      chain.emplace_back(key, span);
      include_libraries(sources, lib, diags, chain, included, out);
      chain.pop_back();
      for (const lang::Statement& s : lib.statements) out.push_back(s);
    }
  }
}

bool is_variable_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@';
}

}  // namespace

bool is_definition(std::string_view arg) {
  const std::size_t eq = arg.find('=');
  return eq != std::string_view::npos && arg.substr(0, eq).find('/') == std::string_view::npos;
}

bool parse_definition(std::string_view arg, Definition& out, std::string& error) {
  const std::size_t eq = arg.find('=');
  if (eq == std::string_view::npos) {
    error = fmt::format("'{}' is not a definition: expected NAME=VALUE, e.g. RATE=10", arg);
    return false;
  }
  std::string_view name = arg.substr(0, eq);
  if (!name.empty() && name.front() == '$') name.remove_prefix(1);
  if (name.empty()) {
    error = fmt::format("'{}' is not a definition: the name before '=' is missing (NAME=VALUE, e.g. RATE=10)", arg);
    return false;
  }
  for (char c : name) {
    if (!is_variable_char(c)) {
      error = fmt::format(
          "'{}' is not a definition: a variable name is made of letters, digits, '_' and '@', "
          "and '{}' is none of them",
          arg, c);
      return false;
    }
  }
  out.name = "$" + std::string(name);
  out.value = std::string(arg.substr(eq + 1));
  return true;
}

bool add_definition(Definitions& defs, Definition d, std::string& error) {
  for (const Definition& o : defs) {
    if (o.name == d.name) {
      error = fmt::format("{} is defined twice on the command line ({}={} and {}={})", d.name, d.name.substr(1),
                          o.value, d.name.substr(1), d.value);
      return false;
    }
  }
  defs.push_back(std::move(d));
  return true;
}

FrontEndResult compile_front_end(lang::SourceManager& sources, lang::FileId file, const Registry& registry,
                                 lang::DiagnosticEngine& diags,
                                 const std::vector<std::shared_ptr<const Plugin>>& preloaded,
                                 const Definitions& definitions) {
  FrontEndResult result;
  std::size_t before = diags.error_count();
  result.program = lang::parse(sources, file, diags);
  if (diags.error_count() != before) return result;

  // Libraries: their statements come first, then the file's own.
  lang::Program combined;
  combined.file = file;
  {
    std::vector<std::pair<std::string, lang::Span>> chain;
    std::error_code ec;
    auto self = std::filesystem::weakly_canonical(sources.file(file).name(), ec);
    chain.emplace_back(ec ? sources.file(file).name() : self.string(), lang::Span{});
    std::set<std::string> included;
    include_libraries(sources, result.program, diags, chain, included, combined.statements);
    if (diags.error_count() != before) return result;
  }
  const bool has_libraries = !combined.statements.empty();
  if (has_libraries) {
    combined.statements.insert(combined.statements.end(), result.program.statements.begin(),
                               result.program.statements.end());
  }
  const lang::Program& program = has_libraries ? combined : result.program;

  // Plugins first: their classes must be known before elaboration looks names up.
  // Elements point at their ElementClass: with plugins, the registry they were elaborated with
  // is shared by the graph.
  auto extended = std::make_shared<Registry>(registry);
  Registry& reg = *extended;
  std::vector<PluginRef> plugins;
  auto already = [&](const PluginRef& p) {
    return std::any_of(plugins.begin(), plugins.end(), [&](const PluginRef& q) { return same_plugin(*q, *p); });
  };
  for (const PluginRef& p : preloaded) {
    if (already(p)) continue;  // the same file twice, under two names: loaded once
    if (auto err = add_plugin_classes(reg, p)) {
      diags.error(lang::Span{file, 0, 0}, *err);
      continue;
    }
    plugins.push_back(p);
  }
  for (const lang::Statement& st : program.statements) {
    const auto* req = std::get_if<lang::Require>(&st.node);
    if (!req) continue;
    for (const lang::ConfigArg& arg : req->config.args) {
      std::string name;
      lang::Span span;
      if (!plugin_argument(arg, name, span)) continue;
      if (name.empty()) {
        diags.error(span, "require(plugin ...) needs the plugin's file name, e.g. require(plugin \"libfoo.so\")");
        continue;
      }
      std::string tried;
      std::string path = resolve_plugin_path(name, sources.file(st.span.file).name(), tried);
      if (path.empty()) {
        diags.error(span, fmt::format("plugin '{}' not found", name))
            .note(fmt::format("looked for {} (relative names are resolved next to the configuration, then in "
                              "each directory of NB_PLUGIN_PATH)",
                              tried));
        continue;
      }
      std::string error;
      // The same file as a plugin already loaded (by --plugin, or an earlier require under
      // another name) is that plugin, not a second one whose classes clash with it.
      PluginRef p = load_plugin(path, error, plugins);
      if (!p) {
        diags.error(span, error);
        continue;
      }
      if (already(p)) continue;
      if (auto err = add_plugin_classes(reg, p)) {
        diags.error(span, *err);
        continue;
      }
      plugins.push_back(std::move(p));
    }
  }
  if (diags.error_count() != before) return result;

  auto graph = elaborate(sources, program, plugins.empty() ? registry : reg, diags, definitions);
  if (!graph || diags.error_count() != before) return result;
  if (!check(*graph, diags)) return result;
  if (!plugins.empty()) graph->registry = std::move(extended);
  graph->plugins = std::move(plugins);
  result.graph = std::move(graph);
  return result;
}

}  // namespace nb::compiler

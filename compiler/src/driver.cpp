#include <nb/compiler/driver.hpp>
#include <nb/lang/parser.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace nb::compiler {

namespace {

// `plugin "FILE"` or `plugin FILE` in a require(...): the file name and its span, or nothing
// when the argument is about something else (Click's `package "name"`).
bool plugin_argument(const lang::ConfigArg& arg, std::string& file, lang::Span& span) {
  const std::string& v = arg.value;
  constexpr std::string_view kw = "plugin";
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

}  // namespace

FrontEndResult compile_front_end(const lang::SourceManager& sources, lang::FileId file, const Registry& registry,
                                 lang::DiagnosticEngine& diags,
                                 const std::vector<std::shared_ptr<const Plugin>>& preloaded) {
  FrontEndResult result;
  std::size_t before = diags.error_count();
  result.program = lang::parse(sources, file, diags);
  if (diags.error_count() != before) return result;

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
  for (const lang::Statement& st : result.program.statements) {
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
      std::string path = resolve_plugin_path(name, sources.file(file).name(), tried);
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

  auto graph = elaborate(sources, result.program, plugins.empty() ? registry : reg, diags);
  if (!graph || diags.error_count() != before) return result;
  if (!check(*graph, diags)) return result;
  if (!plugins.empty()) graph->registry = std::move(extended);
  graph->plugins = std::move(plugins);
  result.graph = std::move(graph);
  return result;
}

}  // namespace nb::compiler

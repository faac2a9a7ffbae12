#include <nb/compiler/plugin.hpp>
#include <nb/plugin.hpp>

#include <fmt/format.h>

#include <dlfcn.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace nb::compiler {

namespace fs = std::filesystem;

Plugin::~Plugin() {
  if (handle) dlclose(handle);
}

PluginRef load_plugin(const std::string& path, std::string& error) {
  // Say plainly what is wrong with a file that is not a shared library at all, before dlopen
  // (and never read a device or a FIFO, which could block).
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec)) {
    error = fmt::format("'{}' is not an nb plugin: not a regular file", path);
    return nullptr;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("cannot open plugin '{}': {}", path, std::strerror(errno));
    return nullptr;
  }
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() != 4 || std::memcmp(magic,
                                      "\x7f"
                                      "ELF",
                                      4) != 0) {
    error = fmt::format("'{}' is not an nb plugin: not a shared library", path);
    return nullptr;
  }
  in.close();

  auto p = std::make_shared<Plugin>();
  p->path = path;
  dlerror();
  // RTLD_NOW: a missing symbol fails here, not in the middle of a packet. RTLD_LOCAL: the
  // plugin's symbols do not leak into other plugins.
  p->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!p->handle) {
    const char* why = dlerror();
    error = fmt::format("cannot load plugin '{}': {}", path, why ? why : "unknown error");
    return nullptr;
  }
  auto sym = [&](const char* name) { return dlsym(p->handle, name); };
  auto* abi = static_cast<const std::uint32_t*>(sym("nb_plugin_abi_version"));
  auto specs_fn = reinterpret_cast<const ElementSpec* const* (*)(std::size_t*)>(sym("nb_plugin_specs"));
  if (!abi || !specs_fn) {
    error = fmt::format("'{}' is not an nb plugin: it exports no {} (build it with nb_add_element_plugin)", path,
                        abi ? "nb_plugin_specs" : "nb_plugin_abi_version");
    return nullptr;  // p's destructor closes it
  }
  auto* built_with = static_cast<const char* const*>(sym("nb_plugin_nb_version"));
  p->nb_version = built_with && *built_with ? *built_with : "unknown";
  if (*abi != plugin_abi_version()) {
    error = fmt::format(
        "plugin '{}' was built for nb plugin ABI {:#010x} (nb {}), this nb has ABI {:#010x}: rebuild it against "
        "this nb's SDK",
        path, *abi, p->nb_version, plugin_abi_version());
    return nullptr;
  }
  auto* bc_start = static_cast<const char*>(sym("nb_plugin_bc_start"));
  auto* bc_end = static_cast<const char*>(sym("nb_plugin_bc_end"));
  if (!bc_start || !bc_end || bc_end <= bc_start) {
    error = fmt::format(
        "plugin '{}' has no embedded bitcode for the JIT (nb_plugin_bc_start/_end): build it with "
        "nb_add_element_plugin",
        path);
    return nullptr;
  }
  p->bitcode = {bc_start, static_cast<std::size_t>(bc_end - bc_start)};
  std::size_t n = 0;
  const ElementSpec* const* specs = specs_fn(&n);
  if (n == 0) {
    error = fmt::format("plugin '{}' registers no element class (NB_REGISTER_ELEMENT)", path);
    return nullptr;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const ElementSpec* s = specs[i];
    if (s->ops && s->ops->role == ElementOps::Role::Kernel && !s->ops->kernel_symbol) {
      error = fmt::format("plugin '{}': element class '{}' has no kernel entry for the JIT (NB_ELEMENT_KERNEL)", path,
                          s->class_name);
      return nullptr;
    }
    p->specs.push_back(s);
  }
  return p;
}

std::string resolve_plugin_path(std::string_view name, std::string_view config_file, std::string& tried) {
  fs::path n{std::string(name)};
  std::error_code ec;
  if (n.is_absolute()) {
    tried = n.string();
    return fs::exists(n, ec) ? n.string() : "";
  }
  std::vector<fs::path> dirs;
  fs::path cfg{std::string(config_file)};
  dirs.push_back(cfg.has_parent_path() ? cfg.parent_path() : fs::path("."));
  if (const char* env = std::getenv("NB_PLUGIN_PATH")) {
    std::string_view rest = env;
    while (!rest.empty()) {
      std::size_t colon = rest.find(':');
      std::string_view d = rest.substr(0, colon);
      if (!d.empty()) dirs.emplace_back(std::string(d));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  tried.clear();
  for (const fs::path& d : dirs) {
    fs::path candidate = d / n;
    tried += (tried.empty() ? "" : ", ") + candidate.string();
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return "";
}

std::optional<std::string> add_plugin_classes(Registry& registry, const PluginRef& plugin) {
  Registry next = registry;
  for (const ElementSpec* s : plugin->specs) {
    if (const ElementClass* prev = next.find(s->class_name)) {
      return fmt::format("plugin '{}' defines element class '{}', which {}", plugin->path, s->class_name,
                         prev->plugin ? fmt::format("plugin '{}' already defines", prev->plugin->path)
                                      : std::string("is already a built-in element class"));
    }
    if (auto err = next.add(*s)) return fmt::format("plugin '{}': {}", plugin->path, *err);
    next.set_origin(s->class_name, plugin.get());
  }
  registry = std::move(next);
  return std::nullopt;
}

}  // namespace nb::compiler

// Plugins: shared libraries built with nb_add_element_plugin (docs/plugins.md) that add element
// classes. Loading is transactional and repeatable: each load is its own object, shared by the
// Graph, the Plan and whatever runs them, and the library is closed only when the last of those
// is gone. So a reload can load new plugins (or a new build under a new path) for the new graph
// while the old graph keeps the old code until it is freed.
#pragma once

#include <nb/compiler/registry.hpp>
#include <nb/element.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nb::compiler {

struct Plugin {
  Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;
  ~Plugin();  // dlclose

  std::string path;                       // the file that was opened
  void* handle = nullptr;                 // dlopen's
  std::span<const char> bitcode;          // nb_plugin_bc_start .. nb_plugin_bc_end, inside the library
  std::vector<const ElementSpec*> specs;  // registered by its static constructors
  std::string nb_version;                 // the nb it was built against
};
using PluginRef = std::shared_ptr<const Plugin>;

// Opens `path` (RTLD_NOW | RTLD_LOCAL) and checks it is a plugin for this nb: the version stamp
// nb_plugin_abi_version equals plugin_abi_version(), bitcode is embedded, it registers at least
// one element with a well-formed spec. On failure returns null, says why in `error`, and leaves
// nothing loaded.
PluginRef load_plugin(const std::string& path, std::string& error);

// Where `require(plugin "name")` in `config_file` finds its file: an absolute path as it is;
// otherwise relative to the config's directory, then each directory of $NB_PLUGIN_PATH
// (colon-separated). Returns "" when none exists; `tried` lists where it looked.
std::string resolve_plugin_path(std::string_view name, std::string_view config_file, std::string& tried);

// Adds every class of `plugin` to `registry`, or none: a class name already there (built-in or
// from another plugin) is an error naming both.
std::optional<std::string> add_plugin_classes(Registry& registry, const PluginRef& plugin);

}  // namespace nb::compiler

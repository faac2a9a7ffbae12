// Plugins: shared libraries built with nb_add_element_plugin (docs/plugins.md) that add element
// classes. Loading is transactional and repeatable: each load is its own object, shared by the
// Graph, the Plan and whatever runs them, and the library is closed only when the last of those
// is gone. So a reload can load new plugins (or a new build of one) for the new graph while the
// old graph keeps the old code until it is freed.
//
// A plugin is an unknown shared object until proven otherwise, and loading one runs its code
// (static constructors) and ld.so's parsing of its headers, either of which can end the process.
// So load_plugin never loads a file it has not first seen loaded, in a short-lived process of the
// helper nb-plugin-vet, from exactly the same bytes: the file is read once into a sealed memfd,
// which both the helper and this process dlopen (/proc/self/fd/N).
#pragma once

#include <nb/compiler/registry.hpp>
#include <nb/element.hpp>

#include <cstdint>
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
  ~Plugin();  // dlclose, then closes fd

  std::string path;                       // the file that was named (what messages show)
  void* handle = nullptr;                 // dlopen's
  std::span<const char> bitcode;          // nb_plugin_bc_start .. nb_plugin_bc_end, inside the library
  std::vector<const ElementSpec*> specs;  // registered by its static constructors
  std::string nb_version;                 // the nb it was built against
  // The sealed memfd holding the bytes that were vetted and loaded. It stays open while the
  // library is loaded: ld.so knows the library by the name /proc/self/fd/<fd>, which must not
  // come to mean another file.
  int fd = -1;
  std::uint64_t size = 0;          // of the file's bytes
  std::uint64_t digest = 0;        // a hash of them (same_plugin compares the bytes themselves)
  std::uint64_t dev = 0, ino = 0;  // the file's identity (st_dev, st_ino) when it was read
};
using PluginRef = std::shared_ptr<const Plugin>;

// The largest plugin file load_plugin reads.
inline constexpr std::uint64_t kMaxPluginBytes = 256ull << 20;

// Reads `path` (a regular file of at most kMaxPluginBytes) once, has the helper nb-plugin-vet
// load those bytes in a separate process, then opens them here (RTLD_NOW | RTLD_LOCAL) and checks
// it is a plugin for this nb: the version stamp nb_plugin_abi_version equals
// plugin_abi_version(), bitcode is embedded, it registers at least one element with a
// well-formed spec. On failure (including: the helper crashed, hung, or cannot be found) returns
// null, says why in `error`, and leaves nothing loaded. The same file (st_dev/st_ino) with the
// same bytes as a plugin still loaded gives that plugin, as dlopen does: a reload that requires
// an unchanged plugin keeps its elements' state.
PluginRef load_plugin(const std::string& path, std::string& error);
// The same, except that a file with the same bytes as one of `loaded` (the same file under
// another name, a link or a copy) is not loaded again: that plugin is returned.
PluginRef load_plugin(const std::string& path, std::string& error, std::span<const PluginRef> loaded);

// Whether two loaded plugins were read from files with the same bytes.
bool same_plugin(const Plugin& a, const Plugin& b);

// Where `require(plugin "name")` in `config_file` finds its file: an absolute path as it is;
// otherwise relative to the config's directory, then each directory of $NB_PLUGIN_PATH
// (colon-separated). Returns "" when none exists; `tried` lists where it looked.
std::string resolve_plugin_path(std::string_view name, std::string_view config_file, std::string& tried);

// Adds every class of `plugin` to `registry`, or none: a class name already there (built-in or
// from another plugin) is an error naming both. A plugin whose bytes are those of one already
// added (same_plugin) adds nothing and is no error.
std::optional<std::string> add_plugin_classes(Registry& registry, const PluginRef& plugin);

namespace detail {
// For nb-plugin-vet: dlopens the plugin in `fd` in this process and runs every check load_plugin
// runs once the library is loaded; `path` is for messages. Null and `error` on failure.
PluginRef open_plugin_here(int fd, const std::string& path, std::string& error);
// How long load_plugin waits for nb-plugin-vet: $NB_PLUGIN_VET_TIMEOUT seconds, 10 by default.
double vet_timeout_seconds();
}  // namespace detail

}  // namespace nb::compiler

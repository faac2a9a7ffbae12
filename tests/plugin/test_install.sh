#!/usr/bin/env bash
# The CI path of docs/plugins.md: install nb into a temporary prefix, build the example plugin
# (tests/plugin_example) out of tree against it with find_package(nb), and run a config that uses
# it with the installed nbrun. The install copies what the build made; it builds nothing.
# usage: test_install.sh BUILD_DIR SOURCE_DIR NB-GEN-TRAFFIC
set -u
build=$1
src=$2
gen=$3
. "$src/tests/integration/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || { bad "cmake --install"; show "$tmp/install.log"; finish; }
for f in bin/nbrun bin/nbc bin/nbctl bin/nb-plugin-vet include/nb/element.hpp include/nb/packet.hpp include/nb/headers.hpp include/nb/plugin.hpp \
  lib/cmake/nb/nbConfig.cmake lib/cmake/nb/NbPlugin.cmake; do
  [ -e "$prefix/$f" ] || bad "not installed: $f"
done
# Only what element authors need: no compiler, runtime or LLVM headers, no benchmark tools.
extra=$(cd "$prefix" && find include -type f | grep -v '^include/nb/[a-z_]*\.hpp$')
[ -z "$extra" ] || bad "unexpected headers installed: $extra"
[ ! -e "$prefix/bin/nbrun-unchecked" ] || bad "nbrun-unchecked must not be installed"
ls "$prefix"/include/nb/ | grep -qE 'jit|runtime|compiler' && bad "compiler headers installed"

# Out of tree, against the prefix only (a copy of the example folder, as a user would have it),
# with docs/plugins.md's commands as written, i.e. CMake's default generator (Unix Makefiles),
# and again with Ninja.
cp -r "$src/tests/plugin_example" "$tmp/example"
build_example() { # BUILD_DIR WHAT [GENERATOR ARGS]
  local dir=$1 what=$2
  shift 2
  if env -u CMAKE_GENERATOR cmake -S "$tmp/example" -B "$dir" "$@" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_BUILD_TYPE=Release >"$tmp/cfg.log" 2>&1 &&
    cmake --build "$dir" >"$tmp/build.log" 2>&1 && [ -f "$dir/libttlclamp.so" ]; then
    ok "the example plugin builds against the installed nb ($what)"
    return 0
  fi
  bad "the example plugin does not build out of tree ($what)"
  show "$tmp/cfg.log" 40
  show "$tmp/build.log" 40
  return 1
}
build_example "$tmp/example/build" "CMake's default generator" || finish
grep -q "^CMAKE_GENERATOR:INTERNAL=Unix Makefiles" "$tmp/example/build/CMakeCache.txt" ||
  echo "note: the default generator here is $(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$tmp/example/build/CMakeCache.txt")"
if command -v ninja >/dev/null; then
  build_example "$tmp/example/build-ninja" Ninja -G Ninja
else
  echo "skip: the Ninja build (ninja is not installed)"
fi
cd "$tmp" || exit 1
"$gen" --profile quickstart --count 300 --seed 1 -o in.pcap >/dev/null 2>&1 || bad "nb-gen-traffic"
cat >run.nbc <<CFG
require(plugin "libttlclamp.so");
FromDump(in.pcap) -> c :: IPTTLClamp(16) -> ToDump(out.pcap);
CFG
if NB_PLUGIN_PATH="$tmp/example/build" "$prefix/bin/nbc" check run.nbc 2>err.txt; then ok "installed nbc check"; else bad "installed nbc check"; show err.txt; fi
if [ -f "$tmp/example/build-ninja/libttlclamp.so" ]; then
  if NB_PLUGIN_PATH="$tmp/example/build-ninja" "$prefix/bin/nbc" check run.nbc 2>err.txt; then ok "installed nbc check, the Ninja build"; else bad "installed nbc check (Ninja build)"; show err.txt; fi
fi
if NB_PLUGIN_PATH="$tmp/example/build" timeout 60 "$prefix/bin/nbrun" --stats json -q run.nbc >stats.json 2>err.txt; then
  if python3 -c 'import json,sys; c=json.load(open("stats.json"))["elements"]["c"]; sys.exit(0 if c["clamped"] > 0 else 1)'; then
    ok "installed nbrun ran the plugin element (it clamped TTLs)"
  else
    bad "the plugin element clamped nothing"
    show stats.json
  fi
else
  bad "installed nbrun failed"
  show err.txt
fi
finish

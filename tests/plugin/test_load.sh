#!/usr/bin/env bash
# Plugin loading (docs/plugins.md): require(plugin ...) resolved next to the config, then in
# NB_PLUGIN_PATH; nbc check/doc/dot and nbrun --plugin; and every way a load can fail gives a
# clear `file:line:col: error:` at the require argument, exit status 1, no crash, and no change
# to anything else.
# usage: test_load.sh NBC NBRUN NB-GEN-TRAFFIC PLUGIN_DIR SOURCE_DIR
set -u
nbc=$1
nbrun=$2
gen=$(readlink -f "$3")
plugins=$4
src=$5
. "$src/tests/integration/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# A config next to the plugin: require by a relative name.
mkdir -p a b
cp "$plugins/libttlclamp.so" a/
cat >a/clamp.nbc <<'CFG'
require(plugin "libttlclamp.so");
FromDump(in.pcap) -> c :: IPTTLClamp(32, DROP_ZERO true) -> ToDump(out.pcap);
CFG
if "$nbc" check a/clamp.nbc 2>err.txt; then ok "require(plugin) next to the config"; else bad "nbc check a/clamp.nbc"; show err.txt; fi
# The same config elsewhere: found through NB_PLUGIN_PATH, not found without it.
cp a/clamp.nbc b/clamp.nbc
if NB_PLUGIN_PATH="/nonexistent:$plugins" "$nbc" check b/clamp.nbc 2>err.txt; then ok "NB_PLUGIN_PATH"; else bad "NB_PLUGIN_PATH"; show err.txt; fi
NB_PLUGIN_PATH= "$nbc" check b/clamp.nbc 2>err.txt
st=$?
if [ $st -eq 1 ] && grep -q "^b/clamp.nbc:1:16: error: plugin 'libttlclamp.so' not found" err.txt &&
  grep -q "note: looked for b/libttlclamp.so" err.txt; then
  ok "missing plugin: error at the require"
else
  bad "missing plugin (status $st)"
  show err.txt
fi
# nbc doc and nbc dot see plugin elements.
if "$nbc" doc --plugin "$plugins/libttlclamp.so" IPTTLClamp >doc.txt 2>err.txt && grep -q "^IPTTLClamp - caps the IPv4 TTL" doc.txt &&
  grep -q "MAX (unsigned integer, 1 to 255, positional, required)" doc.txt && grep -q "^State: per worker" doc.txt; then
  ok "nbc doc --plugin"
else
  bad "nbc doc --plugin"
  show doc.txt
  show err.txt
fi
if "$nbc" doc --plugin "$plugins/libttlclamp.so" | grep -q "^IPTTLClamp "; then ok "nbc doc lists plugin classes"; else bad "nbc doc list"; fi
if "$nbc" dot a/clamp.nbc 2>err.txt | grep -q "IPTTLClamp"; then ok "nbc dot"; else bad "nbc dot"; show err.txt; fi
# The plugin's schema is checked like a built-in's.
printf 'require(plugin "libttlclamp.so");\nFromDump(in.pcap) -> IPTTLClamp(300) -> Discard;\n' >a/range.nbc
"$nbc" check a/range.nbc 2>err.txt
if [ $? -eq 1 ] && grep -q "^a/range.nbc:2:33: error: .*300 is larger than the maximum 255" err.txt; then ok "plugin parameter range"; else bad "plugin parameter range"; show err.txt; fi

# Errors: each at the require argument (line 1, column 16), status 1.
echo "not a plugin" >notes.txt
libm=$(ls /lib/x86_64-linux-gnu/libm.so.6 /usr/lib/x86_64-linux-gnu/libm.so.6 /lib64/libm.so.6 2>/dev/null | head -1)
expect_error() { # PLUGIN_FILE REGEX WHAT
  printf 'require(plugin "%s");\nFromDump(in.pcap) -> Counter -> Discard;\n' "$1" >e.nbc
  "$nbc" check e.nbc >out.txt 2>err.txt
  local st=$?
  crashed $st err.txt "$3" && return
  if [ $st -eq 1 ] && grep -qE "^e.nbc:1:16: error: $2" err.txt && [ "$(grep -c ' error: ' err.txt)" -eq 1 ]; then
    ok "$3"
  else
    bad "$3 (status $st; expected e.nbc:1:16: error: $2)"
    show err.txt
  fi
}
expect_error "$plugins/libttlclamp_old_abi.so" "plugin '.*libttlclamp_old_abi.so' was built for nb plugin ABI 0x00000007 .*rebuild it" "version mismatch"
expect_error "$plugins/libttlclamp_no_bitcode.so" "plugin '.*' has no embedded bitcode for the JIT" "missing bitcode"
expect_error "$plugins/libneeds_missing_symbol.so" "cannot load plugin '.*': .*undefined symbol: nb_test_function_that_does_not_exist" "missing symbol"
expect_error "$plugins/libclash_builtin.so" "plugin '.*' defines element class 'Counter', which is already a built-in element class" "clash with a built-in"
expect_error "$plugins/libbad_state_scope.so" "plugin '.*': its element spec table is malformed \\(element class 'UnknownStateScope' has an unknown state scope 7\\)" "an unknown state scope"
[ -n "$libm" ] && expect_error "$libm" "'.*libm.so.6' is not an nb plugin: it exports no nb_plugin_abi_version" "a shared library that is not a plugin"
expect_error "$tmp/notes.txt" "'.*notes.txt' is not an nb plugin: not a shared library" "a text file"
expect_error "$tmp/nope.so" "plugin '.*nope.so' not found" "a missing file"
expect_error "$tmp" "'.*' is not an nb plugin: not a regular file" "a directory"
expect_error /dev/zero "'/dev/zero' is not an nb plugin: not a regular file" "a device"
# Two plugins with the same class: the error is at the second one.
printf 'require(plugin "%s",\n        plugin "%s");\nFromDump(in.pcap) -> IPTTLClamp(9) -> Discard;\n' "$plugins/libttlclamp.so" "$plugins/libttlclamp_again.so" >c.nbc
"$nbc" check c.nbc 2>err.txt
if [ $? -eq 1 ] && grep -qE "^c.nbc:2:16: error: plugin '.*libttlclamp_again.so' defines element class 'IPTTLClamp', which plugin '.*libttlclamp.so' already defines" err.txt; then
  ok "clash between two plugins"
else
  bad "clash between two plugins"
  show err.txt
fi
# Issue 15: the same plugin named twice (by --plugin and require, under another spelling, through
# a link, or a copy with the same bytes) is loaded once, not reported as a clash with itself.
ln -s libttlclamp.so a/link.so
ln a/libttlclamp.so a/hardlink.so
printf 'require(plugin "libttlclamp.so", plugin "./libttlclamp.so", plugin "link.so", plugin "hardlink.so");\nFromDump(in.pcap) -> c :: IPTTLClamp(32) -> ToDump(out.pcap);\n' >a/twice.nbc
if "$nbc" check a/twice.nbc 2>err.txt; then ok "one plugin required under four names"; else bad "one plugin under four names"; show err.txt; fi
if "$nbc" --plugin "$tmp/a/libttlclamp.so" check a/clamp.nbc 2>err.txt; then ok "nbc --plugin and require of the same file"; else bad "nbc --plugin + require"; show err.txt; fi
if "$nbc" --plugin "$plugins/libttlclamp.so" check a/clamp.nbc 2>err.txt; then ok "nbc --plugin and require of a copy"; else bad "nbc --plugin + require of a copy"; show err.txt; fi
if "$nbc" --plugin a/libttlclamp.so --plugin ./a/link.so doc IPTTLClamp >doc.txt 2>err.txt && grep -q "^IPTTLClamp - " doc.txt; then
  ok "nbc doc with one plugin given twice"
else
  bad "nbc doc --plugin x --plugin ./x"
  show err.txt
fi
"$gen" --profile quickstart --count 50 --seed 1 -o in.pcap >/dev/null 2>&1 || bad "nb-gen-traffic"
run_limited 60 out.txt err.txt "$nbrun" --engine interp --quiet --no-control --plugin a/libttlclamp.so --plugin a/link.so a/twice.nbc
st=$?
crashed $st err.txt "nbrun --plugin + require" ||
  if [ $st -eq 0 ] && [ -s out.pcap ]; then ok "nbrun --plugin and require of the same file: ran"; else bad "nbrun --plugin + require (status $st)"; show err.txt; fi

# Other requires are untouched (Click's package requirements).
printf 'require(package "x", plugin "%s");\nFromDump(in.pcap) -> IPTTLClamp(9) -> Discard;\n' "$plugins/libttlclamp.so" >p.nbc
if "$nbc" check p.nbc 2>err.txt; then ok "require(package ..., plugin ...)"; else bad "mixed require"; show err.txt; fi
# nbrun --plugin: a bad file is refused before anything starts.
"$nbrun" --plugin "$tmp/notes.txt" a/clamp.nbc >out.txt 2>err.txt
st=$?
crashed $st err.txt "nbrun --plugin notes.txt" ||
  if [ $st -eq 1 ] && grep -q "^nbrun: error: '.*notes.txt' is not an nb plugin" err.txt; then ok "nbrun --plugin with a bad file"; else bad "nbrun --plugin bad file (status $st)"; show err.txt; fi
finish

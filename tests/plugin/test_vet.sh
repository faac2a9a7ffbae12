#!/usr/bin/env bash
# Issue 15, item 7: a plugin that takes a process down when loaded (truncated, corrupt, a static
# constructor that hangs or aborts, a garbage spec table) is loaded first by nb-plugin-vet in a
# process of its own, and refused with the reason, by `nbc check` and at nbrun's start-up (both
# require(plugin ...) and --plugin): exit status 1, the error at the require argument, never a
# crash or a hang. And the other files a plugin name can be (item 4): a FIFO, a link loop, an
# empty or a huge file; and no helper at all.
# usage: test_vet.sh NBC NBRUN NB-GEN-TRAFFIC PLUGIN_DIR SOURCE_DIR
set -u
nbc=$(readlink -f "$1")
nbrun=$(readlink -f "$2")
gen=$(readlink -f "$3")
plugins=$(readlink -f "$4")
src=$(readlink -f "$5")
. "$src/tests/integration/lib.sh"
. "$src/tests/plugin/bad_plugins.sh"
enter_scratch
export NB_PLUGIN_VET_TIMEOUT=5 # hang.so: refused after 5 s rather than 10

make_bad_plugins "$plugins" "$src" || { bad "cannot make the bad plugins"; finish; }
"$gen" --profile udp-seq --count 50 --seed 1 -o in.pcap >/dev/null 2>&1 || bad "nb-gen-traffic"
printf 'FromDump(in.pcap) -> c :: Counter -> Discard;\n' >plain.nbc

# refused WHAT STATUS ERR REGEX: status 1, REGEX on stderr, no crash or hang.
refused() {
  local what=$1 st=$2 err=$3 re=$4
  # The refusal may quote what killed the helper (ld.so's "Assertion ... failed!"): only the
  # rest of stderr is searched for signs of a crash of nb itself.
  grep -vE "$re" "$err" >rest.txt
  crashed "$st" rest.txt "$what" && return
  if [ "$st" -eq 1 ] && grep -qE "$re" "$err"; then
    ok "$what: $(grep -m1 -oE 'was refused: .{0,60}|cannot .{0,60}|is not .{0,60}|is too large.{0,40}' "$err" | head -1)"
  else
    bad "$what (status $st; expected: $re)"
    show "$err"
  fi
}

for i in "${!bad_names[@]}"; do
  name=${bad_names[$i]}
  re=${bad_expect[$i]}
  printf 'require(plugin "%s");\nFromDump(in.pcap) -> c :: Counter -> Discard;\n' "$name" >"req-$name.nbc"
  run_limited 60 out.txt err.txt "$nbc" check "req-$name.nbc"
  refused "nbc check, require(plugin \"$name\")" $? err.txt "^req-$name.nbc:1:16: error: $re"
  run_limited 60 out.txt err.txt "$nbrun" --engine interp --quiet --no-control "req-$name.nbc"
  refused "nbrun start-up, require(plugin \"$name\")" $? err.txt "^req-$name.nbc:1:16: error: $re"
  clean_leftovers "$last_pid"
  run_limited 60 out.txt err.txt "$nbrun" --engine interp --quiet --no-control --plugin "$name" plain.nbc
  refused "nbrun --plugin $name" $? err.txt "^nbrun: error: $re"
  clean_leftovers "$last_pid"
done
left=$(vet_leftovers "$tmp")
[ -z "$left" ] && ok "no helper process left behind" || bad "helper processes left: $left"

# Every other kind of file a name can be is refused without reading it (a FIFO would block).
expect_error() { # FILE REGEX WHAT
  printf 'require(plugin "%s");\nFromDump(in.pcap) -> Counter -> Discard;\n' "$1" >e.nbc
  run_limited 60 out.txt err.txt "$nbc" check e.nbc
  refused "$3" $? err.txt "^e.nbc:1:16: error: $2"
}
mkfifo fifo.so
expect_error fifo.so "'[^']*fifo.so' is not an nb plugin: not a regular file" "a FIFO"
ln -s loop-b.so loop-a.so
ln -s loop-a.so loop-b.so
expect_error loop-a.so "cannot open plugin '[^']*loop-a.so': Too many levels of symbolic links" "a symbolic link loop"
ln -s nowhere.so dangling.so
expect_error dangling.so "cannot open plugin '[^']*dangling.so': No such file or directory" "a dangling symbolic link"
: >empty.so
expect_error empty.so "'[^']*empty.so' is not an nb plugin: not a shared library" "an empty file"
cp "$plugins/libttlclamp.so" huge.so
truncate -s 300M huge.so # sparse: no disk used
expect_error huge.so "plugin '[^']*huge.so' is too large: 314572800 bytes \(the limit is 256 MiB\)" "a 300 MiB file"
rm -f huge.so

# A good plugin through a symbolic link, under its own name in messages.
ln -s "$plugins/libttlclamp.so" link.so
printf 'require(plugin "link.so");\nFromDump(in.pcap) -> IPTTLClamp(9) -> Discard;\n' >link.nbc
if run_limited 60 out.txt err.txt "$nbc" check link.nbc; then ok "a plugin through a symbolic link"; else bad "link.so"; show err.txt; fi

# Without its helper nb loads no plugin at all (never one it has not vetted): nbc copied alone.
if [ -x /usr/local/bin/nb-plugin-vet ]; then
  echo "skip: the no-helper case (an nb-plugin-vet is installed in /usr/local/bin)"
else
  mkdir alone
  cp "$nbc" alone/nbc
  run_limited 60 out.txt err.txt alone/nbc check link.nbc
  refused "nbc without nb-plugin-vet" $? err.txt "^link.nbc:1:16: error: cannot load plugin '[^']*link.so': nb loads a plugin in a separate process first \(the helper nb-plugin-vet\), and nb-plugin-vet is not installed \(looked for [^)]*alone/nb-plugin-vet"
fi
# A helper of another nb (an older install) is not trusted to judge plugins for this one.
mkdir other
cp "$nbc" other/nbc
printf '#!/bin/sh\nprintf "other-nb\\n0x00010000" >&4\nexit 1\n' >other/nb-plugin-vet
chmod +x other/nb-plugin-vet
run_limited 60 out.txt err.txt other/nbc check link.nbc
refused "nb-plugin-vet of another nb" $? err.txt "^link.nbc:1:16: error: cannot load plugin '[^']*link.so': the helper [^ ]*other/nb-plugin-vet belongs to another nb \(plugin ABI 0x00010000, this nb has 0x[0-9a-f]{8}\)"
finish

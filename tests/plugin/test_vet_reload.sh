#!/usr/bin/env bash
# Issue 15, item 7: `nbctl reload` of a config that requires a plugin which takes a process
# down when loaded (truncated, corrupt, a static constructor that hangs or aborts, a garbage spec
# table) must not take the running nbrun down: each reload fails with the refusal at the require
# argument, the graph keeps forwarding, and a good plugin still loads by reload afterwards (the
# helper runs from a multi-threaded nbrun). Hot reload promises never to end a run.
# usage: test_vet_reload.sh NBRUN NBCTL NB-GEN-TRAFFIC PLUGIN_DIR SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
plugins=$(readlink -f "$4")
src=$(readlink -f "$5")
. "$src/tests/integration/lib.sh"
. "$src/tests/plugin/bad_plugins.sh"
enter_scratch
sock=$tmp/nb.sock
ctl() { "$nbctl" --socket "$sock" "$@"; }

make_bad_plugins "$plugins" "$src" || { bad "cannot make the bad plugins"; finish; }
"$gen" --profile udp-seq --count 200 --seed 3 -o in.pcap >/dev/null 2>&1 || { bad "nb-gen-traffic"; finish; }
cat >plain.nbc <<'CFG'
FromDump(in.pcap, LOOP true) -> c :: Counter -> Discard;
CFG
NB_PLUGIN_VET_TIMEOUT=5 "$nbrun" plain.nbc --engine interp --quiet --stats none --control "$sock" --duration 120 2>nbrun.err &
nb_pid=$!
wait_for_control || { bad "nbrun's control socket does not answer"; show nbrun.err; finish; }

for i in "${!bad_names[@]}"; do
  name=${bad_names[$i]}
  printf 'require(plugin "%s");\nFromDump(in.pcap, LOOP true) -> c :: Counter -> Discard;\n' "$name" >"req-$name.nbc"
  before=$(ctl read c.count 2>/dev/null)
  ctl reload "$tmp/req-$name.nbc" >out.txt 2>err.txt
  st=$?
  if ! ctl ping >/dev/null 2>&1; then
    kill -KILL "$nb_pid" 2>/dev/null
    wait "$nb_pid"
    bad "nbctl reload of require(plugin \"$name\") ended nbrun (status $?)"
    show nbrun.err
    nb_pid=
    finish
  fi
  if [ "$st" -ne 0 ] && grep -qE "req-$name.nbc:1:16: error: ${bad_expect[$i]}" err.txt; then
    ok "reload refused $name: $(grep -m1 -oE 'was refused: .{0,60}' err.txt)"
  else
    bad "reload of require(plugin \"$name\") (status $st; expected: ${bad_expect[$i]})"
    show err.txt
  fi
  sleep 0.2
  after=$(ctl read c.count 2>/dev/null)
  if [[ "$before" =~ ^[0-9]+$ && "$after" =~ ^[0-9]+$ ]] && [ "$after" -gt "$before" ]; then
    ok "still forwarding after $name ($before -> $after)"
  else
    bad "not forwarding after $name: '$before' -> '$after'"
  fi
done
left=$(vet_leftovers "$tmp")
[ -z "$left" ] && ok "no helper process left behind" || bad "helper processes left: $left"

# A good plugin still loads by reload, and its element runs.
cp "$plugins/libttlclamp.so" good.so
printf 'require(plugin "good.so");\nFromDump(in.pcap, LOOP true) -> c :: Counter -> clamp :: IPTTLClamp(7) -> Discard;\n' >good.nbc
if ctl reload "$tmp/good.nbc" >out.txt 2>err.txt; then
  sleep 0.3
  n=$(ctl read clamp.clamped 2>/dev/null)
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] && ok "a good plugin loads by reload afterwards (clamped $n)" || bad "clamp.clamped: '$n'"
else
  bad "reload of a good plugin failed"
  show err.txt
fi
# Reloading it unchanged keeps the plugin's library (one file, the same bytes: one library, as
# dlopen gives), so its element's State carries over like a built-in's: the count goes on.
a=$(ctl read clamp.clamped 2>/dev/null)
if ctl reload "$tmp/good.nbc" >out.txt 2>err.txt; then
  b=$(ctl read clamp.clamped 2>/dev/null)
  if [[ "$a" =~ ^[0-9]+$ && "$b" =~ ^[0-9]+$ ]] && [ "$b" -ge "$a" ]; then
    ok "a reload onto the same plugin keeps its element's state (clamped $a -> $b)"
  else
    bad "the plugin element's state was lost by a reload onto the same file: '$a' -> '$b'"
  fi
  n=$(grep -c 'nb-plugin:good.so' "/proc/$nb_pid/maps")
  [ "$n" -gt 0 ] && ok "the plugin is mapped as the memfd it was vetted from" || bad "no nb-plugin:good.so in the maps"
else
  bad "second reload of the good plugin failed"
  show err.txt
fi
kill -INT "$nb_pid"
wait "$nb_pid"
rc=$?
nb_pid=
[ "$rc" -eq 0 ] && ok "nbrun exits 0" || { bad "nbrun exit $rc"; show nbrun.err; }
finish

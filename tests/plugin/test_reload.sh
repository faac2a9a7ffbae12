#!/usr/bin/env bash
# A plugin element behind the control socket and through hot reloads (issue 7, item 5):
#   - a running graph of built-ins is reloaded into one that require()s the example plugin;
#   - the plugin's handlers answer (`nbctl read clamp.clamped`, `nbctl write clamp.reset`);
#   - a new build of the plugin under a new path replaces it by another reload, while traffic runs;
#   - a reload that requires a file that is not a plugin fails at its require location and the
#     running graph keeps counting.
# tcpdump is the oracle for what leaves the router: no TTL above the clamp once it is in place.
# usage: test_reload.sh NBRUN NBCTL NB-GEN-TRAFFIC PLUGIN_DIR SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
plugins=$(readlink -f "$4")
. "$5/tests/integration/lib.sh"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"

enter_scratch
sock=$tmp/nb.sock

"$gen" --profile udp-seq --count 200 --seed 3 -o in.pcap >/dev/null 2>&1 || { bad "nb-gen-traffic"; finish; }
cp "$plugins/libttlclamp.so" ./libclamp-v1.so
cat >builtin.nbc <<'CFG'
FromDump(in.pcap, LOOP true) -> c :: Counter -> Discard;
CFG
cat >v1.nbc <<'CFG'
require(plugin "libclamp-v1.so");
FromDump(in.pcap, LOOP true) -> c :: Counter -> clamp :: IPTTLClamp(7) -> Discard;
CFG
cat >broken.nbc <<'CFG'
require(plugin "in.pcap");
FromDump(in.pcap, LOOP true) -> c :: Counter -> clamp :: IPTTLClamp(7) -> Discard;
CFG

"$nbrun" builtin.nbc --quiet --stats none --control "$sock" --duration 60 2>nbrun.err &
nb_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { bad "no control socket"; show nbrun.err; finish; }

if "$nbctl" --socket "$sock" reload "$tmp/v1.nbc" >r1.out 2>r1.err; then ok "reload into a graph that requires the plugin"
else bad "reload into the plugin graph failed"; show r1.err; finish; fi
sleep 0.5
n=$("$nbctl" --socket "$sock" read clamp.clamped 2>err.txt)
if [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ]; then ok "plugin handler clamp.clamped reads $n"
else bad "clamp.clamped: '$n'"; show err.txt; fi
if "$nbctl" --socket "$sock" write clamp.reset 2>err.txt; then
  a=$("$nbctl" --socket "$sock" read clamp.clamped)
  c1=$("$nbctl" --socket "$sock" read c.count)
  [ "$a" -lt "$n" ] || [ "$a" -lt "$c1" ] && ok "clamp.reset wrote (clamped $a after reset, counter $c1)" || bad "reset did nothing: $a"
else bad "nbctl write clamp.reset failed"; show err.txt; fi

# A new build of the plugin under a new path, loaded by another reload while traffic runs.
cp "$plugins/libttlclamp.so" ./libclamp-v2.so
sed 's/libclamp-v1.so/libclamp-v2.so/; s/IPTTLClamp(7)/IPTTLClamp(5)/' v1.nbc >v2.nbc
before=$("$nbctl" --socket "$sock" read c.count)
if "$nbctl" --socket "$sock" reload "$tmp/v2.nbc" >r2.out 2>r2.err; then ok "reload onto a new build of the plugin at a new path"
else bad "reload onto libclamp-v2.so failed"; show r2.err; fi
sleep 0.3
after=$("$nbctl" --socket "$sock" read c.count)
[ "$after" -gt "$before" ] && ok "the Counter carried over and kept counting ($before -> $after)" || bad "counter $before -> $after"
# Only the second build stays mapped once the old graph is gone.
if grep -q libclamp-v2.so "/proc/$nb_pid/maps" && ! grep -q libclamp-v1.so "/proc/$nb_pid/maps"; then
  ok "the old build is unmapped after the switch, the new one mapped"
else bad "mappings: $(grep -o 'libclamp-v[12].so' "/proc/$nb_pid/maps" | sort -u | tr '\n' ' ')"; fi

# Not a plugin: the reload fails at the require and the graph runs on.
if "$nbctl" --socket "$sock" reload "$tmp/broken.nbc" >r3.out 2>r3.err; then bad "a reload requiring a pcap as plugin succeeded"
else
  grep -q "broken.nbc:1:[0-9]*: error" r3.err && ok "bad plugin reported at its require: $(grep -m1 error r3.err)" || { bad "no file:line:col"; show r3.err; }
fi
x=$("$nbctl" --socket "$sock" read c.count); sleep 0.3; y=$("$nbctl" --socket "$sock" read c.count)
[ "$y" -gt "$x" ] && ok "the running graph keeps counting after the failed reload" || bad "stalled: $x -> $y"
"$nbctl" --socket "$sock" read clamp.clamped >/dev/null 2>&1 && ok "the plugin element still answers" || bad "plugin element gone"
kill -INT "$nb_pid"; wait "$nb_pid"; rc=$?; nb_pid=
[ "$rc" -eq 0 ] && ok "nbrun exits 0" || { bad "nbrun exit $rc"; show nbrun.err; }
finish

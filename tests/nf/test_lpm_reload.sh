#!/usr/bin/env bash
# LookupIPRoute across hot reloads (docs/nf.md, "State on hot reload"): nbrun loops over traffic
# to 10.1.0.1 (nb-gen-traffic udp-seq); the ROUTES file sends 10.0.0.0/8 to output 0 (Counter
# c0). Then
#   1. a reload with the file unchanged keeps the table: c0 keeps counting, c1 stays at 0;
#   2. the file edited to send 10.0.0.0/8 to output 1, then reloaded: the reloaded element reads
#      the file again, so c1 counts and c0 stops (what a user editing a routes file expects);
#   3. a bad line in the file: the reload fails with FILE:LINE and the graph runs on unchanged.
# Usage: test_lpm_reload.sh NBRUN NBCTL NB-GEN-TRAFFIC SOURCE_DIR [ENGINE]
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
src=$4
engine=${5:-jit}
. "$src/tests/integration/lib.sh"

enter_scratch
"$gen" --profile udp-seq --count 256 --seed 2 -o in.pcap >/dev/null 2>&1 || { bad "nb-gen-traffic"; finish; }
echo "10.0.0.0/8 0" >routes.txt
cat >lpm.nbc <<NBC
rt :: LookupIPRoute(ROUTES $tmp/routes.txt);
FromDump($tmp/in.pcap, LOOP true) -> Strip(14) -> rt;
rt [0] -> c0 :: Counter -> Discard;
rt [1] -> c1 :: Counter -> Discard;
NBC
sock=$tmp/ctl.sock
ctl() { "$nbctl" --socket "$sock" "$@"; }
"$nbrun" lpm.nbc --engine "$engine" --control "$sock" --quiet --stats none --duration 60 2>nbrun.err &
nb_pid=$!
wait_for_control || { bad "nbrun did not answer on $sock"; show nbrun.err; finish; }
sleep 0.3

# 1. Same file: the table (and its counters) stay.
a0=$(ctl read c0.count)
ctl reload >r1.out 2>&1 || { bad "reload with the same routes failed"; show r1.out; }
sleep 0.3
b0=$(ctl read c0.count) b1=$(ctl read c1.count)
if [ "$a0" -gt 0 ] && [ "$b0" -gt "$a0" ] && [ "$b1" = 0 ]; then ok "same routes file: c0 keeps counting ($a0 -> $b0), c1 $b1"
else bad "same routes file: c0 $a0 -> $b0, c1 $b1"; fi

# 2. The file edited in place (same name): the reload must read it again.
sleep 1.1  # a new modification time even on file systems with one-second stamps
echo "10.0.0.0/8 1" >routes.txt
ctl reload >r2.out 2>&1 || { bad "reload after editing the routes failed"; show r2.out; }
sleep 0.3
c0=$(ctl read c0.count) c1=$(ctl read c1.count)
sleep 0.3
d0=$(ctl read c0.count) d1=$(ctl read c1.count)
if [ "$c1" -gt 0 ] && [ "$d1" -gt "$c1" ] && [ "$d0" = "$c0" ]; then
  ok "edited routes file: the reloaded table sends to output 1 (c1 $c1 -> $d1, c0 stays at $d0)"
else bad "edited routes file not picked up: c0 $c0 -> $d0, c1 $c1 -> $d1"; show r2.out; fi

# 3. A broken file: refused with its line, the running graph goes on with the table it has.
sleep 1.1
printf '10.0.0.0/8 1\n10.0.0.0/33 0\n' >routes.txt
if ctl reload >r3.out 2>&1; then bad "a routes file with a /33 was accepted"; show r3.out
elif grep -q "routes.txt:2" r3.out; then ok "bad routes file refused at routes.txt:2"
else bad "bad routes file refused without its line"; show r3.out; fi
e1=$(ctl read c1.count)
sleep 0.3
f1=$(ctl read c1.count)
[ "$f1" -gt "$e1" ] && ok "the graph runs on after the failed reload (c1 $e1 -> $f1)" || bad "c1 stopped: $e1 -> $f1"
finish

#!/usr/bin/env bash
# Hot reload of a MaglevLB that loses a backend, under traffic: nbrun replays 300 TCP/UDP flows
# forever (FromDump LOOP true) through MaglevLB (5 backends) and a FlowMonitor; `nbctl reload`
# switches to the same graph with backend 10.2.0.3 removed. Checked through the handlers:
#   - before: every flow is cached with a backend (lb.cache);
#   - after: every flow whose backend remains keeps it (the flow cache was carried over, although
#     the new lookup table differs), and every flow of the removed backend moved to another one;
#   - FlowMonitor's per-flow counters (same arguments: State kept) did not go back: each flow's
#     packet count after the reload is at least what it was before (it counts after the rewrite,
#     so each moved flow adds one flow under its new backend).
# Usage: test_maglev_reload.sh NBRUN NBCTL NB-GEN-TRAFFIC SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
. "$4/tests/integration/lib.sh"

enter_scratch

"$gen" --profile flows --count 3000 --flows 300 --seed 11 -o flows.pcap >/dev/null || { bad "nb-gen-traffic"; finish; }
graph() {  # graph BACKENDS...
  cat <<EOF
FromDump(flows.pcap, LOOP true) -> CheckIPHeader(14)
  -> lb :: MaglevLB($(echo "$@" | sed 's/ /, /g'))
  -> mon :: FlowMonitor
  -> Discard;
EOF
}
graph 10.2.0.1 10.2.0.2 10.2.0.3 10.2.0.4 10.2.0.5 >a.nbc
graph 10.2.0.1 10.2.0.2 10.2.0.4 10.2.0.5 >b.nbc

sock=$tmp/ctl.sock
ctl() { "$nbctl" --socket "$sock" "$@"; }
"$nbrun" a.nbc --control "$sock" --quiet --duration 60 >/dev/null 2>nbrun.err &
nb_pid=$!
wait_for_control || { bad "nbrun did not answer"; show nbrun.err; finish; }

wait_flows() {
  for _ in $(seq 50); do
    [ "$(ctl read lb.flows)" = 300 ] && return 0
    sleep 0.1
  done
  return 1
}
wait_flows && ok "300 flows cached" || bad "lb.flows is $(ctl read lb.flows), want 300"
ctl read lb.cache | awk '{ print $1 "_" $2 "_" $3 "_" $4 "_" $5, $6 }' | sort >before.txt
ctl read mon.flows | awk '{ print $1 "_" $2 "_" $3 "_" $4 "_" $5, $6 }' | sort >mon_before.txt
ctl reload b.nbc >reload.out 2>&1 && ok "reload: $(head -1 reload.out)" || { bad "reload failed"; show reload.out; finish; }
wait_flows || bad "after the reload lb.flows is $(ctl read lb.flows), want 300"
ctl read lb.cache | awk '{ print $1 "_" $2 "_" $3 "_" $4 "_" $5, $6 }' | sort >after.txt
ctl read mon.flows | awk '{ print $1 "_" $2 "_" $3 "_" $4 "_" $5, $6 }' | sort >mon_after.txt

res=$(join -j1 before.txt after.txt | awk '
  { n++; if ($2 == "10.2.0.3") { if ($3 == "10.2.0.3") stuck++; else moved++ } else if ($2 != $3) changed++; else kept++ }
  END { print n + 0, kept + 0, changed + 0, moved + 0, stuck + 0 }')
read -r n kept changed moved stuck <<<"$res"
[ "$n" = 300 ] && ok "300 flows before and after" || bad "$n flows matched before and after (want 300)"
[ "$changed" = 0 ] && [ "$kept" -gt 0 ] && ok "all $kept flows of the remaining backends kept their backend" ||
  bad "$changed flows of remaining backends changed backend ($kept kept)"
[ "$stuck" = 0 ] && [ "$moved" -gt 0 ] && ok "all $moved flows of the removed backend moved to others" ||
  bad "$stuck flows still on the removed backend, $moved moved"
went_back=$(join -j1 mon_before.txt mon_after.txt | awk '$3 < $2 { b++ } END { print b + 0 }')
nmon=$(wc -l <mon_after.txt)
# The monitor counts after the rewrite: a flow that moved is a new 5-tuple (its new backend).
nkept=$(join -j1 mon_before.txt mon_after.txt | wc -l)
[ "$went_back" = 0 ] && [ "$nkept" = 300 ] && [ "$nmon" = $((300 + moved)) ] &&
  ok "FlowMonitor kept its 300 flows' counters across the reload (+ $moved moved flows under their new backend)" ||
  bad "FlowMonitor: $went_back flows' counters went back, $nkept of 300 kept, $nmon flows after (want $((300 + moved)))"
kill -INT "$nb_pid" 2>/dev/null
wait "$nb_pid" 2>/dev/null
nb_pid=
finish

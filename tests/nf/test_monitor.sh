#!/usr/bin/env bash
# configs/monitor.nbc (with FILE added, which writes every flow's counters at the end of the run)
# over a trace of 150 TCP and UDP flows of random frame lengths, with both engines, checked
# against tshark's conversation statistics (-z conv,tcp and -z conv,udp) on the same pcap: the
# same flows, and for each the same packets and bytes. Both count whole Ethernet frames (the
# monitor sits before any Strip). tshark prints byte counts of 10,000 or more in kB (rounded), so
# those are compared to the kB; an exact per-flow sum of tshark's frame.len is compared as well.
# Then, while nbrun still runs, `nbctl read mon.top` must list the TOP flows with the most bytes,
# each with tshark's packets and bytes.
# Usage: test_monitor.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR [NBCTL]
set -u
nbrun=$(readlink -f "$1")
gen=$(readlink -f "$2")
src=$(readlink -f "$3")
nbctl=$(readlink -f "${4:-$(dirname "$nbrun")/nbctl}")
. "$src/tests/integration/lib.sh"
command -v tshark >/dev/null || skip "tshark is not installed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

"$gen" --profile flows --count 1500 --flows 150 --seed 5 -o in.pcap >/dev/null || { bad "nb-gen-traffic"; finish; }

# Oracle 1: tshark's conversations, one line per flow: PROTO ADDR:PORT ADDR:PORT FRAMES BYTES UNIT
for p in tcp udp; do
  num=6; [ $p = udp ] && num=17
  tshark -r in.pcap -q -z conv,$p 2>/dev/null | awk -v proto=$num '$2 == "<->" { print proto, $1, $3, $10, $11, $12 }'
done >conv.txt
# Oracle 2: exact bytes, summed from frame.len per 5-tuple.
tshark -r in.pcap -T fields -e ip.proto -e ip.src -e tcp.srcport -e udp.srcport -e ip.dst -e tcp.dstport \
  -e udp.dstport -e frame.len 2>/dev/null | awk '{ k = $1 " " $2 " " $3 " " $4 " " $5; n[k]++; b[k] += $6 }
  END { for (k in n) print k, n[k], b[k] }' | sort >fields.txt
nconv=$(wc -l <conv.txt)
[ "$nconv" = 150 ] && ok "tshark sees 150 conversations" || bad "tshark sees $nconv conversations"

for engine in interp jit; do
  sed -e "s|configs/traffic/quickstart.pcap|$tmp/in.pcap|" -e "s|monitored.pcap|$tmp/out_$engine.pcap|" \
    -e "s|FlowMonitor(TOP 10)|FlowMonitor(TOP 10, FILE $tmp/flows_$engine.txt)|" \
    "$src/configs/monitor.nbc" >monitor_$engine.nbc
  grep -q "FILE $tmp" monitor_$engine.nbc || { bad "configs/monitor.nbc no longer has FlowMonitor(TOP 10)"; continue; }
  timeout 60 "$nbrun" monitor_$engine.nbc --engine "$engine" --quiet --no-control --stats json \
    >stats_$engine.json 2>err_$engine.txt
  st=$?
  crashed $st err_$engine.txt "nbrun --engine $engine" && continue
  [ $st = 0 ] || { bad "$engine: nbrun exited $st"; show err_$engine.txt; continue; }
  [ -s flows_$engine.txt ] || { bad "$engine: no flows file"; continue; }
  nflows=$(wc -l <flows_$engine.txt)
  [ "$nflows" = 150 ] && ok "$engine: FlowMonitor saw 150 flows" || bad "$engine: FlowMonitor saw $nflows flows"
  # Against the conversations (unordered address pairs: every flow here is one-way).
  res=$(awk 'NR == FNR { c[$1 " " $2 " " $3] = $4 " " $5 " " $6; c[$1 " " $3 " " $2] = $4 " " $5 " " $6; next }
    { k = $1 " " $2 ":" $3 " " $4 ":" $5
      if (!(k in c)) { missing++; next }
      split(c[k], v, " ")
      if (v[1] != $6) badpk++
      if (v[3] == "bytes") { if (v[2] != $7) badby++ } else if (v[3] == "kB") { d = $7 / 1000 - v[2]; if (d > 1 || d < -1) badby++; kb++ }
      else badby++
      matched++ }
    END { print matched + 0, missing + 0, badpk + 0, badby + 0, kb + 0 }' conv.txt flows_$engine.txt)
  read -r matched missing badpk badby kb <<<"$res"
  [ "$matched" = 150 ] && [ "$missing" = 0 ] && ok "$engine: every flow is one of tshark's conversations" ||
    bad "$engine: $matched flows matched, $missing not in tshark's conversations"
  [ "$badpk" = 0 ] && ok "$engine: packets per flow equal tshark's frames" || bad "$engine: $badpk flows with other packet counts"
  [ "$badby" = 0 ] && ok "$engine: bytes per flow equal tshark's ($kb compared in kB)" || bad "$engine: $badby flows with other byte counts"
  awk '{ print $1, $2, $3, $4, $5, $6, $7 }' flows_$engine.txt | sort >mine_$engine.txt
  if cmp -s mine_$engine.txt fields.txt; then ok "$engine: exact per-flow packets and bytes equal tshark's frame.len sums"
  else bad "$engine: per-flow counts differ from tshark's frame.len sums"; diff mine_$engine.txt fields.txt | head; fi
  # The file is in `top` order: bytes never increase down the list.
  sorted=$(awk 'NR > 1 && $7 > prev { b++ } { prev = $7 } END { print b + 0 }' flows_$engine.txt)
  [ "$sorted" = 0 ] && ok "$engine: flows listed by bytes, most first" || bad "$engine: flows not in byte order"
done
if [ -s mine_interp.txt ] && cmp -s mine_interp.txt mine_jit.txt; then ok "interp and jit count the same"
else bad "interp and jit differ"; fi

# The `top` handler of a running monitor (the trace read once, nbrun left running).
sed -e "s|configs/traffic/quickstart.pcap|$tmp/in.pcap|" -e "s|monitored.pcap|$tmp/out_top.pcap|" \
  -e "s|STOP true|STOP false|" "$src/configs/monitor.nbc" >monitor_top.nbc
# A paused looping source keeps nbrun running once the trace has been read.
echo "idle :: FromDump($tmp/in.pcap, LOOP true, ACTIVE false) -> Discard;" >>monitor_top.nbc
sock=$tmp/nb.sock
timeout 60 "$nbrun" monitor_top.nbc --quiet --stats none --control "$sock" --duration 30 2>err_top.txt &
top_pid=$!
want=$(awk '{ n += $6 } END { print n + 0 }' fields.txt)
got=
for _ in $(seq 100); do
  got=$("$nbctl" --socket "$sock" read mon.packets 2>/dev/null)
  [ "$got" = "$want" ] && break
  sleep 0.1
done
if [ "$got" != "$want" ]; then
  bad "running monitor counted '$got' packets, want $want"; show err_top.txt
elif "$nbctl" --socket "$sock" read mon.top >top.txt 2>top_err.txt; then
  ntop=$(grep -c . top.txt)
  # Every listed flow has tshark's exact counts, and none left out has more bytes.
  unknown=$(sort top.txt | comm -23 - fields.txt | grep -c .)
  least=$(awk 'NR == 1 || $7 < m { m = $7 } END { print m + 0 }' top.txt)
  bigger=$(sort top.txt | comm -13 - fields.txt | awk -v m="$least" '$7 > m' | grep -c .)
  if [ "$ntop" = 10 ] && [ "$unknown" = 0 ] && [ "$bigger" = 0 ]; then
    ok "nbctl read mon.top: the 10 flows with the most bytes, with tshark's counts"
  else
    bad "mon.top: $ntop lines, $unknown not matching tshark, $bigger unlisted flows with more bytes"; show top.txt
  fi
else bad "nbctl read mon.top failed"; show top_err.txt; fi
kill "$top_pid" 2>/dev/null; wait "$top_pid" 2>/dev/null
finish

#!/usr/bin/env bash
# 30 hot reloads under full-rate traffic with 4 workers: nothing lost, nothing doubled, the
# statistics add up (issue 16, tests item "30 hot reloads under load with 4 workers").
#
# nbrun --workers 4 replays a 1024-packet sequence-numbered trace forever (FromDump LOOP true: one
# net_pcap queue, so one worker reads it and dispatches the packets by flow to all four). Packet
# i carries sequence number i in its UDP payload and belongs to flow i mod 16 (UDP source port
# 10000 + i mod 16). The graph sends the packets with i mod 256 < 16 (flow f: f, f+256, f+512,
# f+768) to ToDump(out.pcap) and counts and discards the rest. Meanwhile nbctl reloads it 30
# times, alternating between two graphs that keep the ports and differ in a Paint value and an
# extra Counter; each worker switches at its own burst boundary. Checked from the pcap (read in
# python, not with nb's code) and --stats json:
#   - every reload succeeded (nbctl exit 0; the final generation is 31, no failed reload);
#   - Counter c1 (in both graphs) read through nbctl never goes down;
#   - totals: rx + generated == tx + dropped; c1.count + the packets dropped at the interrupt
#     (dispatch_dropped) == rx, and c1.count == what reached the sink + what the Discard dropped;
#   - out.pcap, flow by flow: the flow's packets in order, f, f+256, f+512, f+768, f, ... with
#     none missing and none twice, across 30 switches; its frame count equals the sink's tx;
#   - the "workers" array shows all 4 workers processed packets.
# Usage: test_reload.sh NBRUN NBCTL NB-GEN-TRAFFIC SOURCE_DIR (NB_ENGINE=interp: the interpreter)
set -u
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
src=$(readlink -f "$4")
. "$src/tests/integration/lib.sh"

py=$(command -v python3) || skip "python3 is not installed"
base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm  # the capture grows by tens of MB/s
enter_scratch -p "$base" nb-mcreload.XXXXXX

N=1024
FLOWS=16
RELOADS=${NB_RELOADS:-30}
"$gen" --profile udp-seq --count $N --size 60 --flows $FLOWS -o seq.pcap >/dev/null || {
  echo "FAIL: nb-gen-traffic"
  exit 1
}

graph() {  # graph PAINT EXTRA_COUNTER
  local extra=""
  [ "$2" = yes ] && extra="extra :: Counter -> "
  cat <<EOF
// Sends on the packets whose sequence number mod 256 is below 16 (byte 35 after Strip(14) is
// its low byte).
src :: FromDump(seq.pcap, LOOP true);
sink :: ToDump(out.pcap);
src -> Strip(14) -> chk :: CheckIPHeader -> c1 :: Counter -> cls :: Classifier(35/00%f0, -);
cls[0] -> Paint($1) -> ${extra}Unstrip(14) -> sink;
cls[1] -> drop :: Discard;
EOF
}
graph 1 no >a.nbc
graph 2 yes >b.nbc

sock=$tmp/ctl.sock
ctl() { "$nbctl" --socket "$sock" "$@"; }
"$nbrun" a.nbc --engine "${NB_ENGINE:-jit}" --workers 4 --control "$sock" --quiet --stats json --duration 100 \
  >stats.json 2>nbrun.err &
nb_pid=$!
if ! wait_for_control; then
  bad "nbrun --workers 4 did not answer on $sock"
  show nbrun.err
  finish
fi

last=0
decreased=0
check_c1() {  # check_c1 WHAT: c1.count must not have gone down
  local v
  v=$(ctl read c1.count) || {
    bad "$1: nbctl read c1.count failed"
    return 1
  }
  if [ "$v" -lt "$last" ]; then
    bad "$1: c1.count went down from $last to $v"
    decreased=1
  fi
  last=$v
}
check_c1 "before the reloads"
done_reloads=0
failed=0
for i in $(seq "$RELOADS"); do
  if [ $((i % 2)) -eq 1 ]; then f=b.nbc; else f=a.nbc; fi
  if ctl reload "$f" >reload.out 2>reload.err; then
    done_reloads=$((done_reloads + 1))
  else
    failed=$((failed + 1))
    [ "$failed" -le 3 ] && show reload.err 5
  fi
  check_c1 "reload $i"
done
check_c1 "after the reloads"
kill -INT "$nb_pid"
wait "$nb_pid"
st=$?
pid=$nb_pid
nb_pid=
clean_leftovers "$pid"
if ! crashed "$st" nbrun.err "nbrun --workers 4"; then
  [ "$st" -eq 0 ] && ok "nbrun --workers 4 exit 0 after SIGINT" || {
    bad "nbrun exit $st"
    show nbrun.err
  }
fi
[ "$failed" -eq 0 ] && [ "$done_reloads" -eq "$RELOADS" ] && ok "$done_reloads reloads under traffic, every one succeeded" ||
  bad "$done_reloads reloads succeeded, $failed failed (want $RELOADS, 0)"
[ "$decreased" -eq 0 ] && ok "c1.count never went down across the reloads (last read $last)"

json_flatten stats.json >stats.flat
rx=$(json_get stats.flat totals rx)
tx=$(json_get stats.flat totals tx)
dropped=$(json_get stats.flat totals dropped)
generated=$(json_get stats.flat totals generated)
sink_tx=$(json_get stats.flat ports sink tx)
disp_dropped=$(json_get stats.flat ports src dispatch_dropped)
dispatch=$(json_get stats.flat ports src dispatch)
c1=$(json_get stats.flat elements c1 count)
discarded=$(json_get stats.flat elements drop drops)
generation=$(json_get stats.flat reload generation)
failed_reloads=$(json_get stats.flat reload failed)
if [ -z "$rx" ] || [ -z "$tx" ] || [ -z "$c1" ] || [ -z "$disp_dropped" ]; then
  bad "missing statistics in --stats json"
  show stats.json 60
  finish
fi
[ "$dispatch" = true ] && ok "the pcap is read by one worker and dispatched to the others" || bad "src dispatch '$dispatch' (want true)"
[ "$rx" -gt $((N * 20)) ] && ok "nbrun received $rx packets ($((rx / N)) loops of the trace)" || bad "only $rx packets received"
[ $((rx + generated)) -eq $((tx + dropped)) ] &&
  ok "totals: rx $rx + generated $generated == tx $tx + dropped $dropped" ||
  bad "totals: rx $rx + generated $generated != tx $tx + dropped $dropped"
[ $((c1 + disp_dropped)) -eq "$rx" ] && [ "$c1" -eq $((sink_tx + discarded)) ] &&
  ok "c1.count $c1 + $disp_dropped dropped at the interrupt == rx; c1 == sink $sink_tx + Discard $discarded" ||
  bad "c1.count $c1, dispatch_dropped $disp_dropped, rx $rx, sink tx $sink_tx, Discard $discarded (state lost at a reload?)"
[ "$generation" = $((done_reloads + 1)) ] && [ "$failed_reloads" = 0 ] &&
  ok "stats: generation $generation, no failed reload" ||
  bad "stats: generation $generation (want $((done_reloads + 1))), failed reloads $failed_reloads (want 0)"
procs=$(sed -n '/"workers": \[/,/\]/p' stats.json | grep '"processed"' | grep -Eo '[0-9]+' | tr '\n' ' ')
busy=$(for v in $procs; do [ "$v" -gt 0 ] && echo x; done | grep -c x)
[ "$busy" -eq 4 ] && ok "all 4 workers processed packets ($procs)" || bad "workers that processed packets: $busy of 4 ($procs)"

# out.pcap, flow by flow.
"$py" - out.pcap $N $FLOWS "$sink_tx" <<'EOF' >seqcheck.txt 2>&1
import struct, sys
path, n, flows, want = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
data = open(path, "rb").read()
assert data[:4] == b"\xd4\xc3\xb2\xa1" or data[:4] == b"\x4d\x3c\xb2\xa1", "not a little-endian pcap"
last = {}
bad = frames = 0
off = 24
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    frames += 1
    seq = struct.unpack_from("!Q", frame, 42)[0]
    sport = struct.unpack_from("!H", frame, 34)[0]
    flow = seq % flows
    if sport != 10000 + flow or seq >= n or seq % 256 >= 16:
        bad += 1
        if bad <= 5: print(f"frame {frames}: sequence {seq}, source port {sport}: not a packet the graph sends on")
        continue
    expect = flow if flow not in last else (last[flow] + 256) % n
    if seq != expect:
        bad += 1
        if bad <= 5: print(f"frame {frames}: flow {flow}: sequence {seq} after {last.get(flow)}, expected {expect}")
    last[flow] = seq
print(f"RESULT {frames} {bad} {len(last)}")
sys.exit(0 if bad == 0 and frames == want and len(last) == flows else 1)
EOF
st=$?
read -r _ out_n out_bad out_flows < <(grep '^RESULT' seqcheck.txt)
if [ "$st" -eq 0 ]; then
  ok "out.pcap: $out_n frames == sink tx, $out_flows flows each in sequence, none missing, none twice, across $done_reloads switches"
else
  bad "out.pcap: ${out_n:-?} frames (sink tx $sink_tx), ${out_bad:-?} out of sequence (lost or doubled), ${out_flows:-?} flows"
  show seqcheck.txt
fi
finish

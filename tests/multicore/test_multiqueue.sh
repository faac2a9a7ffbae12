#!/usr/bin/env bash
# One worker and four produce the same output, through a multi-queue device and through software
# dispatch (issue 16, tests item 1 for quickstart.nbc and firewall.nbc):
#
#   netns P: p0 ==veth== n1 :netns N [nbrun: FromDevice(net_af_packet0,iface=n1,qpairs=W)]
#
# Both namespaces have IPv6 off and no addresses, so their kernels send nothing of their own on
# the pair: what nbrun receives is exactly what the test injects. The graph is
# configs/quickstart.nbc with its FromDump replaced by that FromDevice and a Tee whose second
# copy runs configs/firewall.nbc's elements (three ToDumps in all). A python3 AF_PACKET socket in
# P (pinned to one CPU: the kernel keeps one sender's frames in order) sends the frames of the
# shipped configs/traffic/quickstart.pcap (malformed IPv4, ARP, IPv6, ...) and of
# `nb-gen-traffic --profile flows` (100 TCP/UDP flows of many packets each); nbrun stops after
# exactly that many packets (--packets N). Checks:
#   - with --workers 1 (qpairs=1) and --workers 4 (qpairs=4: each worker polls its queue and
#     re-steers by the runtime's flow hash) nbrun receives all N frames and exits 0; with 4 the
#     "workers" array shows more than one worker processed packets, the port has 4 rx_queues;
#   - the three ToDump outputs of the two runs hold the same multiset of frames and the same
#     order within each flow (tests/multicore/pcap_compare.py, which reads pcap itself), and the
#     one-worker device run equals a one-worker FromDump run over the frames sent;
#   - software dispatch: the same graph reading the frames with FromDump under --workers 4 gives
#     the same outputs as under --workers 1;
#   - the comparer can fail: two frames of one flow swapped, or one frame removed, are reported.
# Usage: test_multiqueue.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR [ENGINE]
nbrun=$(readlink -f "$1")
gen=$(readlink -f "$2")
src=$(readlink -f "$3")
engine=${4:-jit}
. "$src/tests/integration/lib.sh"
compare="$src/tests/multicore/pcap_compare.py"

. "$src/tests/multicore/veth_pair.sh"
quiet_veth_pair mq
ok "namespaces $nsP ($p0) and $nsN ($n1), IPv6 off, no addresses"

# The frames: the shipped trace, then 3000 packets of 100 flows; those a veth cannot carry
# (shorter than an Ethernet header, longer than its MTU) are left out. frames.pcap holds what
# is sent, in order.
"$gen" --profile flows --count 3000 -o flows.pcap >/dev/null || bad "nb-gen-traffic --profile flows failed"
"$py" - "$src/configs/traffic/quickstart.pcap" flows.pcap <<'EOF' || bad "cannot build frames.pcap"
import struct, sys
out = open("frames.pcap", "wb")
out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
n = 0
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    le = data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I" if le else ">I", data, off + 8)[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if 14 <= len(frame) <= 1514:
            out.write(struct.pack("<IIII", n // 1000000, n % 1000000, len(frame), len(frame)) + frame)
            n += 1
EOF
cat >send.py <<'EOF'
# send.py IFACE PCAP: sends every frame of PCAP on IFACE, in order, from one CPU, paced so that
# the receiving sockets' rings (512 frames each) never fill while nbrun's workers share two CPUs.
import os, socket, struct, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
data = open(sys.argv[2], "rb").read()
off, n = 24, 0
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    while True:
        try:
            s.send(frame)
            break
        except OSError:
            time.sleep(0.001)
    n += 1
    if n % 16 == 0:
        time.sleep(0.002)
print(n)
EOF
N=$("$py" -c "import sys; sys.path.insert(0, '$src/tests/multicore'); import pcap_compare as p; print(len(p.read_pcap('frames.pcap')))")
[ "${N:-0}" -gt 3000 ] && ok "frames.pcap: $N frames to send (quickstart.pcap and 100 flows)" || bad "frames.pcap has ${N:-no} frames"

# The graph: quickstart.nbc with a Tee in place of its source; the Tee's copy goes through
# firewall.nbc's elements.
graph() {  # graph SOURCE_ELEMENT OUTPUT_PREFIX
  sed -e "s|^define(.*|define(\$OUT $2-q.pcap);|" -e "s|^src :: FromDump(\$IN);|src :: Tee(2); $1 -> src;|" \
    "$src/configs/quickstart.nbc"
  sed -e '/^define(/{:a' -e '/);$/!{N;ba' -e '};d' -e '}' -e "s|^FromDump(\$IN)|src [1]|" -e "s|\$OUT|$2-allowed.pcap|" -e "s|\$AUDIT|$2-audit.pcap|" \
    "$src/configs/firewall.nbc"
}
graph "in0 :: FromDevice(\"net_af_packet0,iface=$n1,qpairs=4\", PROMISC true)" dev4 >dev4.nbc
graph "in0 :: FromDevice(\"net_af_packet0,iface=$n1\", PROMISC true)" dev1 >dev1.nbc
graph "in0 :: FromDump(frames.pcap)" dump4 >dump4.nbc
graph "in0 :: FromDump(frames.pcap)" dump1 >dump1.nbc
grep -q "src :: Tee(2); in0 :: FromDevice" dev4.nbc && grep -q "^src \[1\]" dev4.nbc && ! grep -q '\$IN' dev4.nbc ||
  bad "could not derive the graph from quickstart.nbc and firewall.nbc"

outputs="q allowed audit"
# run_device WORKERS PREFIX: nbrun on n1 until N packets, the frames sent from P meanwhile.
run_device() {
  local w=$1 pre=$2 sock=$tmp/$2.sock st up=0
  ip netns exec "$nsN" "$nbrun" "$pre.nbc" --engine "$engine" --workers "$w" --packets "$N" --duration 60 \
    --control "$sock" --quiet --stats json >"$pre.json" 2>"$pre.err" &
  nb_pid=$!
  for _ in $(seq 300); do
    kill -0 "$nb_pid" 2>/dev/null || break
    if "$(dirname "$nbrun")/nbctl" --socket "$sock" ping >/dev/null 2>&1; then up=1; break; fi
    sleep 0.1
  done
  if [ "$up" -ne 1 ]; then
    bad "$pre: nbrun did not come up on $n1"
    show "$pre.err"
    return 1
  fi
  sent=$(ip netns exec "$nsP" "$py" send.py "$p0" frames.pcap)
  for _ in $(seq 300); do kill -0 "$nb_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$nb_pid" 2>/dev/null && kill -INT "$nb_pid"
  wait "$nb_pid"
  st=$?
  clean_leftovers "$nb_pid"
  nb_pid=
  json_flatten "$pre.json" >"$pre.flat"
  local rx
  rx=$(json_get "$pre.flat" totals rx)
  if ! crashed "$st" "$pre.err" "nbrun --workers $w" && [ "$st" -eq 0 ] && [ "$sent" = "$N" ] && [ "$rx" = "$N" ]; then
    ok "$pre: --workers $w received all $N frames sent and stopped (--packets)"
  else
    bad "$pre: --workers $w exit $st, sent ${sent:-?} of $N frames, received ${rx:-?} (frames lost on the way make the outputs differ)"
    show "$pre.err"
  fi
}
run_dump() {  # run_dump WORKERS PREFIX
  run_limited 60 "$2.json" "$2.err" "$nbrun" "$2.nbc" --engine "$engine" --workers "$1" --quiet --stats json
}

run_device 1 dev1
run_device 4 dev4
nbusy=$(grep -c "processed" <(sed -n '/"workers"/,/\]/p' dev4.json))
procs=$(sed -n '/"workers"/,/\]/p' dev4.json | grep '"processed"' | grep -Eo '[0-9]+' | tr '\n' ' ')
active=$(for v in $procs; do [ "$v" -gt 0 ] && echo x; done | grep -c x)
if [ "$nbusy" -eq 4 ] && [ "$active" -ge 2 ]; then ok "dev4: 4 workers, $active of them processed packets ($procs)"
else bad "dev4: the workers array shows $nbusy workers, $active busy ($procs): the flows did not spread"; show dev4.json 60; fi
rxq=$(json_get dev4.flat ports in0 rx_queues)
steer=$(json_get dev4.flat ports in0 steer)
[ "$rxq" = 4 ] && [ "$steer" = true ] && ok "dev4: the device was opened with 4 receive queues, re-steered by the workers" ||
  bad "dev4: rx_queues '${rxq:-}', steer '${steer:-}' (want 4, true)"

for o in $outputs; do
  if "$py" "$compare" "dev1-$o.pcap" "dev4-$o.pcap" >"cmp-dev-$o.txt"; then
    ok "$o: multi-queue, 4 workers == 1 worker ($(tail -1 "cmp-dev-$o.txt" | sed 's/pcap_compare: //'))"
  else bad "$o: 1 and 4 workers over the multi-queue device differ"; show "cmp-dev-$o.txt"; fi
done

# Software dispatch: the frames from a pcap, 1 and 4 workers.
for w in 1 4; do
  run_dump $w dump$w
  st=$?
  clean_leftovers "$last_pid"
  if crashed "$st" "dump$w.err" "nbrun FromDump --workers $w" || [ "$st" -ne 0 ]; then bad "FromDump --workers $w: exit $st"; show "dump$w.err"; fi
done
json_flatten dump4.json >dump4.flat
[ "$(json_get dump4.flat ports in0 dispatch)" = true ] && ok "dump4: the pcap is read by one worker and dispatched" ||
  bad "dump4: no port with \"dispatch\": true in --stats json"
for o in $outputs; do
  if "$py" "$compare" --unkeyed-order "dump1-$o.pcap" "dump4-$o.pcap" >"cmp-dump-$o.txt"; then
    ok "$o: software dispatch, 4 workers == 1 worker ($(tail -1 "cmp-dump-$o.txt" | sed 's/pcap_compare: //'))"
  else bad "$o: 1 and 4 workers over software dispatch differ"; show "cmp-dump-$o.txt"; fi
  if "$py" "$compare" --unkeyed-order "dump1-$o.pcap" "dev1-$o.pcap" >"cmp-dev1-$o.txt"; then
    ok "$o: the device run equals a FromDump run over the frames sent"
  else bad "$o: the frames through the veth differ from the same frames read from a pcap"; show "cmp-dev1-$o.txt"; fi
done

# The comparer can fail: two frames of one flow swapped; one frame removed.
"$py" - "$src/tests/multicore" dev4-q.pcap <<'EOF' >perturb.txt 2>&1
import struct, sys
sys.path.insert(0, sys.argv[1])
import pcap_compare as p
frames = p.read_pcap(sys.argv[2])
seen = {}
pair = None
for i, f in enumerate(frames):
    k = p.flow_key(f)
    if k is not None and k in seen and frames[seen[k]] != f:
        pair = (seen[k], i)
        break
    if k is not None:
        seen[k] = i
def write(path, fr):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for f in fr:
            out.write(struct.pack("<IIII", 0, 0, len(f), len(f)) + f)
swapped = list(frames)
a, b = pair
swapped[a], swapped[b] = swapped[b], swapped[a]
write("swapped.pcap", swapped)
write("short.pcap", frames[:-1])
EOF
"$py" "$compare" dev4-q.pcap swapped.pcap >cmp-swapped.txt
st1=$?
"$py" "$compare" dev4-q.pcap short.pcap >cmp-short.txt
st2=$?
if [ "$st1" -eq 1 ] && grep -q "different order" cmp-swapped.txt && [ "$st2" -eq 1 ] && grep -q "only in A" cmp-short.txt; then
  ok "pcap_compare reports two frames of a flow swapped and a frame missing"
else
  bad "pcap_compare missed a perturbation (swapped: exit $st1, removed: exit $st2)"
  show perturb.txt
  show cmp-swapped.txt
fi
finish

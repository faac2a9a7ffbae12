#!/usr/bin/env bash
# A device with more receive queues than workers must not lose packets silently (issue 16,
# "Bad input"): net_af_packet with qpairs=4 opens four kernel sockets in one fanout group at
# probe time, and the kernel spreads the frames over all four whether nbrun polls them or not.
#
#   netns P: p0 ==veth== n1 :netns N [nbrun --workers W: FromDevice(net_af_packet0,iface=n1,qpairs=4)]
#
# For W = 1 and 2, 1000 frames of 100 flows are sent from P (python3 AF_PACKET, paced). nbrun
# passes if it does one of: refuses the device with an error naming it (exit non-zero), receives
# every frame (totals.rx == 1000), or counts what it did not receive (rx + missed == 1000).
# Found by the multicore tests: nbrun 421154d received 221 of 1000 with one worker and 517 with
# two, and reported nothing missed.
# Usage: test_spare_queues.sh NBRUN NBCTL NB-GEN-TRAFFIC SOURCE_DIR [ENGINE]
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
src=$(readlink -f "$4")
engine=${5:-jit}
. "$src/tests/integration/lib.sh"

. "$src/tests/multicore/veth_pair.sh"
quiet_veth_pair sq
N=1000
"$gen" --profile flows --count $N -o flows.pcap >/dev/null || bad "nb-gen-traffic failed"
cat >send.py <<'EOF'
import os, socket, struct, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
data = open(sys.argv[2], "rb").read()
off, n = 24, 0
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    s.send(data[off + 16:off + 16 + incl])
    off += 16 + incl
    n += 1
    if n % 16 == 0:
        time.sleep(0.002)
print(n)
EOF
printf 'FromDevice("net_af_packet0,iface=%s,qpairs=4", PROMISC true) -> c :: Counter -> Discard;\n' "$n1" >g.nbc

for w in 1 2; do
  sock=$tmp/w$w.sock
  ip netns exec "$nsN" "$nbrun" g.nbc --engine "$engine" --workers "$w" --duration 30 --control "$sock" --quiet \
    --stats json >"w$w.json" 2>"w$w.err" &
  nb_pid=$!
  up=0
  for _ in $(seq 300); do
    kill -0 "$nb_pid" 2>/dev/null || break
    if "$nbctl" --socket "$sock" ping >/dev/null 2>&1; then up=1; break; fi
    sleep 0.1
  done
  if [ "$up" -ne 1 ]; then
    wait "$nb_pid"
    st=$?
    clean_leftovers "$nb_pid"
    nb_pid=
    if ! crashed "$st" "w$w.err" "nbrun --workers $w" && [ "$st" -ne 0 ] && grep -q "net_af_packet0" "w$w.err"; then
      ok "--workers $w with qpairs=4: refused, naming the device: $(grep -m1 net_af_packet0 "w$w.err")"
    else
      bad "--workers $w: nbrun did not come up (exit $st) and gave no error naming the device"
      show "w$w.err"
    fi
    continue
  fi
  sent=$(ip netns exec "$nsP" "$py" send.py "$p0" flows.pcap)
  # Until the count settles (at most 5 s).
  prev=-1
  for _ in $(seq 50); do
    cur=$("$nbctl" --socket "$sock" read c.count 2>/dev/null)
    [ "$cur" = "$prev" ] && break
    prev=$cur
    sleep 0.1
  done
  kill -INT "$nb_pid"
  wait "$nb_pid"
  st=$?
  clean_leftovers "$nb_pid"
  nb_pid=
  crashed "$st" "w$w.err" "nbrun --workers $w" && continue
  json_flatten "w$w.json" >"w$w.flat"
  rx=$(json_get "w$w.flat" totals rx)
  missed=$(json_get "w$w.flat" totals missed)
  if [ "$sent" = "$N" ] && [ "${rx:-0}" -eq "$N" ]; then
    ok "--workers $w with qpairs=4: all $N frames received"
  elif [ "$sent" = "$N" ] && [ $((${rx:-0} + ${missed:-0})) -eq "$N" ]; then
    ok "--workers $w with qpairs=4: $rx frames received, $missed counted as missed"
  else
    bad "--workers $w with qpairs=4: sent ${sent:-?}, received ${rx:-?}, missed ${missed:-?}: frames on the queues no worker polls are lost without a word"
    grep -m3 -i "queue" "w$w.err" | sed 's/^/  | /'
  fi
done
finish

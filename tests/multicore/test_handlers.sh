#!/usr/bin/env bash
# Handlers read through nbctl are totals over the workers (issue 16: "counters read through
# nbctl equal the sum of what the workers did").
#
# nbrun --workers 4 reads 5000 packets of 100 TCP and UDP flows (nb-gen-traffic --profile flows,
# random frame lengths) once; the pcap has one queue, so one worker dispatches them by flow to
# all four, each with its own Counter and Discard State. A paused looping FromDump keeps nbrun
# running after the file ends, so the handlers can be read at rest. Checked against the pcap
# itself (python, not nb's code) and the final --stats json:
#   - nbctl read c.count == packets in the file, c.byte_count == their bytes, d.drops == its
#     UDP packets (the Discard), t.count == its TCP packets, src.count == packets read;
#   - the final JSON's elements c.count, c.byte_count, d.drops, t.count say the same;
#   - the "workers" array: at least two workers processed packets, and processed adds up to
#     totals.rx.
# Both engines unless ENGINES names one.
# Usage: test_handlers.sh NBRUN NBCTL NB-GEN-TRAFFIC SOURCE_DIR [ENGINES]
set -u
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
src=$(readlink -f "$4")
engines=${5:-jit interp}
. "$src/tests/integration/lib.sh"

py=$(command -v python3) || skip "python3 is not installed"
enter_scratch
"$gen" --profile flows --count 5000 -o flows.pcap >/dev/null || {
  echo "FAIL: nb-gen-traffic"
  exit 1
}
cp flows.pcap idle.pcap
# The oracle: packets, bytes, UDP and TCP packets in the file.
read -r n bytes udp tcp < <("$py" - flows.pcap <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
le = data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
n = nbytes = udp = tcp = 0
off = 24
while off + 16 <= len(data):
    incl = struct.unpack_from("<I" if le else ">I", data, off + 8)[0]
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    n += 1
    nbytes += len(frame)
    if frame[12:14] == b"\x08\x00":
        udp += frame[23] == 17
        tcp += frame[23] == 6
print(n, nbytes, udp, tcp)
EOF
)
[ "${n:-0}" -eq 5000 ] && [ $((udp + tcp)) -eq "$n" ] && ok "flows.pcap: $n packets, $bytes bytes, $udp UDP, $tcp TCP" ||
  bad "flows.pcap is not what the test expects: '${n:-} ${bytes:-} ${udp:-} ${tcp:-}'"

cat >h.nbc <<'EOF'
// Every packet counted by c; UDP (IP protocol 17, byte 23) to a Discard, TCP counted by t.
src :: FromDump(flows.pcap);
FromDump(idle.pcap, LOOP true, ACTIVE false) -> Discard;  // keeps nbrun running at the end
src -> c :: Counter -> cls :: Classifier(23/11, -);
cls[0] -> d :: Discard;
cls[1] -> t :: Counter -> out :: ToDump(tcp.pcap);
EOF
for engine in $engines; do
  echo "== --engine $engine"
  rm -f stats.json tcp.pcap
  sock=$tmp/ctl.sock
  ctl() { "$nbctl" --socket "$sock" "$@"; }
  "$nbrun" h.nbc --engine "$engine" --workers 4 --control "$sock" --quiet --stats json --duration 60 >stats.json 2>nbrun.err &
  nb_pid=$!
  if ! wait_for_control; then
    bad "nbrun --workers 4 did not answer on $sock"
    show nbrun.err
    continue
  fi
  # The file is read in well under a second; wait until c has seen it all (or 20 s).
  for _ in $(seq 200); do
    [ "$(ctl read c.count 2>/dev/null)" = "$n" ] && break
    sleep 0.1
  done
  sleep 0.3  # anything still on its way would show now
  read_all() {
    for h in c.count c.byte_count d.drops t.count src.count; do printf '%s ' "$(ctl read "$h" 2>&1 | head -1)"; done
  }
  read -r count byte_count drops tcount srccount < <(read_all)
  [ "$count" = "$n" ] && ok "nbctl read c.count = $count == packets in the file" || bad "nbctl read c.count = '$count', want $n"
  [ "$byte_count" = "$bytes" ] && ok "nbctl read c.byte_count = $byte_count == bytes in the file" ||
    bad "nbctl read c.byte_count = '$byte_count', want $bytes"
  [ "$drops" = "$udp" ] && ok "nbctl read d.drops = $drops == UDP packets (the Discard)" || bad "nbctl read d.drops = '$drops', want $udp"
  [ "$tcount" = "$tcp" ] && ok "nbctl read t.count = $tcount == TCP packets" || bad "nbctl read t.count = '$tcount', want $tcp"
  [ "$srccount" = "$n" ] && ok "nbctl read src.count = $srccount" || bad "nbctl read src.count = '$srccount', want $n"

  kill -INT "$nb_pid"
  wait "$nb_pid"
  st=$?
  pid=$nb_pid
  nb_pid=
  clean_leftovers "$pid"
  if ! crashed "$st" nbrun.err "nbrun --workers 4"; then
    [ "$st" -eq 0 ] && ok "nbrun exit 0 after SIGINT" || {
      bad "nbrun exit $st"
      show nbrun.err
    }
  fi
  json_flatten stats.json >stats.flat
  j_count=$(json_get stats.flat elements c count)
  j_bytes=$(json_get stats.flat elements c byte_count)
  j_drops=$(json_get stats.flat elements d drops)
  j_tcount=$(json_get stats.flat elements t count)
  if [ "$j_count" = "$count" ] && [ "$j_bytes" = "$byte_count" ] && [ "$j_drops" = "$drops" ] && [ "$j_tcount" = "$tcount" ]; then
    ok "the final JSON agrees: c.count $j_count, c.byte_count $j_bytes, d.drops $j_drops, t.count $j_tcount"
  else
    bad "the final JSON: c.count ${j_count:-?}, c.byte_count ${j_bytes:-?}, d.drops ${j_drops:-?}, t.count ${j_tcount:-?} (nbctl: $count $byte_count $drops $tcount)"
  fi
  rx=$(json_get stats.flat totals rx)
  procs=$(sed -n '/"workers": \[/,/\]/p' stats.json | grep '"processed"' | grep -Eo '[0-9]+' | tr '\n' ' ')
  busy=$(for v in $procs; do [ "$v" -gt 0 ] && echo x; done | grep -c x)
  sum=0
  for v in $procs; do sum=$((sum + v)); done
  if [ "$busy" -ge 2 ] && [ "$sum" = "$rx" ]; then ok "$busy of 4 workers processed packets ($procs), adding up to rx $rx"
  else bad "workers: $busy processed packets ($procs), sum $sum, totals.rx ${rx:-?}"; fi
done
finish

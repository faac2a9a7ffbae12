#!/usr/bin/env bash
# Hot reload under full-rate traffic: nothing lost, nothing doubled, counters carried across.
#
# nbrun replays a 1000-packet sequence-numbered trace forever (FromDump LOOP true: DPDK's
# net_pcap infinite_rx) as fast as it can (millions of packets per second) through a graph that
# sends the packets whose sequence number is a multiple of 8 to ToDump(out.pcap) and the others
# to a Discard that counts them (so that tcpdump can read the capture in seconds; a packet lost
# or processed twice at a switch still shows: in the counters for every packet, in the capture
# for one packet in eight, so any burst of them). Meanwhile nbctl
# reloads it at least 50 times, alternating between two graphs that keep the same ports and
# differ in a Paint value and an extra Counter, and tries three broken files (a syntax error,
# an unknown class, a bad argument). Checked with tcpdump and tshark, never nb's own code:
#   - every packet nbrun received was transmitted or dropped by an element that counted it
#     (source rx == sink tx + element drops, from --stats json);
#   - out.pcap holds exactly the expected sequence: 0, 8, 16, .., 992, over and over, so a
#     packet lost or sent twice at a switch breaks it (sequence numbers repeat across loops by
#     design; within a loop each appears once, in order);
#   - Counter c1 (in both graphs) read through nbctl never goes down across reloads and ends
#     equal to the packets received: its state carried over every switch;
#   - each broken reload exits non-zero with FILE:LINE:COL: error, and the graph keeps running
#     and counting at the same generation.
# The sequence number is the first 8 bytes of the UDP payload; the generator also sets the UDP
# source port to 10000 + sequence number (--flows 1000), which tshark confirms for the input, so
# that tcpdump's one-line summaries (10x faster than hex dumps) carry it.
# Usage: test_reload.sh NBRUN NBCTL NB-GEN-TRAFFIC SOURCE_DIR (NB_ENGINE=interp: the interpreter)
set -u
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
. "$4/tests/integration/lib.sh"

command -v tcpdump >/dev/null || skip "tcpdump is not installed"
command -v tshark >/dev/null || skip "tshark is not installed"

base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm  # the capture grows by ~100 MB/s
enter_scratch -p "$base" nb-reload.XXXXXX

N=1000
RELOADS=${NB_RELOADS:-54}
"$gen" --profile udp-seq --count $N --size 60 --flows $N -o seq.pcap >/dev/null || {
  echo "FAIL: nb-gen-traffic"
  exit 1
}
# The input: packet i carries sequence number i in its payload and source port 10000 + i.
bad_in=$(tshark -r seq.pcap -T fields -e udp.srcport -e udp.payload 2>/dev/null | awk -v n=$N '
  { seq = 0; for (i = 1; i <= 16; ++i) seq = seq * 16 + index("0123456789abcdef", substr($2, i, 1)) - 1
    if (seq != NR - 1 || $1 != 10000 + NR - 1) bad++ }
  END { if (NR != n) bad++; print bad + 0 }')
[ "$bad_in" = 0 ] && ok "input: $N packets, sequence numbers 0..$((N - 1)) in the payload and the source port" ||
  bad "input trace is not what the test expects ($bad_in mismatches)"

graph() {  # graph PAINT EXTRA_COUNTER
  local extra=""
  [ "$2" = yes ] && extra="extra :: Counter -> "
  cat <<EOF
// Sends on the packets whose sequence number is a multiple of 8 (byte 35 after Strip(14)).
src :: FromDump(seq.pcap, LOOP true);
sink :: ToDump(out.pcap);
src -> Strip(14) -> chk :: CheckIPHeader -> c1 :: Counter -> cls :: Classifier(35/00%07, -);
cls[0] -> Paint($1) -> ${extra}Unstrip(14) -> sink;
cls[1] -> drop :: Discard;
EOF
}
graph 1 no >a.nbc
graph 2 yes >b.nbc
# Three broken files: line 6 has the error in each.
graph 1 no | sed '6s/.*/cls[1] -> -> drop :: Discard;/' >bad_syntax.nbc
graph 1 no | sed '6s/.*/cls[1] -> drop :: Discrad;/' >bad_class.nbc
graph 1 no | sed '6s/.*/cls[1] -> Paint(300) -> drop :: Discard;/' >bad_argument.nbc

sock=$tmp/ctl.sock
ctl() { "$nbctl" --socket "$sock" "$@"; }
"$nbrun" a.nbc --engine "${NB_ENGINE:-jit}" --control "$sock" --quiet --stats json --duration 100 >stats.json 2>nbrun.err &
nb_pid=$!
if ! wait_for_control; then
  bad "nbrun did not answer on $sock"
  show nbrun.err
  finish
fi
[ "$(stat -c %a "$sock")" = 600 ] && ok "control socket mode 0600" || bad "control socket mode $(stat -c %a "$sock")"

last=0
decreased=0
read_c1() { ctl read c1.count; }
check_c1() {  # check_c1 WHAT: c1.count must not have gone down
  local v
  v=$(read_c1) || {
    bad "$1: nbctl read c1.count failed"
    return 1
  }
  if [ "$v" -lt "$last" ]; then
    bad "$1: c1.count went down from $last to $v"
    decreased=1
  fi
  last=$v
}

# A broken file: nbctl fails with FILE:6:COL: error, and the graph runs on, counting.
broken() {  # broken FILE WHAT REGEX
  local before gen_before gen_after st
  check_c1 "before $1"
  before=$last
  gen_before=$(ctl ping | awk '{ print $NF }')
  ctl reload "$1" >"$1.out" 2>"$1.err"
  st=$?
  sleep 0.2
  check_c1 "after $1"
  gen_after=$(ctl ping | awk '{ print $NF }')
  if [ "$st" -ne 0 ] && grep -Eq "$1:6:[0-9]+: error: .*$3" "$1.err" && [ "$last" -gt "$before" ] &&
    [ "$gen_before" = "$gen_after" ]; then
    ok "$2: nbctl exit $st, '$(grep -m1 -E "$1:6:" "$1.err")'; generation $gen_after still running and counting ($before -> $last)"
  else
    bad "$2: nbctl exit $st (want non-zero with $1:6:COL: error matching /$3/), generation $gen_before -> $gen_after, c1.count $before -> $last"
    show "$1.err"
  fi
}

t0=$(date +%s.%N)
done_reloads=0
failed=0
for i in $(seq "$RELOADS"); do
  if [ $((i % 2)) -eq 1 ]; then f=b.nbc; else f=a.nbc; fi
  if ctl reload "$f" >reload.out 2>reload.err; then
    done_reloads=$((done_reloads + 1))
    cat reload.out >>reloads.jsonl
  else
    failed=$((failed + 1))
    [ "$failed" -le 3 ] && show reload.err 5
  fi
  [ $((i % 5)) -eq 0 ] && check_c1 "reload $i"
  case $i in
    10) broken bad_syntax.nbc "syntax error" "expected|syntax|unexpected|missing" ;;
    20) broken bad_class.nbc "unknown class" "unknown element class 'Discrad'" ;;
    30) broken bad_argument.nbc "bad argument" "COLOR|255|range|large" ;;
  esac
done
t1=$(date +%s.%N)
check_c1 "after the reloads"
gen_now=$(ctl ping | awk '{ print $NF }')
kill -INT "$nb_pid"
wait "$nb_pid"
st=$?
nb_pid_done=$nb_pid
nb_pid=
clean_leftovers "$nb_pid_done"
[ "$st" -eq 0 ] && ok "nbrun exit 0 after SIGINT" || {
  bad "nbrun exit $st"
  show nbrun.err
}
[ "$failed" -eq 0 ] && [ "$done_reloads" -ge 50 ] &&
  ok "$done_reloads reloads in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s under traffic, now generation $gen_now" ||
  bad "$done_reloads reloads succeeded, $failed failed (want >= 50, 0)"
[ "$decreased" -eq 0 ] && ok "c1.count never went down across $done_reloads reloads (last read $last)"
awk -v n="$done_reloads" '/"pause_us"/ { c++ } END { exit !(c == n) }' reloads.jsonl 2>/dev/null &&
  ok "every reload reply carries its timings ($(awk -F'"latency_ms":' '{ split($2, a, ","); s += a[1]; n++ } END { printf "mean latency %.1f ms", s / n }' reloads.jsonl))" ||
  bad "reload replies without timings"

json_flatten stats.json >stats.flat
rx=$(json_get stats.flat ports src rx)
tx=$(json_get stats.flat ports sink tx)
port_dropped=$(($(json_get stats.flat ports src dropped) + $(json_get stats.flat ports sink dropped)))
drops=$(json_sum stats.flat elements drops)
discarded=$(json_get stats.flat elements drop drops)
c1=$(json_get stats.flat elements c1 count)
generation=$(json_get stats.flat reload generation)
failed_reloads=$(json_get stats.flat reload failed)
if [ -z "$rx" ] || [ -z "$tx" ]; then
  bad "no port statistics in --stats json"
  show stats.json 40
  finish
fi
[ "$rx" -gt $((N * 10)) ] && ok "nbrun received $rx packets ($((rx / N)) loops of the trace)" || bad "only $rx packets received"
[ "$rx" -eq $((tx + drops + port_dropped)) ] &&
  ok "every packet accounted for: rx $rx == tx $tx + element drops $drops + port drops $port_dropped" ||
  bad "rx $rx != tx $tx + element drops $drops + port drops $port_dropped"
[ "$drops" -eq "$discarded" ] && ok "all drops by the Discard ($discarded)" || bad "drops $drops, Discard $discarded"
[ "$c1" -eq "$rx" ] && ok "c1.count $c1 == packets received: Counter state carried across every reload" ||
  bad "c1.count $c1 != packets received $rx (state lost at a reload?)"
[ "$generation" = $((done_reloads + 1)) ] && [ "$failed_reloads" = 3 ] &&
  ok "stats: generation $generation, 3 failed reloads" ||
  bad "stats: generation $generation (want $((done_reloads + 1))), failed reloads $failed_reloads (want 3)"

# out.pcap: exactly 0, 8, .., 992, repeated, in order.
tcpdump -r out.pcap -nn -t -q 2>/dev/null | awk -v n=$N -v want_total="$tx" '
  BEGIN { seq = -1; bad = 0 }
  function next_expected(s) {
    do { s = (s + 1) % n } while (s % 8 != 0)
    return s
  }
  {
    split($2, a, ".")
    got = a[5] - 10000
    want = next_expected(seq)
    if (got != want) {
      if (bad < 5) printf "packet %d: sequence number %d, expected %d\n", NR, got, want > "/dev/stderr"
      bad++
    }
    seq = got
    if (got % 8 != 0) dropped_out++
  }
  END {
    printf "%d %d %d\n", NR, bad, dropped_out + 0
  }' >seqcheck.txt 2>seqcheck.err
read -r out_n out_bad out_dropped <seqcheck.txt
[ "$out_n" -eq "$tx" ] && ok "tcpdump reads $out_n packets in out.pcap == sink tx" || bad "out.pcap has $out_n packets, sink tx $tx"
if [ "$out_bad" -eq 0 ] && [ "$out_dropped" -eq 0 ]; then
  ok "out.pcap: every sequence number in order, none missing, none twice, across $done_reloads switches"
else
  bad "out.pcap: $out_bad packets out of sequence (lost or doubled), $out_dropped that should have been dropped"
  show seqcheck.err
fi
grep -Eq "AddressSanitizer|runtime error:|terminate called" nbrun.err && {
  bad "sanitizer or crash report on nbrun's stderr"
  show nbrun.err
}
finish

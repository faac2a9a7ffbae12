#!/usr/bin/env bash
# FromDump and ToDump lose nothing and destroy nothing (issue 15, items 1-6 and 8, and the
# parameters FromDump FILENAME/STOP/ACTIVE/LOOP and ToDump FILENAME/SNAPLEN):
#   - records keep their timestamps and bytes, frames of every length up to 65,535 bytes are
#     written whole (both engines, tcpdump as the oracle);
#   - reading and writing one file, or writing one file twice, under any spelling (./x, a symlink,
#     a hard link), is refused by nbrun and nbc check at the argument, and the input is untouched;
#   - a failed write (a full file system, /dev/full) is reported with the file
#     and the reason, exits 1, counts the packets not written as dropped, and leaves a capture
#     of whole records;
#   - frames over 65,535 bytes, non-Ethernet captures, FIFOs as inputs are refused clearly; a FIFO
#     output with no reader is refused, one whose reader stalls cannot keep the run from ending;
#   - an existing file that is not a capture is not overwritten;
#   - SNAPLEN, ACTIVE (with the `active` handler), LOOP, STOP, TIMING, ENCAP and the time window
#     (START, START_AFTER, END, END_AFTER, INTERVAL) do what their docs say.
# Usage: test_pcap_io.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR NBC NBCTL
set -u
nbrun=$(readlink -f "$1")
gen=$(readlink -f "$2")
src=$(readlink -f "$3")
nbc=$(readlink -f "$4")
nbctl=$(readlink -f "$5")
. "$(dirname "$0")/lib.sh"
frames="python3 $src/tests/integration/make_frames.py"
enter_scratch
ctl() { "$nbctl" --socket "$tmp/nb.sock" "$@"; }

# run NAME [nbrun options...]: nbrun NAME.nbc, interp unless an option says otherwise; sets st.
run() {
  local name=$1
  shift
  run_limited 60 "$name.out" "$name.err" "$nbrun" "$name.nbc" --quiet --no-control "$@"
  st=$?
  clean_leftovers "$last_pid"
  crashed "$st" "$name.err" "$name" && st=99
  return 0
}
records() { tcpdump -n -r "$1" 2>/dev/null | wc -l; }
# The records of a pcap, timestamps and all, as tcpdump prints them (the oracle for "the same").
listing() { tcpdump -n -tt -r "$1" -xx 2>/dev/null; }

# 20,000 packets: more than a ToDump's ring holds, so a writer that fell behind would show.
"$gen" --profile udp-seq --count 20000 -o in.pcap || bad "nb-gen-traffic failed"

# ---- timestamps and bytes kept, both engines, through a Tee ----
for engine in interp jit; do
  printf 'FromDump(in.pcap) -> t :: Tee -> ToDump(out_%s.pcap);\nt[1] -> ToDump(copy_%s.pcap);\n' \
    "$engine" "$engine" >keep_$engine.nbc
  run keep_$engine --engine "$engine"
  if [ "$st" -eq 0 ] && diff -q <(listing in.pcap) <(listing out_$engine.pcap) >/dev/null &&
    diff -q <(listing in.pcap) <(listing copy_$engine.pcap) >/dev/null; then
    ok "$engine: 20000 records written with the input's timestamps and bytes (and the Tee copy too)"
  else
    bad "$engine: output differs from the input (exit $st)"
    diff <(listing in.pcap) <(listing out_$engine.pcap) | head -5
  fi
done

# ---- frames of every length, whole ----
$frames frames.pcap 1 60 1500 2047 2048 2049 4000 9000 16128 16129 16384 16385 20000 40000 65535 64
for engine in interp jit; do
  printf 'FromDump(frames.pcap) -> ToDump(frames_%s.pcap);\n' "$engine" >frames_$engine.nbc
  run frames_$engine --engine "$engine"
  if [ "$st" -eq 0 ] && diff -q <(listing frames.pcap) <(listing frames_$engine.pcap) >/dev/null &&
    ! tcpdump -n -r frames_$engine.pcap 2>&1 >/dev/null | grep -qi trunc; then
    ok "$engine: frames of 60..65535 bytes written whole"
  else
    bad "$engine: frames cut or changed (exit $st)"
    diff <(tcpdump -n -r frames.pcap 2>&1) <(tcpdump -n -r frames_$engine.pcap 2>&1) | head -6
  fi
done

# expect_fail NAME REGEX: the last run failed with an error at NAME.nbc:2:COL matching REGEX.
expect_fail() {
  local name=$1 re=$2
  if [ "$st" -eq 1 ] && grep -Eq "^$name\.nbc:2:[0-9]+: error: .*($re)" "$name.err"; then
    ok "$name: $(grep -m1 -E "^$name\.nbc:2:" "$name.err")"
  else
    bad "$name: expected exit 1 and an error at line 2 matching /$re/ (exit $st)"
    show "$name.err" 8
  fi
}

$frames huge.pcap 1 64 70000 64
printf '// a 70,000-byte frame\nFromDump(huge.pcap) -> ToDump(huge_out.pcap);\n' >huge.nbc
run huge
expect_fail huge "record 2 .*70000-byte frame"
printf '// LOOP with a chained frame\nFromDump(frames.pcap, LOOP true) -> Discard;\n' >loop_big.nbc
run loop_big
expect_fail loop_big "LOOP true every frame must fit"

# ---- raw IP (LINKTYPE_RAW) is read, and written back with ENCAP IP; other link types are not ----
$frames raw.pcap 101 64 100
printf '// raw IP\nFromDump(raw.pcap) -> ToDump(raw_out.pcap, ENCAP IP);\n' >raw.nbc
run raw
if [ "$st" -eq 0 ] && diff -q <(listing raw.pcap) <(listing raw_out.pcap) >/dev/null &&
  [ "$(od -An -tu4 -j20 -N4 raw_out.pcap | tr -d ' ')" = 101 ]; then
  ok "raw IP capture read and written back (ENCAP IP): the same records, link type 101"
else
  bad "raw IP capture: exit $st, $(records raw_out.pcap) records"
  show raw.err 6
fi
$frames sll.pcap 113 64 100
printf '// Linux cooked capture\nFromDump(sll.pcap) -> Discard;\n' >sll.nbc
run sll
expect_fail sll "sll\\.pcap.*neither Ethernet nor raw IP"

# ---- one file read and written, or written twice, under any spelling ----
cp in.pcap same.pcap
ln -s same.pcap link.pcap
ln same.pcap hard.pcap
mkdir sub
for out in same.pcap ./same.pcap link.pcap hard.pcap sub/../same.pcap "$tmp/same.pcap"; do
  printf '// reads and writes one file\nFromDump(same.pcap) -> ToDump(%s);\n' "$out" >same.nbc
  run same
  expect_fail same "would write .*which .* reads"
  if cmp -s in.pcap same.pcap; then ok "same ($out): the input is untouched"; else bad "same ($out): the input changed"; fi
  run_limited 20 same.check.out same.check.err "$nbc" check same.nbc
  cst=$?
  if [ "$cst" -ne 0 ] && grep -Eq "^same\.nbc:2:[0-9]+: error: .*would write" same.check.err; then
    ok "nbc check ($out) says so too"
  else
    bad "nbc check ($out): exit $cst, $(head -1 same.check.err)"
  fi
done
printf '// one output, two spellings\nFromDump(in.pcap) -> t :: Tee -> ToDump(two.pcap); t[1] -> ToDump(./two.pcap);\n' >two.nbc
run two
expect_fail two "already written by"

# ---- an existing file that is not a capture is not replaced ----
echo "my notes" >notes.txt
printf '// a typo: writes over a text file\nFromDump(in.pcap) -> ToDump(notes.txt);\n' >notes.nbc
run notes
expect_fail notes "exists and is not a capture file"
[ "$(cat notes.txt)" = "my notes" ] && ok "notes.txt untouched" || bad "notes.txt was overwritten"

# ---- failed writes ----
check_short() {  # check_short NAME FILE: the run reported FILE's failure and counted it exactly
  local name=$1 file=$2 flat=$1.flat
  json_flatten "$name.out" >"$flat"
  local rx tx dropped n
  rx=$(json_get "$flat" totals rx)
  tx=$(json_get "$flat" totals tx)
  dropped=$(json_get "$flat" totals dropped)
  n=$(records "$file")
  if [ "$st" -eq 1 ] && grep -q "writing '$file' failed" "$name.err" && [ -n "$tx" ] && [ "$tx" -eq "$n" ] &&
    [ "$((tx + dropped))" -eq "$rx" ] && [ "$n" -lt 20000 ] &&
    ! tcpdump -n -r "$file" 2>&1 >/dev/null | grep -qi trunc; then
    ok "$name: exit 1, '$(grep -m1 "failed" "$name.err" | cut -c1-110)', file holds $n whole records = tx, rx $rx = tx + dropped $dropped"
  else
    bad "$name: exit $st, tx ${tx:-?}, dropped ${dropped:-?}, rx ${rx:-?}, $n records in $file"
    show "$name.err" 8
  fi
}
if [ "$(id -u)" -eq 0 ] && mkdir small && mount -t tmpfs -o size=100k nbtest small 2>/dev/null; then
  printf 'FromDump(in.pcap) -> ToDump(small/out.pcap);\n' >full.nbc
  run full --stats json
  check_short full small/out.pcap
  umount small
else
  echo "note: no tmpfs mount here (not root?): the full file system case is covered by /dev/full only"
fi
printf '// a device that is always full\nFromDump(in.pcap) -> ToDump(/dev/full);\n' >devfull.nbc
run devfull
expect_fail devfull "/dev/full.*No space left"

# ---- FIFOs ----
mkfifo in.fifo out.fifo
printf '// a FIFO as input\nFromDump(in.fifo) -> Discard;\n' >fifo_in.nbc
run fifo_in
expect_fail fifo_in "is a FIFO"
printf '// a FIFO as a routes file\nFromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> LookupIPRoute(ROUTES in.fifo) -> Discard;\n' >fifo_routes.nbc
run fifo_routes
expect_fail fifo_routes "is a FIFO: LookupIPRoute"
printf '// a FIFO nobody reads\nFromDump(in.pcap, LOOP true) -> ToDump(out.fifo);\n' >fifo_out.nbc
run fifo_out --duration 1
expect_fail fifo_out "no process has it open for reading"
sleep 30 <out.fifo &  # a reader that never reads
reader=$!
sleep 0.2
run fifo_out --duration 1
kill "$reader" 2>/dev/null
if [ "$st" -eq 1 ] && grep -q "writing 'out.fifo' failed" fifo_out.err; then
  ok "a FIFO whose reader stalls: the run ended (--duration 1) and said so"
else
  bad "a stalled FIFO reader: exit $st"
  show fifo_out.err 6
fi

# ---- SNAPLEN ----
printf 'FromDump(frames.pcap) -> ToDump(snap.pcap, SNAPLEN 100);\n' >snap.nbc
run snap
caps=$(tcpdump -n -r snap.pcap -xx 2>/dev/null | awk '/^\t0x/ { n += NF - 1 } /^[0-9]/ { if (c) print n; n = 0; c = 1 } END { print n }' | sort -u | tr '\n' ' ')
hdr=$(od -An -tu4 -j16 -N4 snap.pcap | tr -d ' ')
if [ "$st" -eq 0 ] && [ "$(records snap.pcap)" -eq 15 ] && [ "$hdr" = 100 ] &&
  [ "$(tcpdump -n -r snap.pcap 2>/dev/null | head -1 | grep -c 'length')" = 1 ]; then
  ok "SNAPLEN 100: 15 records, file snaplen $hdr, bytes per record: $caps"
else
  bad "SNAPLEN 100: exit $st, $(records snap.pcap) records, header snaplen $hdr"
fi
# Every record holds min(length, 100) bytes and states the frame's full length.
if python3 - snap.pcap frames.pcap <<'EOF'; then ok "SNAPLEN: each record is min(length, 100) bytes, with the full length"; else bad "SNAPLEN: records wrong"; fi
import struct, sys
def recs(path):
    d = open(path, "rb").read()
    i, out = 24, []
    while i < len(d):
        _, _, cap, ln = struct.unpack("<IIII", d[i:i + 16])
        out.append((cap, ln, d[i + 16:i + 16 + cap]))
        i += 16 + cap
    return out
a, b = recs(sys.argv[1]), recs(sys.argv[2])
ok = len(a) == len(b) and all(ca == min(lb, 100) and la == lb and da == db[:ca] for (ca, la, da), (cb, lb, db) in zip(a, b))
sys.exit(0 if ok else 1)
EOF

# ---- TIMING true: records leave at the pace the file states ----
# Four records at 0, 0.1, 0.2 and 3 s: at that pace the run cannot end before 3 s have passed (a
# lower bound the pacing guarantees, whatever the machine's speed), and every record leaves once,
# in order, with its bytes and time.
python3 - paced.pcap <<'EOF2'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, t in enumerate([0.0, 0.1, 0.2, 3.0]):
        d = bytes.fromhex("020000000002020000000001") + b"\x08\x06" + bytes([i]) * 46
        f.write(struct.pack("<IIII", 1700000000 + int(t), int(round((t % 1) * 1e6)), len(d), len(d)))
        f.write(d)
EOF2
for engine in interp jit; do
  printf 'FromDump(paced.pcap, TIMING true) -> ToDump(paced_%s.pcap);\n' "$engine" >paced_$engine.nbc
  run_limited 60 paced_$engine.out paced_$engine.err "$nbrun" paced_$engine.nbc --quiet --no-control --engine $engine \
    --stats json
  st=$?
  clean_leftovers "$last_pid"
  secs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' paced_$engine.out 2>/dev/null)
  if [ "$st" -eq 0 ] && diff -q <(listing paced.pcap) <(listing paced_$engine.pcap) >/dev/null &&
    python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 2.9 else 1)' "${secs:-0}"; then
    ok "$engine: TIMING true: the 4 records leave in order, and the run lasted $secs s of the trace's 3"
  else
    bad "$engine: TIMING true: exit $st, run of ${secs:-?} s, $(records paced_$engine.pcap) records"
    show paced_$engine.err 6
  fi
done
printf '// a looping file keeps no record times\nFromDump(paced.pcap, TIMING true, LOOP true) -> Discard;\n' >paced_loop.nbc
run paced_loop
expect_fail paced_loop "TIMING true with LOOP true"

# ---- a time window of the trace: START, START_AFTER, END, END_AFTER, INTERVAL ----
# Ten records at 0, 0.5, 1, 1.5, 2, 2.5, 3, 5, 4 and 6 s after 1700000000 (record 9 is earlier
# than record 8, as in a trace merged from two captures: Click stops at the first record at or
# past the end, so a later, earlier-stamped one is not read). The oracle: tcpdump's listing of
# the input's records FIRST..LAST, times and bytes, against tcpdump's listing of the output.
python3 - win.pcap <<'EOF2'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, t in enumerate([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 4.0, 6.0]):
        d = bytes.fromhex("020000000002020000000001") + b"\x08\x06" + bytes([i]) * 46
        f.write(struct.pack("<IIII", 1700000000 + int(t), int(round((t % 1) * 1e6)), len(d), len(d)))
        f.write(d)
EOF2
[ "$(records win.pcap)" -eq 10 ] || bad "win.pcap: tcpdump reads $(records win.pcap) records, not 10"
# The input's records FIRST..LAST as tcpdump lists them (each record is 5 lines: a summary, 4 of hex).
win_listing() { listing win.pcap | sed -n "$((($1 - 1) * 5 + 1)),$(($2 * 5))p"; }
# window NAME "ARGS" FIRST LAST SKIPPED [nbrun options...]: FromDump(win.pcap, ARGS) writes exactly
# records FIRST..LAST, and its port counts SKIPPED records left out (the driver read rx + skipped).
window() {
  local name=$1 args=$2 first=$3 last=$4 skipped=$5
  shift 5
  printf 'src :: FromDump(win.pcap, %s) -> ToDump(%s.pcap);\n' "$args" "$name" >"$name.nbc"
  run "$name" --stats json "$@"
  json_flatten "$name.out" >"$name.flat"
  local rx sk ip
  rx=$(json_get "$name.flat" ports src rx)
  sk=$(json_get "$name.flat" ports src skipped)
  ip=$(json_get "$name.flat" ports src driver ipackets)
  if [ "$st" -eq 0 ] && diff -q <(win_listing "$first" "$last") <(listing "$name.pcap") >/dev/null &&
    [ "${sk:-x}" = "$skipped" ] && [ "${rx:-x}" = $((last - first + 1)) ] && [ "${ip:-x}" = $((rx + sk)) ]; then
    ok "$name ($args $*): records $first..$last out, $sk skipped, driver ipackets $ip = rx + skipped"
  else
    bad "$name ($args $*): exit $st, $(records "$name.pcap") records (want $first..$last), rx ${rx:-?} skipped ${sk:-?} (want $skipped) ipackets ${ip:-?}"
    diff <(win_listing "$first" "$last") <(listing "$name.pcap") | grep '^[<>] [0-9]' | head -6
    show "$name.err" 6
  fi
}
for engine in interp jit; do
  # START: the two records before 1700000001 are skipped, nothing else.
  window win_start_$engine "START 1700000001" 3 10 2 --engine $engine
  # START_AFTER 1.2 s after the first record: 1700000001.2; records 1-3 skipped.
  window win_start_after_$engine "START_AFTER 1.2" 4 10 3 --engine $engine
  # END: stops at record 5 (at 1700000002, not emitted); the burst it came in is skipped with it.
  window win_end_$engine "END 1700000002" 1 4 6 --engine $engine
  # END_AFTER 4.5: record 8 (5 s) ends it; record 9 (4 s, within the window) is not read.
  window win_end_after_$engine "END_AFTER 4500ms" 1 7 3 --engine $engine
  # INTERVAL after START: [1700000001, 1700000003).
  window win_interval_$engine "START 1700000001, INTERVAL 2" 3 6 6 --engine $engine
  # INTERVAL without START: after the first record.
  window win_interval0_$engine "INTERVAL 1.5" 1 3 7 --engine $engine
  # START_AFTER with END_AFTER, both after the first record.
  window win_both_$engine "START_AFTER 1, END_AFTER 4.5" 3 7 5 --engine $engine
done
# Several workers: one reads the file and spreads its packets; the window is the reader's.
window win_workers "START 1700000001, END 1700000005" 3 7 5 --workers 2
# --packets counts the records emitted, not those skipped: records 3, 4 and 5.
window win_packets "START 1700000001" 3 5 2 --packets 3
# TIMING true: the pace starts at the first record emitted (1700000001.5); the END record is read
# alone (TIMING reads one record at a time), so only it is skipped at the end.
for engine in interp jit; do
  window win_timing_$engine "START 1700000001.5, END 1700000003.5, TIMING true" 4 7 4 --engine $engine
  secs=$(json_get win_timing_$engine.flat seconds)
  if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 1.4 else 1)' "${secs:-0}"; then
    ok "win_timing_$engine: the window's 1.5 s of trace took $secs s"
  else
    bad "win_timing_$engine: the run took ${secs:-?} s, less than the window's 1.5 s of trace"
  fi
done
# STOP true: the window's end stops the router as the file's end does, although a LOOP source runs.
printf 'src :: FromDump(win.pcap, END_AFTER 2, STOP true) -> ToDump(win_stop.pcap);\nFromDump(in.pcap, LOOP true) -> Discard;\n' >win_stop.nbc
run win_stop --duration 30
if [ "$st" -eq 0 ] && grep -q "src reached the end of its time window (STOP true)" win_stop.err &&
  diff -q <(win_listing 1 4) <(listing win_stop.pcap) >/dev/null; then
  ok "STOP true with END_AFTER: the run stopped at the window's end ($(grep -m1 -o 'src reached[^)]*)' win_stop.err)), records 1..4 out"
else
  bad "STOP true with END_AFTER: exit $st, $(records win_stop.pcap) records, $(grep -m1 'nbrun:' win_stop.err)"
fi
# nbrun refuses what nbc check refuses (tests/bad/arg_fromdump_*.nbc has them all).
printf '// a looping file keeps no record times\nFromDump(win.pcap, LOOP true, END_AFTER 2) -> Discard;\n' >win_loop.nbc
run win_loop
expect_fail win_loop "END_AFTER with LOOP true"
printf '// the end before the start\nFromDump(win.pcap, START 1700000003, END 1700000002) -> Discard;\n' >win_empty.nbc
run win_empty
expect_fail win_empty "END 1700000002 is not after START 1700000003"
# Hot reload: a reload while the element has emitted nothing yet gives it the new window (START
# skips until the first record emitted); one after its window ended leaves the file ended.
printf 'src :: FromDump(win.pcap, START_AFTER 1, ACTIVE false) -> out :: ToDump(win_reload.pcap);\nFromDump(in.pcap, LOOP true, ACTIVE false) -> Discard;\n' >wr1.nbc
printf 'src :: FromDump(win.pcap, START_AFTER 2, END_AFTER 3.2) -> out :: ToDump(win_reload.pcap);\nFromDump(in.pcap, LOOP true, ACTIVE false) -> Discard;\n' >wr2.nbc
printf 'src :: FromDump(win.pcap, START_AFTER 2, END_AFTER 10) -> out :: ToDump(win_reload.pcap);\nFromDump(in.pcap, LOOP true, ACTIVE false) -> Discard;\n' >wr3.nbc
"$nbrun" wr1.nbc --quiet --engine interp --control "$tmp/nb.sock" --stats json >wr.out 2>wr.err &
nb_pid=$!
if wait_for_control; then
  ctl reload "$tmp/wr2.nbc" >wr2.reload 2>&1 || bad "reload wr2: $(cat wr2.reload)"
  ctl write src.active true
  for _ in $(seq 300); do [ "$(ctl read out.count)" = 3 ] && break; sleep 0.1; done
  sleep 0.3
  before=$(ctl read out.count)
  ctl reload "$tmp/wr3.nbc" >wr3.reload 2>&1 || bad "reload wr3: $(cat wr3.reload)"
  sleep 0.5
  after=$(ctl read out.count)
  kill -INT "$nb_pid"
  wait "$nb_pid"
  st=$?
  nb_pid=
  if [ "$st" -eq 0 ] && [ "$before" = 3 ] && [ "$after" = 3 ] &&
    diff -q <(win_listing 5 7) <(listing win_reload.pcap) >/dev/null; then
    ok "reload: the window given while paused applied (records 5..7); a reload after its end left the file ended ($after records)"
  else
    bad "reload: exit $st, count $before before the second reload, $after after, $(records win_reload.pcap) records (want 5..7)"
    show wr.err 6
  fi
else
  bad "reload with a window: nbrun did not answer"
  show wr.err
fi

# ---- ENCAP IP: records that start at the IP header (LINKTYPE_RAW) ----
printf 'FromDump(in.pcap) -> Strip(14) -> ToDump(rawip.pcap, ENCAP IP);\n' >rawip.nbc
run rawip
linktype=$(od -An -tu4 -j20 -N4 rawip.pcap | tr -d ' ')
# tcpdump decodes each record as IP: the same lines as the Ethernet input's, from "IP" on.
a=$(tcpdump -n -r in.pcap 2>/dev/null | sed 's/^[0-9:.]* //' | md5sum)
b=$(tcpdump -n -r rawip.pcap 2>/dev/null | sed 's/^[0-9:.]* //' | md5sum)
if [ "$st" -eq 0 ] && [ "$linktype" = 101 ] && [ "$(records rawip.pcap)" = "$(records in.pcap)" ] && [ "$a" = "$b" ]; then
  ok "ENCAP IP: link type $linktype, tcpdump reads every record as the IP packet it was"
else
  bad "ENCAP IP: exit $st, link type $linktype, $(records rawip.pcap) records, same decode: $([ "$a" = "$b" ] && echo yes || echo no)"
fi
printf '// a link type nb does not write\nFromDump(in.pcap) -> ToDump(x.pcap, ENCAP ATM);\n' >encap_bad.nbc
run encap_bad
expect_fail encap_bad "unknown or unsupported ENCAP 'ATM'"

# ---- ACTIVE false and the active handler ----
printf 'src :: FromDump(in.pcap, ACTIVE false) -> c :: Counter -> ToDump(active.pcap);\n' >active.nbc
"$nbrun" active.nbc --quiet --engine interp --control "$tmp/nb.sock" --stats json >active.out 2>active.err &
nb_pid=$!
if wait_for_control; then
  sleep 0.5
  before=$(ctl read c.count)
  state=$(ctl read src.active)
  ctl write src.active true
  for _ in $(seq 100); do kill -0 "$nb_pid" 2>/dev/null || break; sleep 0.1; done
  wait "$nb_pid"
  st=$?
  nb_pid=
  if [ "$before" = 0 ] && [ "$state" = false ] && [ "$st" -eq 0 ] && [ "$(records active.pcap)" -eq 20000 ]; then
    ok "ACTIVE false: nothing read while paused (count $before, active $state); 'write src.active true' sent all 20000"
  else
    bad "ACTIVE false: count while paused '$before', active '$state', exit $st, $(records active.pcap) written"
  fi
else
  bad "ACTIVE: nbrun did not answer on its control socket"
  show active.err
fi

# ---- hot reload: a kept ToDump goes on writing its file; none may replace the running input ----
"$gen" --profile udp-seq --count 10 -o ten.pcap
printf 'a :: FromDump(ten.pcap) -> out :: ToDump(kept.pcap);\nsrc :: FromDump(in.pcap, ACTIVE false) -> out;\n' >r1.nbc
printf 'a :: FromDump(ten.pcap) -> out :: ToDump(./kept.pcap);\nsrc :: FromDump(in.pcap, ACTIVE false) -> Counter -> out;\n' >r2.nbc
printf 'a :: FromDump(ten.pcap) -> out :: ToDump(kept.pcap);\nFromDump(ten.pcap) -> ToDump(in.pcap);\n' >r3.nbc
printf 'a :: FromDump(ten.pcap) -> out :: ToDump(kept.pcap, SNAPLEN 64);\nsrc :: FromDump(in.pcap, ACTIVE false) -> out;\n' >r4.nbc
cp in.pcap in.orig
"$nbrun" r1.nbc --quiet --engine interp --control "$tmp/nb.sock" --stats json >r.out 2>r.err &
nb_pid=$!
if wait_for_control; then
  for _ in $(seq 50); do [ "$(ctl read out.count)" = 10 ] && break; sleep 0.1; done
  ctl reload "$tmp/r2.nbc" >r2.reload 2>&1 && ok "reload keeping ToDump(kept.pcap) as ./kept.pcap" || bad "reload r2: $(cat r2.reload)"
  if ctl reload "$tmp/r3.nbc" >r3.reload 2>&1; then
    bad "a reload writing the running graph's input succeeded"
  elif grep -q "is read by the running graph" r3.reload; then
    ok "a reload writing the running graph's input is refused: $(grep -m1 error r3.reload | cut -c1-110)"
  else
    bad "r3: $(cat r3.reload)"
  fi
  if ctl reload "$tmp/r4.nbc" >r4.reload 2>&1; then
    bad "a reload changing the SNAPLEN of an open file succeeded"
  elif grep -q "SNAPLEN" r4.reload; then ok "a reload changing SNAPLEN is refused"; else bad "r4: $(cat r4.reload)"; fi
  ctl write src.active true
  for _ in $(seq 100); do kill -0 "$nb_pid" 2>/dev/null || break; sleep 0.1; done
  wait "$nb_pid"
  st=$?
  nb_pid=
  cmp -s in.pcap in.orig && ok "in.pcap untouched by the refused reload" || bad "in.pcap changed"
  [ "$st" -eq 0 ] && [ "$(records kept.pcap)" -eq 20010 ] &&
    ok "kept.pcap holds the 10 packets from before the reload and the 20000 after" ||
    bad "kept.pcap: exit $st, $(records kept.pcap) records"
else
  bad "reload: nbrun did not answer"
  show r.err
fi

# ---- LOOP and STOP ----
printf 'FromDump(in.pcap, LOOP true) -> ToDump(loop.pcap);\n' >loop.nbc
run loop --packets 50000
[ "$st" -eq 0 ] && [ "$(records loop.pcap)" -eq 50000 ] && ok "LOOP true: 50000 packets from a 20000-packet file, none lost" ||
  bad "LOOP true: exit $st, $(records loop.pcap) records"
printf 'FromDump(ten.pcap, STOP true) -> ToDump(stop.pcap);\nFromDump(in.pcap, LOOP true) -> Discard;\n' >stop.nbc
run stop --duration 30
[ "$st" -eq 0 ] && grep -q "STOP true" stop.err && [ "$(records stop.pcap)" -eq 10 ] &&
  ok "STOP true: the run stopped when ten.pcap ended, although a LOOP source runs" ||
  bad "STOP true: exit $st, $(grep -m1 'nbrun:' stop.err)"

finish

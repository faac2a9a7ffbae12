#!/usr/bin/env bash
# SignatureMatcher's state across hot reloads (docs/nf.md, "State on hot reload"): nbrun loops
# over the IDS test trace; nbctl reads ids.matches, then
#   1. reloads with the rules file unchanged: every per-signature counter carries over (never
#      goes down) and keeps counting;
#   2. edits the rules file (one signature removed, one added, one pattern changed under its id)
#      and reloads: the new database is in use (the new signature counts, the removed one is
#      gone) and the kept ids keep their counts;
#   3. a bad rules file: the reload fails with FILE:LINE:COL and the graph runs on.
# Usage: test_ids_reload.sh NBRUN NBCTL SOURCE_DIR [ENGINE]
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
src=$3
engine=${4:-jit}
. "$src/tests/integration/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"

tmp=$(mktemp -d)
nb_pid=""
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  if [ -n "$nb_pid" ]; then
    kill -KILL "$nb_pid" 2>/dev/null
    wait "$nb_pid" 2>/dev/null
    clean_leftovers "$nb_pid"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$tmp" || exit 1
python3 "$src/tests/nf/ids_pcap.py" in.pcap test.rules || exit 1
cat >ids.nbc <<NBC
ids :: SignatureMatcher($tmp/test.rules, PAYLOAD_ONLY false);
FromDump($tmp/in.pcap, LOOP true) -> Strip(14) -> ids;
ids [0] -> Discard;
ids [1] -> Discard;
NBC
sock=$tmp/ctl.sock
ctl() { "$nbctl" --socket "$sock" "$@"; }
"$nbrun" ids.nbc --engine "$engine" --control "$sock" --quiet --stats json --duration 60 >stats.json 2>nbrun.err &
nb_pid=$!
wait_for_control || {
  bad "nbrun did not answer on $sock"
  show nbrun.err
  finish
}
count() { ctl read ids.matches | awk -v id="$1" '$1 == id {print $3}'; }
sleep 0.3
m1=$(count 1001)
ctl reload >reload1.out 2>&1 || { bad "reload with the same rules failed"; show reload1.out; }
m2=$(count 1001)
sleep 0.3
m3=$(count 1001)
[ -n "$m1" ] && [ "$m1" -gt 0 ] && [ "$m2" -ge "$m1" ] && [ "$m3" -gt "$m2" ] &&
  ok "rules unchanged: etc-passwd count carries over and goes on ($m1 -> $m2 -> $m3)" ||
  bad "rules unchanged: etc-passwd count $m1 -> $m2 -> $m3"

# Edit: drop 2002, add 4001 (matches the same packets as 1001), change 1003's pattern.
grep -v '^2002 ' test.rules | sed 's|^1003 union .*|1003 union regex /select/i|' >new.rules
echo '4001 passwd-again literal "passwd"' >>new.rules
s1=$(count 2001)
u1=$(count 1003)
cp new.rules test.rules
ctl reload >reload2.out 2>&1 || { bad "reload with edited rules failed"; show reload2.out; }
m4=$(count 1001)
s2=$(count 2001)
sleep 0.3
got=$(ctl read ids.matches)
n4001=$(echo "$got" | awk '$1 == 4001 {print $3}')
n2002=$(echo "$got" | awk '$1 == 2002' | wc -l)
u2=$(echo "$got" | awk '$1 == 1003 {print $3}')
[ "$m4" -ge "$m3" ] && [ "$s2" -ge "$s1" ] && ok "rules edited: kept ids keep their counts (1001: $m3 -> $m4, 2001: $s1 -> $s2)" ||
  bad "rules edited: 1001 $m3 -> $m4, 2001 $s1 -> $s2"
[ -n "$n4001" ] && [ "$n4001" -gt 0 ] && [ "$n2002" = 0 ] && ok "rules edited: new signature 4001 counts ($n4001), 2002 is gone" ||
  bad "rules edited: 4001 '$n4001', 2002 lines $n2002"
[ -n "$u2" ] && [ "$u2" -ge "$u1" ] && ok "rules edited: 1003 (new pattern, same id) keeps counting ($u1 -> $u2)" ||
  bad "rules edited: 1003 $u1 -> $u2"

# A bad rules file: the reload is refused with the rules file's position; the graph runs on.
printf '1 a literal "x"\n2 b regex /(/\n' >test.rules
if ctl reload >reload3.out 2>&1; then
  bad "reload with a bad rules file succeeded"
else
  grep -q "test.rules:2:11:" reload3.out && ok "bad rules: reload refused: $(grep -m1 'test.rules:2:11:' reload3.out)" ||
    { bad "bad rules: no test.rules:2:11 in the reload error"; show reload3.out; }
fi
m5=$(count 1001)
[ -n "$m5" ] && [ "$m5" -ge "$m4" ] && ok "after the refused reload the graph runs on (1001: $m5)" || bad "after the refused reload: '$m5'"

kill -INT "$nb_pid"
wait "$nb_pid"
st=$?
nb_pid=""
crashed "$st" nbrun.err "nbrun" || { [ "$st" -eq 0 ] && ok "nbrun exited 0"; } || bad "nbrun exited $st"
python3 -c 'import json,sys; e=json.load(open("stats.json"))["elements"]["ids"]; sys.exit(0 if "4001 passwd-again" in e["handlers"]["matches"] else 1)' &&
  ok "final stats list the reloaded signatures" || { bad "final stats"; show stats.json; }
finish

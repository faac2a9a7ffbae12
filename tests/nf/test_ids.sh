#!/usr/bin/env bash
# SignatureMatcher (the signature IDS) over a pcap, in both scan modes and both engines:
#   - literal and regex signatures in TCP and UDP payloads raise alerts (output 1), others are clean;
#   - signatures straddling the TCP and UDP header/payload boundary match only with
#     PAYLOAD_ONLY false; Ethernet padding beyond the IP datagram is never scanned;
#   - zero-length payloads are not scanned (counter "empty") and pass clean;
#   - truncated IPv4/TCP headers are dropped as malformed; a capture cut inside the payload is
#     scanned as far as it goes;
#   - per-signature counters (handlers.matches in --stats json) and element counters;
#   - bad rules files: nbc check fails with FILE:LINE:COL pointing at the bad rule.
# Oracles: tshark reads the output pcaps (IP ids); expectations written by hand in ids_pcap.py.
# Usage: test_ids.sh NBRUN NBC SOURCE_DIR
nbrun=$(readlink -f "$1")
nbc=$(readlink -f "$2")
src=$3
. "$src/tests/integration/lib.sh"
command -v tshark >/dev/null || skip "tshark is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
python3 "$src/tests/nf/ids_pcap.py" in.pcap test.rules expect.txt || exit 1

# Expected per-signature counts (ID NAME PACKETS), by mode.
expected_matches_payload="1001 etc-passwd 3
1002 cmd-exe 2
1003 union 1
2001 tcp-straddle 1
2002 udp-straddle 0
3001 in-padding 0"
expected_matches_whole="1001 etc-passwd 3
1002 cmd-exe 2
1003 union 1
2001 tcp-straddle 2
2002 udp-straddle 1
3001 in-padding 0"

ids_of() { tshark -r "$1" -T fields -e ip.id 2>/dev/null | xargs -r printf '%d\n' | sort -n | tr '\n' ' '; }

for engine in interp jit; do
  for mode in true false; do
    what="$engine PAYLOAD_ONLY $mode"
    d=$tmp/$engine-$mode
    mkdir -p "$d"
    cat >"$d/ids.nbc" <<NBC
ids :: SignatureMatcher($tmp/test.rules, PAYLOAD_ONLY $mode);
FromDump($tmp/in.pcap, STOP true) -> Strip(14) -> ids;
ids [0] -> Unstrip(14) -> ToDump($d/clean.pcap);
ids [1] -> Unstrip(14) -> ToDump($d/alerts.pcap);
NBC
    timeout 60 "$nbrun" "$d/ids.nbc" --engine "$engine" --stats json --quiet >"$d/stats.json" 2>"$d/err"
    st=$?
    crashed "$st" "$d/err" "$what" && continue
    if [ "$st" -ne 0 ]; then
      bad "$what: nbrun exited $st"
      show "$d/err"
      continue
    fi
    col=2
    [ "$mode" = false ] && col=3
    want_alerts=$(awk -v c=$col '$c == 1 && $4 == 0 {print $1}' expect.txt | tr '\n' ' ')
    want_clean=$(awk -v c=$col '$c == 0 && $4 == 0 {print $1}' expect.txt | tr '\n' ' ')
    got_alerts=$(ids_of "$d/alerts.pcap")
    got_clean=$(ids_of "$d/clean.pcap")
    [ "$got_alerts" = "$want_alerts" ] && ok "$what: alerts are packets $got_alerts" ||
      bad "$what: alerts are packets '$got_alerts', expected '$want_alerts'"
    [ "$got_clean" = "$want_clean" ] && ok "$what: clean are packets $got_clean" ||
      bad "$what: clean are packets '$got_clean', expected '$want_clean'"
    # Alerts leave unchanged: the first alert's bytes equal the input packet's.
    first=${want_alerts%% *}
    a=$(tshark -r "$d/alerts.pcap" -Y "ip.id == $first" -T fields -e frame.len -e ip.len 2>/dev/null | head -1)
    i=$(tshark -r in.pcap -Y "ip.id == $first" -T fields -e frame.len -e ip.len 2>/dev/null | head -1)
    [ -n "$a" ] && [ "$a" = "$i" ] && ok "$what: alert packet $first unchanged ($a)" || bad "$what: alert packet $first '$a' vs input '$i'"
    nmal=$(awk '$4 == 1' expect.txt | wc -l)
    nempty=0
    [ "$mode" = true ] && nempty=2
    got=$(python3 - "$d/stats.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["elements"]["ids"]
print(e["alerts"], e["clean"], e["empty"], e["malformed"], e.get("drop_reasons", {}).get("malformed"))
print(e.get("handlers", {}).get("matches", "(none)"))
PY
)
    nalerts=$(echo "$want_alerts" | wc -w)
    nclean=$(echo "$want_clean" | wc -w)
    want="$nalerts $nclean $nempty $nmal $nmal"
    [ "$(echo "$got" | head -1)" = "$want" ] && ok "$what: counters alerts clean empty malformed = $want" ||
      bad "$what: counters '$(echo "$got" | head -1)', expected '$want'"
    want_m=$expected_matches_payload
    [ "$mode" = false ] && want_m=$expected_matches_whole
    [ "$(echo "$got" | tail -n +2)" = "$want_m" ] && ok "$what: per-signature counters" ||
      { bad "$what: per-signature counters differ"; echo "$got" | tail -n +2 | show /dev/stdin; }
  done
done

# Output 1 unconnected: alerts are dropped with reason "alert".
cat >"$tmp/drop.nbc" <<NBC
ids :: SignatureMatcher($tmp/test.rules);
FromDump($tmp/in.pcap, STOP true) -> Strip(14) -> ids -> Unstrip(14) -> ToDump($tmp/drop-clean.pcap);
NBC
if timeout 60 "$nbrun" "$tmp/drop.nbc" --stats json --quiet >"$tmp/drop.json" 2>"$tmp/drop.err"; then
  got=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["elements"]["ids"]; print(e["drop_reasons"]["alert"])' "$tmp/drop.json")
  want=$(awk '$2 == 1 && $4 == 0' expect.txt | wc -l)
  [ "$got" = "$want" ] && ok "unconnected alert output: $got alerts dropped" || bad "unconnected alert output: dropped $got, expected $want"
else
  bad "nbrun with the alert output unconnected failed"
  show "$tmp/drop.err"
fi

# Bad rules files: nbc check reports FILE:LINE:COL of the bad rule.
check_bad() {  # check_bad NAME RULES_TEXT EXPECTED_REGEX
  printf '%b' "$2" >"$tmp/$1.rules"
  printf 'FromDump(in.pcap) -> SignatureMatcher(%s) -> Discard;\n' "$tmp/$1.rules" >"$tmp/$1.nbc"
  "$nbc" check "$tmp/$1.nbc" >"$tmp/$1.out" 2>&1
  st=$?
  if [ "$st" -ne 0 ] && grep -Eq -- "$3" "$tmp/$1.out" && ! grep -q "Segmentation\|terminate called" "$tmp/$1.out"; then
    ok "bad rules ($1): $(grep -E -- "$3" "$tmp/$1.out" | head -1)"
  else
    bad "bad rules ($1): exit $st, expected a message matching '$3'"
    show "$tmp/$1.out"
  fi
}
check_bad regex '# ok\n1 a literal "x"\n2 b regex /ab(c/\n' "$tmp/regex.rules:3:11: .*signature 2: .*"
check_bad kind '1 a literal "x"\n\n3 c glob *foo*\n' "$tmp/kind.rules:3:5: .*unknown signature kind 'glob'"
check_bad dup '7 a literal "x"\n7 b literal "y"\n' "$tmp/dup.rules:2:1: .*id 7 is already used on line 1"
check_bad unclosed '1 a literal "abc\n' "$tmp/unclosed.rules:1:13: .*no closing"
check_bad flag '1 a regex /abc/iq\n' "$tmp/flag.rules:1:17: .*unknown regex flag 'q'"
check_bad escape '1 a literal "a\\qb"\n' "$tmp/escape.rules:1:15: .*unknown escape"
check_bad empty '# nothing\n\n' "no signatures"
check_bad emptymatch '1 a regex /x*/\n' "$tmp/emptymatch.rules:1:11: .*signature 1: .*empty"
echo "FromDump(in.pcap) -> SignatureMatcher($tmp/nonexistent.rules) -> Discard;" >"$tmp/missing.nbc"
"$nbc" check "$tmp/missing.nbc" >"$tmp/missing.out" 2>&1
grep -q "cannot open rules file" "$tmp/missing.out" && ok "missing rules file reported" ||
  { bad "missing rules file not reported"; show "$tmp/missing.out"; }

finish

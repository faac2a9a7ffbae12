#!/usr/bin/env bash
# --engine tiered (nbrun's default): the interpreter forwards from the first packet, the JIT's
# code takes over through the hot-reload switch. Checks, without timing anything:
#   - a finite capture gives byte for byte the output of --engine interp, and the invariant holds;
#   - once the control socket answers, the JIT has taken over (the control thread switches before
#     it serves anything): nbctl stats says engine "jit", generation 1, no reload counted;
#   - counters carried across the switch: a Counter counts every packet of a LOOP run exactly
#     (rx == count), and a hot reload after the switch is generation 2.
# Usage: test_tiered.sh NBRUN NBCTL NB-GEN-TRAFFIC
set -u
nbrun=$(readlink -f "$1") nbctl=$(readlink -f "$2") gen=$(readlink -f "$3")
tmp=$(mktemp -d)
trap 'kill -INT $nb_pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok: $*"; }
cd "$tmp" || exit 1
"$gen" --profile quickstart --count 3000 --seed 3 -o in.pcap >/dev/null || exit 1
graph() {  # graph OUT [LOOP]
  cat <<EOF2
src :: FromDump(in.pcap$2);
out :: ToDump($1);
cl :: Classifier(12/0800, -);
src -> c :: Counter -> cl;
cl [0] -> Strip(14) -> ch :: CheckIPHeader -> ttl :: DecIPTTL -> Unstrip(14) -> out;
cl [1] -> out;
ch [1] -> Discard;
ttl [1] -> Discard;
EOF2
}
graph tiered.pcap "" >t.nbc
graph interp.pcap "" >i.nbc
"$nbrun" t.nbc --stats json --quiet --no-control >t.json 2>t.err || { bad "tiered run failed"; cat t.err; }
"$nbrun" i.nbc --engine interp --stats json --quiet --no-control >i.json 2>i.err || bad "interp run failed"
cmp -s tiered.pcap interp.pcap && ok "tiered output equals the interpreter's" || bad "tiered output differs from the interpreter's"
python3 - t.json <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1])); t = r["totals"]
assert t["rx"] == 3000 and t["rx"] + t["generated"] == t["tx"] + t["dropped"], t
assert r["reload"]["generation"] == 1 and r["reload"]["succeeded"] == 0, r["reload"]
# The start-up phases are measured one after another from the file being read: each is there,
# none negative, and together they are the time to the engine being ready.
s = r["start"]; ph = s["phases_ms"]
assert set(ph) == {"front_end", "eal", "pool", "ports", "engine"}, ph
assert all(v >= 0 for v in ph.values()), ph
assert abs(sum(ph.values()) - s["engine_ready_ms"]) < 0.01, s
print("ok: tiered run: 3000 in, invariant holds, generation 1, start-up phases add up")
PY

# A LOOP run with a control socket: the JIT has taken over once the socket answers.
graph /dev/null ", LOOP true" >l.nbc
sed 's|ToDump(/dev/null)|Discard|' l.nbc >l2.nbc
"$nbrun" l.nbc --control "$tmp/s" --stats json --quiet >l.json 2>l.err &
nb_pid=$!
for _ in $(seq 1 300); do "$nbctl" --socket "$tmp/s" ping >/dev/null 2>&1 && break; sleep 0.1; done
"$nbctl" --socket "$tmp/s" stats >s1.json 2>&1 || bad "nbctl stats failed: $(cat s1.json)"
python3 - s1.json <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
assert r.get("engine") == "jit", f"engine {r.get('engine')} after the control socket answered"
assert r["reload"]["generation"] == 1 and r["reload"]["succeeded"] == 0, r["reload"]
assert r["jit"]["cache"] in ("hit", "miss", "off"), r.get("jit")
print("ok: the JIT runs the graph once the control socket answers; no reload counted")
PY
"$nbctl" --socket "$tmp/s" reload "$tmp/l2.nbc" >r.out 2>&1 || bad "reload after the tier-up failed: $(cat r.out)"
grep -q '"generation":2' r.out && ok "a reload after the switch is generation 2" || bad "reload: $(cat r.out)"
sleep 0.3
kill -INT $nb_pid; wait $nb_pid; st=$?
[ $st -eq 0 ] || { bad "nbrun exited $st"; cat l.err; }
python3 - l.json <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1])); t = r["totals"]
assert t["rx"] + t["generated"] == t["tx"] + t["dropped"], t
c = r["elements"]["c"]["count"]
assert c == t["rx"], f"Counter c counted {c} of {t['rx']} packets across the switch"
assert r["start"]["jit_ready_ms"] >= 0, r["start"]
print(f"ok: LOOP run: {t['rx']} packets, every one counted by c across the switch and the reload")
PY
exit $fail

#!/usr/bin/env bash
# FlowMonitor FILE with several workers: the file lists every worker's flows, ranked together
# (ElementOps::teardown_workers), the same file as with one worker. Before, each worker's
# teardown wrote its own flows over the others'.
# Usage: test_flow_file.sh NBRUN NB-GEN-TRAFFIC
set -u
nbrun=$(readlink -f "$1") gen=$(readlink -f "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
"$gen" --profile flows --count 4000 --flows 300 --seed 9 -o in.pcap >/dev/null || exit 1
fail=0
for w in 1 4; do
  cat >g$w.nbc <<EOF2
FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> mon :: FlowMonitor(FILE flows$w.txt) -> Discard;
EOF2
  "$nbrun" g$w.nbc --workers $w --stats json --quiet --no-control >s$w.json 2>e$w.txt || { echo "FAIL: nbrun --workers $w"; cat e$w.txt; fail=1; }
done
n1=$(wc -l <flows1.txt) n4=$(wc -l <flows4.txt)
if cmp -s flows1.txt flows4.txt && [ "$n1" -gt 100 ]; then
  echo "ok: FILE with 4 workers lists the same $n1 flows, ranked the same, as with 1"
else
  echo "FAIL: FILE with 4 workers has $n4 lines, with 1 worker $n1"; diff flows1.txt flows4.txt | head -5; fail=1
fi
python3 -c "
import json; r = json.load(open('s4.json')); busy = [w['processed'] for w in r['workers'] if w['processed']]
assert len(busy) > 1, busy; print('ok: the flows were spread over', len(busy), 'workers')" || fail=1
exit $fail

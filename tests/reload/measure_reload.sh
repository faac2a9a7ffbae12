#!/usr/bin/env bash
# Measures hot reload (docs/performance.md, "Hot reload"): nbrun runs a 20-element graph on
# full-rate traffic (a looping udp-seq trace in, net_null out) and nbctl reloads it COUNT times,
# alternating between two versions that differ in a Paint value. Each reload's reply carries its
# timings; this prints their median, 90th percentile and maximum:
#   compile_ms   request received -> new graph parsed, checked, lowered and JIT-compiled
#   latency_ms   request received -> every worker core switched to the new graph
#   switch_us    new graph published -> every worker core switched
#   pause_us     the data path's pause at the switch: end of the last burst on the old graph to
#                the end of the first burst on the new one (one burst's work included)
#   max_gap_us   the longest gap between two bursts anywhere from the request to the switch
#                (includes the OS scheduling other work on the worker's core)
# Not a test (timings are never asserted); run it by hand:
#   tests/reload/measure_reload.sh build/bin/nbrun build/bin/nbctl build/bin/nb-gen-traffic [COUNT] [ENGINE]
set -eu
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
count=${4:-50}
engine=${5:-jit}
tmp=$(mktemp -d)
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
"$gen" --profile udp-seq --count 1000 --size 60 -o seq.pcap >/dev/null
graph() {
  cat <<EOF
// 20 elements: a source, 18 kernels, a sink.
src :: FromDump(seq.pcap, LOOP true);
sink :: ToDevice(net_null0);
src -> Strip(14) -> chk :: CheckIPHeader -> ttl :: DecIPTTL -> c1 :: Counter -> p :: Paint($1)
    -> c2 :: Counter -> c3 :: Counter -> c4 :: Counter -> c5 :: Counter -> c6 :: Counter
    -> c7 :: Counter -> c8 :: Counter -> c9 :: Counter -> c10 :: Counter
    -> cls :: Classifier(35/00%07, -);
cls[0] -> Unstrip(14) -> c11 :: Counter -> sink;
cls[1] -> Discard;
EOF
}
graph 1 >a.nbc
graph 2 >b.nbc
"$nbrun" a.nbc --engine "$engine" --control "$tmp/ctl.sock" --quiet --stats json >stats.json 2>nbrun.err &
pid=$!
for _ in $(seq 100); do "$nbctl" --socket "$tmp/ctl.sock" ping >/dev/null 2>&1 && break; sleep 0.1; done
sleep 1
for i in $(seq "$count"); do
  if [ $((i % 2)) -eq 1 ]; then f=b.nbc; else f=a.nbc; fi
  "$nbctl" --socket "$tmp/ctl.sock" reload "$f" >>replies.jsonl
done
rate=$("$nbctl" --socket "$tmp/ctl.sock" read c1.rate)
kill -INT "$pid"
wait "$pid" || true
pid=
python3 - replies.jsonl "$rate" "$engine" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"{len(rows)} reloads of a {rows[0]['elements']['total']}-element graph ({sys.argv[3]}), "
      f"{rows[0]['workers']} worker core, traffic {float(sys.argv[2]) / 1e6:.2f} Mpps at the end")
print(f"{'':12} {'median':>10} {'p90':>10} {'max':>10}")
for key in ("compile_ms", "jit_ms", "latency_ms", "switch_us", "pause_us", "max_gap_us"):
    v = sorted(r[key] for r in rows)
    print(f"{key:12} {v[len(v) // 2]:10.1f} {v[int(len(v) * 0.9)]:10.1f} {v[-1]:10.1f}")
EOF

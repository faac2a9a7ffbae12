#!/bin/bash
# CI smoke run of nb_fuzz_packets: a bounded run over a seed corpus of real frames.
#   fuzz_packets_smoke.sh FUZZER GEN_TRAFFIC SOURCE_DIR CORPUS_DIR SECONDS
set -euo pipefail
fuzzer=$1 gen=$2 src=$3 corpus=$4 seconds=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gen" --profile quickstart -o "$work/quickstart.pcap" >/dev/null
"$gen" --profile random --count 400 --seed 7 -o "$work/random.pcap" >/dev/null
"$gen" --profile flows --count 200 --flows 20 -o "$work/flows.pcap" >/dev/null
# Byte 0 of an input picks the graph modulo their number (64 today): seeds for 0..95 give every
# graph seeds without starting the fuzzer twice to ask how many there are.
graphs=96
rm -rf "$corpus"
python3 "$src/tests/fuzz/packet_seeds.py" "$corpus" "$graphs" "$src"/configs/traffic/*.pcap "$work"/*.pcap
[ -d "$src/tests/fuzz/packet_regressions" ] && cp "$src"/tests/fuzz/packet_regressions/* "$corpus/" 2>/dev/null || true
# -rss_limit_mb: ASan's shadow of DPDK's 1 GB of --no-huge memory counts against it.
exec "$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=8192 -max_len=4096 "$corpus"

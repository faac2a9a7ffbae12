#!/usr/bin/env bash
# configs/maglev.nbc over a trace of 200 TCP and UDP flows, with both engines, checked with tshark:
#   - every IPv4 packet comes out (no loss), its destination rewritten to one of the 3 backends;
#   - its IP header checksum and TCP/UDP checksum are correct (tshark validates them);
#   - everything else about a packet is unchanged (source, ports, IP id are kept: matched by id);
#   - all packets of a flow (source, ports, protocol) go to one backend;
#   - the flows spread over all three backends, none with more than half of them;
#   - the interpreter and the JIT send each packet to the same backend.
# Usage: test_maglev.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
gen=$(readlink -f "$2")
src=$(readlink -f "$3")
. "$src/tests/integration/lib.sh"
command -v tshark >/dev/null || skip "tshark is not installed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

"$gen" --profile flows --count 2000 --flows 200 --seed 9 -o in.pcap >/dev/null || { bad "nb-gen-traffic"; finish; }
fields="-e ip.id -e ip.src -e ip.dst -e ip.proto -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport"
tshark -r in.pcap -T fields $fields 2>/dev/null | awk '{ $1 = $1; print }' | sort -k1,1 >in.txt
n_in=$(wc -l <in.txt)
[ "$n_in" = 2000 ] && ok "input: 2000 IPv4 packets" || bad "input has $n_in packets"

for engine in interp jit; do
  # (defines are not settable from the command line: run a copy pointed at our files)
  sed -e "s|configs/traffic/quickstart.pcap|$tmp/in.pcap|" -e "s|balanced.pcap|$tmp/out_$engine.pcap|" \
    "$src/configs/maglev.nbc" >maglev_$engine.nbc
  timeout 60 "$nbrun" maglev_$engine.nbc --engine "$engine" --quiet --no-control --stats json \
    >stats_$engine.json 2>err_$engine.txt
  st=$?
  crashed $st err_$engine.txt "nbrun --engine $engine" && continue
  [ $st = 0 ] || { bad "$engine: nbrun exited $st"; show err_$engine.txt; continue; }
  tshark -r out_$engine.pcap -T fields $fields 2>/dev/null | awk '{ $1 = $1; print }' | sort -k1,1 >out_$engine.txt
  n_out=$(wc -l <out_$engine.txt)
  [ "$n_out" = 2000 ] && ok "$engine: 2000 packets out" || bad "$engine: $n_out packets out"
  badsum=$(tshark -r out_$engine.pcap -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
    -Y 'ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad"' 2>/dev/null | wc -l)
  goodsum=$(tshark -r out_$engine.pcap -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
    -Y 'ip.checksum.status == "Good" && (tcp.checksum.status == "Good" || udp.checksum.status == "Good")' 2>/dev/null | wc -l)
  [ "$badsum" = 0 ] && [ "$goodsum" = 2000 ] && ok "$engine: IP and TCP/UDP checksums all good (tshark)" ||
    bad "$engine: $badsum bad checksums, $goodsum packets with both checksums good"
  # Join input and output by IP id: only the destination may differ, and it is a backend.
  res=$(join -j1 in.txt out_$engine.txt | awk '
    # id src dst proto sport dport | src dst proto sport dport (empty tshark fields collapse)
    { if ($2 != $7 || $4 != $9 || $5 != $10 || $6 != $11) same++
      if ($8 != "10.2.0.1" && $8 != "10.2.0.2" && $8 != "10.2.0.3") nonbackend++
      flow = $2 " " $4 " " $5 " " $6
      if (flow in backend && backend[flow] != $8) split_flows++
      backend[flow] = $8 }
    END { for (f in backend) { n[backend[f]]++; flows++ }
          max = 0; for (b in n) if (n[b] > max) max = n[b]
          printf "%d %d %d %d %d %d\n", same + 0, nonbackend + 0, split_flows + 0, flows, length(n), max }')
  read -r changed nonbackend split flows nb max <<<"$res"
  [ "$changed" = 0 ] && ok "$engine: only the destination address changed" || bad "$engine: $changed packets changed elsewhere"
  [ "$nonbackend" = 0 ] && ok "$engine: every destination is a backend" || bad "$engine: $nonbackend packets to a non-backend"
  [ "$split" = 0 ] && ok "$engine: each of the $flows flows went to one backend" || bad "$engine: $split packets left their flow's backend"
  [ "$nb" = 3 ] && [ "$max" -le $((flows / 2)) ] && ok "$engine: flows spread over 3 backends (largest share $max of $flows)" ||
    bad "$engine: flows over $nb backends, largest share $max of $flows"
done
if [ -s out_interp.txt ] && cmp -s out_interp.txt out_jit.txt; then ok "interp and jit agree packet by packet"
else bad "interp and jit differ"; fi
finish

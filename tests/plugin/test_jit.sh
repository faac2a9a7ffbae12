#!/usr/bin/env bash
# A plugin element runs like a built-in: the JIT links its bitcode and inlines its kernel (no call
# into the plugin is left in the optimised IR), and the JIT and the interpreter give the same
# output packets and counters. tshark is the oracle for what the element must do (no TTL above
# MAX, valid IPv4 checksums).
# usage: test_jit.sh NBC NBRUN NB-GEN-TRAFFIC PLUGIN_DIR SOURCE_DIR
set -u
nbc=$1
nbrun=$2
gen=$3
plugins=$4
src=$5
. "$src/tests/integration/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

cat >clamp.nbc <<CFG
require(plugin "$plugins/libttlclamp.so");
FromDump(in.pcap) -> c :: IPTTLClamp(32) -> ToDump(out.pcap);
CFG
# IR: the kernel is inlined, nothing of the plugin is called.
ir=$("$nbc" ir clamp.nbc 2>err.txt) || { bad "nbc ir failed"; show err.txt; finish; }
if grep -qE 'call .*(nb_kernel_IPTTLClamp|IPTTLClamp)' <<<"$ir"; then
  bad "the fused loop still calls into the plugin"
  grep -E 'call .*IPTTLClamp' <<<"$ir" | head -3
elif ! grep -q '^define .*@nb_graph_entry' <<<"$ir"; then
  bad "no entry function in the IR"
else
  calls=$(grep -E '^\s+(%[0-9A-Za-z._]+ = )?(tail |musttail |notail )?call' <<<"$ir" | grep -vE '@(nb_host_[a-z_]+|llvm\.[a-z0-9.]+)\(' || true)
  if [ -n "$calls" ]; then bad "calls left in the fused loop"; head -3 <<<"$calls"; else ok "IPTTLClamp inlined: no call into the plugin"; fi
fi
if "$nbc" ir --stats clamp.nbc | grep -qE '^c +IPTTLClamp +inlined$'; then ok "nbc ir --stats: inlined"; else bad "nbc ir --stats does not say inlined"; fi

# The same output in both engines, over several traffic mixes.
for t in "quickstart 300 1" "random 2000 7" "udp-seq 300 3"; do
  set -- $t
  "$gen" --profile "$1" --count "$2" --seed "$3" -o in.pcap >/dev/null 2>&1 || { bad "nb-gen-traffic $t"; continue; }
  for e in jit interp; do
    rm -f out.pcap
    timeout 60 "$nbrun" --engine $e --stats json -q clamp.nbc >stats.$e.json 2>err.$e.txt
    st=$?
    crashed $st err.$e.txt "nbrun --engine $e ($1)" && continue
    [ $st -eq 0 ] || { bad "nbrun --engine $e ($1) exited $st"; show err.$e.txt; continue; }
    mv out.pcap out.$e.pcap
  done
  [ -f out.jit.pcap ] && [ -f out.interp.pcap ] || continue
  # Packets without their timestamps (net_pcap stamps transmit time).
  if python3 - out.jit.pcap out.interp.pcap <<'PY'
import struct, sys
def pk(f):
    d = open(f, "rb").read(); out = []; off = 24
    end = "<" if struct.unpack_from("<I", d)[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    while off + 16 <= len(d):
        _, _, cap, ln = struct.unpack_from(end + "IIII", d, off); out.append((ln, d[off+16:off+16+cap])); off += 16 + cap
    return out
a, b = pk(sys.argv[1]), pk(sys.argv[2])
sys.exit(0 if a == b and len(a) > 0 else 1)
PY
  then ok "$1: jit and interp wrote the same packets"; else bad "$1: jit and interp outputs differ"; fi
  cj=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["elements"]["c"])' stats.jit.json 2>/dev/null)
  ci=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["elements"]["c"])' stats.interp.json 2>/dev/null)
  if [ -n "$cj" ] && [ "$cj" = "$ci" ]; then ok "$1: same counters ($cj)"; else bad "$1: counters differ: jit $cj, interp $ci"; fi
  if [ "$1" = quickstart ] && command -v tshark >/dev/null; then
    high=$(tshark -r out.jit.pcap -Y 'ip.ttl > 32' 2>/dev/null | wc -l)
    before=$(tshark -r in.pcap -Y 'ip.ttl > 32' 2>/dev/null | wc -l)
    # The trace carries some deliberately bad checksums: an incremental update keeps them bad and
    # every good one good.
    badsum=$(tshark -r out.jit.pcap -o ip.check_checksum:TRUE -Y 'ip.checksum.status == "Bad"' 2>/dev/null | wc -l)
    badsum_in=$(tshark -r in.pcap -o ip.check_checksum:TRUE -Y 'ip.checksum.status == "Bad"' 2>/dev/null | wc -l)
    if [ "$before" -gt 0 ] && [ "$high" -eq 0 ] && [ "$badsum" -eq "$badsum_in" ]; then
      ok "tshark: $before packets had TTL > 32 before, none after; checksums as good as before ($badsum_in bad in both)"
    else
      bad "tshark: TTL > 32 before $before, after $high; bad checksums $badsum_in before, $badsum after"
    fi
    clamped=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["elements"]["c"]["clamped"])' stats.jit.json)
    # tshark does not dissect some malformed headers the element still clamps.
    [ "$clamped" -ge "$before" ] || bad "counter clamped ($clamped) is below tshark's count ($before)"
  fi
  rm -f out.jit.pcap out.interp.pcap
done

# nbrun --plugin instead of require: the same element.
sed '1d' clamp.nbc >noreq.nbc
"$gen" --profile quickstart --count 300 --seed 1 -o in.pcap >/dev/null 2>&1
if timeout 60 "$nbrun" --plugin "$plugins/libttlclamp.so" --stats none -q noreq.nbc 2>err.txt && [ -s out.pcap ]; then
  ok "nbrun --plugin"
else
  bad "nbrun --plugin"
  show err.txt
fi
finish

#!/usr/bin/env bash
# CheckIPHeader's VERBOSE (issue 15, item 12): with VERBOSE true, nbrun prints
# "ELEMENT: IP header check failed: REASON" on stderr for every bad packet, with both engines;
# with VERBOSE false it prints nothing. A flood is rate-limited, and what is held back is
# counted: lines printed + the "N more element messages not printed" total = the bad counter.
#   1. a crafted capture (built here, byte by byte): 2 good packets and 5 bad ones of known
#      reasons in a known order -> exactly those 5 lines, in order, under both engines;
#   2. the same with VERBOSE false -> no line;
#   3. nb-gen-traffic's `random` profile (about 1500 malformed frames) -> printed + held = bad.
# Usage: test_check_ip_header_verbose.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
gen=$(readlink -f "$2")
src=$(readlink -f "$3")
. "$src/tests/integration/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

python3 - <<'EOF'
import struct

def csum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def ip(total=40, ver_ihl=0x45, good_sum=True, payload=20):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", ver_ihl, 0, total, 1, 0, 64, 17, 0,
                              bytes([10, 0, 0, 1]), bytes([10, 1, 0, 1])))
    c = csum(bytes(h))
    if not good_sum:
        c ^= 1
    h[10:12] = struct.pack("!H", c)
    return bytes(h) + bytes(payload)

eth = bytes.fromhex("020000000002" "020000000001" "0800")
frames = [
    eth + ip(),                           # good
    eth + ip(good_sum=False),             # bad checksum
    eth + ip(ver_ihl=0x65),               # bad version
    eth + ip()[:12],                      # too short
    eth + ip(ver_ihl=0x44),               # bad header length
    eth + ip(total=200),                  # bad total length
    eth + ip(),                           # good
]
with open("small.pcap", "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)
EOF
printf 'chk: IP header check failed: %s\n' "bad checksum" "bad version" "too short" "bad header length" \
  "bad total length" >expected.txt

for engine in interp jit; do
  for verbose in true false; do
    echo "FromDump(small.pcap, STOP true) -> chk :: CheckIPHeader(14, VERBOSE $verbose) -> Discard;" >small.nbc
    if ! timeout 60 "$nbrun" small.nbc --engine "$engine" --no-control --quiet --stats json >small.json 2>small.err; then
      bad "$engine, VERBOSE $verbose: nbrun failed"
      show small.err
      continue
    fi
    grep -v '^EAL\|^TELEMETRY' small.err >lines.txt
    if [ "$verbose" = true ]; then
      if cmp -s lines.txt expected.txt; then ok "$engine, VERBOSE true: one line per bad packet, with its reason"; else
        bad "$engine, VERBOSE true: stderr is not the 5 expected lines"
        diff expected.txt lines.txt | head -20
      fi
    else
      if [ ! -s lines.txt ]; then ok "$engine, VERBOSE false: nothing printed"; else
        bad "$engine, VERBOSE false printed something"
        show lines.txt
      fi
    fi
  done
done

"$gen" --profile random --seed 7 -o flood.pcap >/dev/null || { bad "nb-gen-traffic"; finish; }
for engine in interp jit; do
  echo "FromDump(flood.pcap, STOP true) -> chk :: CheckIPHeader(14, VERBOSE true) -> Discard;" >flood.nbc
  if ! timeout 120 "$nbrun" flood.nbc --engine "$engine" --no-control --quiet --stats json >flood.json 2>flood.err; then
    bad "$engine flood: nbrun failed"
    show flood.err
    continue
  fi
  bad_count=$(python3 -c 'import json,sys; print(json.load(open("flood.json"))["elements"]["chk"]["bad"])')
  printed=$(grep -c '^chk: IP header check failed: ' flood.err)
  held=$(sed -n 's/^nbrun: \([0-9]*\) more element messages\? not printed.*/\1/p' flood.err | awk '{s += $1} END {print s + 0}')
  if [ "$bad_count" -gt 100 ] && [ "$printed" -ge 1 ] && [ $((printed + held)) -eq "$bad_count" ]; then
    ok "$engine flood: $printed lines printed + $held held back = $bad_count bad packets"
  else
    bad "$engine flood: printed $printed + held $held != bad $bad_count"
    head -20 flood.err
  fi
done
finish

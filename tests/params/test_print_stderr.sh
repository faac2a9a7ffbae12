#!/usr/bin/env bash
# Print and IPPrint (issue 18): nbrun writes Click's line for every packet on stderr, unthrottled,
# with both engines.
#   1. a crafted capture (built here, byte by byte): a UDP datagram, a TCP SYN and an ICMP echo
#      -> Print's three lines and IPPrint's three (the first with its contents line), in order;
#   2. 300 packets through Print -> 300 lines (element messages are held back at 10 a second;
#      these are not).
# Usage: test_print_stderr.sh NBRUN SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
src=$(readlink -f "$2")
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

def ip(proto, transport, ident):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(transport), ident, 0, 64, proto, 0,
                              bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])))
    h[10:12] = struct.pack("!H", csum(bytes(h)))
    return bytes(h) + transport

eth = bytes.fromhex("020000000002" "020000000001" "0800")
udp = struct.pack("!HHHH", 1234, 53, 12, 0) + b"abcd"
syn = struct.pack("!HHIIBBHHH", 40000, 80, 1000, 0, 0x50, 0x02, 8192, 0, 0)
echo = struct.pack("!BBHHH", 8, 0, 0, 1, 7) + b"ping"
frames = [eth + ip(17, udp, 1), eth + ip(6, syn, 2), eth + ip(1, echo, 3)]

def write(name, frames):
    with open(name, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)

write("small.pcap", frames)
write("many.pcap", [eth + ip(17, udp, i) for i in range(300)])
EOF

cat >expected_print.txt <<'EOF'
in:   46 | 02000000 00020200 00000001 08004500
in:   54 | 02000000 00020200 00000001 08004500
in:   46 | 02000000 00020200 00000001 08004500
EOF
cat >expected_ipprint.txt <<'EOF'
ip: 10.0.0.1.1234 > 10.0.0.2.53: udp 12
  02000000 00020200
ip: 10.0.0.1.40000 > 10.0.0.2.80: S 1000:1001(1,54,40) win 8192
  02000000 00020200
ip: 10.0.0.1 > 10.0.0.2: icmp echo (1, 7)
  02000000 00020200
EOF

for engine in interp jit; do
  echo "FromDump(small.pcap, STOP true) -> Print(in, 16) -> CheckIPHeader(14) -> IPPrint(ip, CONTENTS HEX, MAXLENGTH 8) -> Discard;" >small.nbc
  if ! timeout 60 "$nbrun" small.nbc --engine "$engine" --no-control --quiet >small.out 2>small.err; then
    bad "$engine: nbrun failed"
    show small.err
    continue
  fi
  # Each element's lines in order (an IPPrint line and its contents lines come in one write).
  grep '^in: ' small.err >print.txt
  awk '/^ip: /{keep=1} /^[^ ]/ && !/^ip: /{keep=0} keep' small.err >ipprint.txt
  if cmp -s print.txt expected_print.txt; then ok "$engine: Print's line for each packet"; else
    bad "$engine: Print's lines differ"
    diff expected_print.txt print.txt | head -20
  fi
  if cmp -s ipprint.txt expected_ipprint.txt; then ok "$engine: IPPrint's lines for UDP, TCP and ICMP"; else
    bad "$engine: IPPrint's lines differ"
    diff expected_ipprint.txt ipprint.txt | head -20
  fi

  echo "FromDump(many.pcap, STOP true) -> Print(m, 4) -> Discard;" >many.nbc
  if ! timeout 60 "$nbrun" many.nbc --engine "$engine" --no-control --quiet >many.out 2>many.err; then
    bad "$engine: nbrun failed on 300 packets"
    show many.err
    continue
  fi
  n=$(grep -c '^m:   46 | 02000000$' many.err)
  if [ "$n" -eq 300 ] && ! grep -q 'not printed' many.err; then ok "$engine: 300 packets, 300 lines, none held back"; else
    bad "$engine: $n lines of 300"
    show many.err
  fi
done
finish

#!/usr/bin/env bash
# ICMPError's output bytes, checked by tshark: DecIPTTL's expired packets (the quickstart trace
# has TTLs 0..255, malformed headers, ICMP, fragments) become time-exceeded messages from
# 10.1.0.1 to their sender, with correct IP and ICMP checksums, TTL 255, and the offending
# datagram quoted as Click does: as much as fits in a 576-byte message (RFC 1812 4.3.2.3). One error per expired packet that may get one (RFC 1812).
# Usage: test_icmp_error.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR [ENGINE]
nbrun=$(readlink -f "$1")
gen=$(readlink -f "$2")
src=$3
engine=${4:-jit}
. "$src/tests/integration/lib.sh"
command -v tshark >/dev/null || skip "tshark is not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$gen" --profile quickstart --count 600 --seed 5 -o "$tmp/in.pcap" >/dev/null || { bad "nb-gen-traffic failed"; finish; }
cat >"$tmp/e.nbc" <<EOF
FromDump($tmp/in.pcap, STOP true) -> Strip(14) -> CheckIPHeader -> ttl :: DecIPTTL -> Discard;
ttl [1] -> err :: ICMPError(10.1.0.1, timeexceeded, transit)
        -> EtherEncap(0x0800, 02:00:0a:01:00:01, 02:00:00:00:00:02) -> ToDump($tmp/err.pcap);
EOF
"$nbrun" "$tmp/e.nbc" --engine "$engine" --stats json --quiet >"$tmp/stats.json" 2>"$tmp/err.txt"
st=$?
crashed "$st" "$tmp/err.txt" nbrun || [ "$st" -eq 0 ] || { bad "nbrun exited $st"; show "$tmp/err.txt"; }
ts() { tshark -o ip.check_checksum:TRUE "$@" 2>/dev/null; }

# The oracle's count: valid IPv4 (tshark sees no problem), TTL 0 or 1, and allowed an error.
want=$(ts -r "$tmp/in.pcap" -Y 'eth.type == 0x0800 and ip.version == 4 and ip.ttl <= 1 and !_ws.malformed
  and !(icmp.type in {3,4,5,11,12}) and ip.frag_offset == 0 and ip.src != 0.0.0.0 and !(ip.dst == 255.255.255.255) and !(ip.dst >= 224.0.0.0)' | wc -l)
got=$(ts -r "$tmp/err.pcap" | wc -l)
if [ "$want" -gt 0 ] && [ "$got" -eq "$want" ]; then ok "$got time-exceeded messages for $want expired packets"
else bad "$got ICMP errors for $want expired packets (tshark's count)"; fi

# Every message, field by field (outer values first, then the quoted header's).
ts -r "$tmp/err.pcap" -T fields -E occurrence=a -E separator=';' -e frame.len -e ip.src -e ip.dst -e ip.ttl -e ip.proto \
  -e ip.checksum.status -e icmp.type -e icmp.code -e icmp.checksum.status -e ip.hdr_len -e ip.len >"$tmp/fields.txt"
bad_lines=$(awk -F';' '
  {
    split($2, s, ","); split($3, d, ","); split($4, t, ","); split($5, p, ","); split($6, c, ",")
    split($7, ty, ","); split($8, co, ","); split($9, ic, ","); split($10, hl, ","); split($11, l, ",")
    quote = l[2]; if (quote > 548) quote = 548  # CheckIPHeader trimmed any padding
    ok = s[1] == "10.1.0.1" && d[1] == s[2] && t[1] == 255 && p[1] == 1 && c[1] == 1 && c[2] == 1 &&
         ty[1] == 11 && co[1] == 0 && ic[1] == 1 && hl[1] == 20 && l[1] == 28 + quote && $1 == 14 + l[1] &&
         t[2] <= 1
    if (!ok) { print; n++ }
  }
  END { exit n > 0 }' "$tmp/fields.txt")
if [ $? -eq 0 ] && [ -s "$tmp/fields.txt" ]; then ok "every message: from 10.1.0.1 to the sender, TTL 255, type 11/0, both checksums good, the datagram quoted up to 576 bytes"
else bad "malformed ICMP errors:"; echo "$bad_lines" | head -5; fi
finish

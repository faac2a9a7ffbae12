#!/usr/bin/env bash
# configs/quickstart.nbc end to end: nbrun reads the shipped trace, and tshark/tcpdump (never nb's
# own code) check what came out:
#   - every valid IPv4 packet whose TTL was > 1 is forwarded, in order, with TTL - 1, a header
#     checksum tshark accepts (and not 0xFFFF, the non-canonical zero an RFC 1141 update gives),
#     its Ethernet padding trimmed, and every other byte unchanged;
#   - no expired (TTL <= 1) and no malformed IPv4 packet comes out;
#   - ARP and IPv6 frames come out byte for byte unchanged, in order;
#   - the --stats json counts match the packets tshark counts, and every packet received was
#     sent or dropped: totals.rx == totals.tx + element drops + port drops.
# It runs the reference interpreter (--engine interp) and the default engine, which must agree.
# Usage: test_quickstart.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
gen=$(readlink -f "$2")
src=$(readlink -f "$3")
. "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || skip "tshark is not installed"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The shipped trace is exactly what tools/gen-traffic/README.md says made it.
"$gen" --profile quickstart --count 300 --seed 1 -o "$tmp/regenerated.pcap" || bad "nb-gen-traffic failed"
if cmp -s "$tmp/regenerated.pcap" "$src/configs/traffic/quickstart.pcap"; then
  ok "configs/traffic/quickstart.pcap is what nb-gen-traffic --profile quickstart --count 300 --seed 1 makes"
else
  bad "configs/traffic/quickstart.pcap differs from a fresh nb-gen-traffic --profile quickstart --count 300 --seed 1"
fi

# One line per packet: tshark's fields (tab-separated), then tcpdump's hex of the whole frame.
#   1 frame.number 2 frame.len 3 eth.type 4 ip.version 5 ip.hdr_len 6 ip.len 7 ip.id 8 ip.ttl
#   9 ip.checksum 10 ip.checksum.status (1 good) 11 hex
table() {  # table PCAP OUT
  tshark -r "$1" -o ip.check_checksum:TRUE -T fields -E separator=/t -E occurrence=f \
    -e frame.number -e frame.len -e eth.type -e ip.version -e ip.hdr_len -e ip.len -e ip.id -e ip.ttl \
    -e ip.checksum -e ip.checksum.status >"$2.tsv" 2>/dev/null
  hex_packets "$1" >"$2.hex"
  if [ "$(wc -l <"$2.tsv")" -ne "$(wc -l <"$2.hex")" ]; then
    bad "tshark and tcpdump disagree on the number of packets in $(basename "$1")"
  fi
  paste "$2.tsv" "$2.hex" >"$2"
}
# awk helpers over a packet's hex: byte values, the IPv4 header checksum computed afresh (RFC 1071)
# and the hex of the first N bytes with the IPv4 TTL (byte 22) and header checksum (24-25) masked.
hex_awk='
  function h2d(s,   i, n) { n = 0; for (i = 1; i <= length(s); ++i) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return n }
  function byte(h, k) { return h2d(substr(h, 2 * k + 1, 2)) }
  function word(h, k) { return h2d(substr(h, 2 * k + 1, 4)) }
  function ipsum(h, hl,   k, sum) {  # the checksum the header at byte 14 should carry
    sum = 0
    for (k = 14; k < 14 + hl; k += 2) if (k != 24) sum += word(h, k)
    while (sum > 65535) sum = int(sum / 65536) + sum % 65536
    return sprintf("0x%04x", 65535 - sum)
  }
  function mask(h, n) { h = substr(h, 1, 2 * n); return substr(h, 1, 44) "xx" substr(h, 47, 2) "xxxx" substr(h, 53) }
'

in=$src/configs/traffic/quickstart.pcap
table "$in" "$tmp/in.tab"
n_in=$(wc -l <"$tmp/in.tab")
[ "$n_in" -gt 0 ] || { bad "tshark read no packets from $in"; finish; }

# Classify the input the way CheckIPHeader's documentation says, from the bytes tcpdump shows:
# valid IPv4 = Ethernet type 0800, version 4, header length >= 20, header length <= total
# length <= what the frame holds after the Ethernet header, header checksum right (the ones'
# complement sum of the header is 0xffff, so 0x0000 and 0xffff both pass). Then:
#   expected.txt: the expected output, in order: "F id ttl-1 masked-hex" for forwarded IPv4
#                 (hex cut to 14 + total length: padding trimmed), "O hex" for the rest;
#   in.class:     ip.id -> why it must not come out (expired / malformed).
awk -F'\t' -v counts="$tmp/counts" -v class="$tmp/in.class" "$hex_awk"'
  {
    hex = $11; len = length(hex) / 2
    if (len < 14 || substr(hex, 25, 4) != "0800") { print "O " hex; ++other; next }
    ver = -1; hl = 0; tl = 0; id = ""
    if (len >= 15) { ver = int(byte(hex, 14) / 16); hl = byte(hex, 14) % 16 * 4 }
    if (len >= 18) tl = word(hex, 16)
    if (len >= 20) id = "0x" substr(hex, 37, 4)
    good = ver == 4 && hl >= 20 && hl <= len - 14 && tl >= hl && tl <= len - 14
    if (good) good = ipsum(hex, hl) == "0x" substr(hex, 49, 4) || (ipsum(hex, hl) == "0x0000" && substr(hex, 49, 4) == "ffff")
    if (good) {
      ttl = byte(hex, 22)
      if (ttl <= 1) { ++expired; print id, "expired (TTL " ttl ")" > class; next }
      print "F " id " " (ttl - 1) " " mask(hex, 14 + tl); ++fwd; next
    }
    ++malformed
    if (id != "") print id, "malformed" > class
  }
  END { print fwd + 0, expired + 0, malformed + 0, other + 0 > counts }' "$tmp/in.tab" >"$tmp/expected.txt"
read -r n_fwd n_expired n_malformed n_other <"$tmp/counts"
echo "input: $n_in packets: $n_fwd IPv4 to forward, $n_expired expired, $n_malformed malformed IPv4, $n_other other"
if [ "$n_fwd" -gt 100 ] && [ "$n_expired" -gt 5 ] && [ "$n_malformed" -ge 7 ] && [ "$n_other" -gt 10 ]; then
  ok "the input has every kind of packet"
else
  bad "the input trace lacks variety"
fi
n_arp6=$(tshark -r "$in" -Y 'eth.type == 0x0806 || eth.type == 0x86dd' 2>/dev/null | wc -l)

# check_output LABEL STATS_JSON OUT_PCAP
check_output() {
  local label=$1 stats=$2 out=$3
  table "$out" "$tmp/out.tab"
  local n_out
  n_out=$(wc -l <"$tmp/out.tab")

  # The output, packet by packet.
  awk -F'\t' -v class="$tmp/in.class" -v expected="$tmp/expected.txt" "$hex_awk"'
    BEGIN {
      while ((getline l < class) > 0) { split(l, a, " "); why[a[1]] = substr(l, length(a[1]) + 2) }
      while ((getline l < expected) > 0) { split(l, a, " "); if (a[1] == "F") fwd[a[2]] = 1 }
    }
    {
      hex = $11; len = length(hex) / 2
      if (len < 14 || substr(hex, 25, 4) != "0800") { print "O " hex; next }
      id = "0x" substr(hex, 37, 4); hl = byte(hex, 14) % 16 * 4; tl = word(hex, 16); sum = "0x" substr(hex, 49, 4)
      where = "packet " NR " (ip.id " id ")"
      if ((id in why) && !(id in fwd)) print where ": " why[id] " IPv4 packet forwarded" > "/dev/stderr"
      if ($4 != "4" || $10 != "1") print where ": tshark: bad IPv4 header or header checksum (ip.checksum.status " $10 ")" > "/dev/stderr"
      else if ($8 != byte(hex, 22)) print where ": tshark says TTL " $8 ", the bytes " byte(hex, 22) > "/dev/stderr"
      if (hl >= 20 && hl <= len - 14 && sum != ipsum(hex, hl)) print where ": header checksum " sum ", want " ipsum(hex, hl) (sum == "0xffff" ? " (0xffff is the non-canonical zero an RFC 1141 update gives; RFC 1624 section 3)" : "") > "/dev/stderr"
      if (len != 14 + tl) print where ": frame of " len " bytes, IP total length " tl ": Ethernet padding not trimmed" > "/dev/stderr"
      print "F " id " " byte(hex, 22) " " mask(hex, len)
    }' "$tmp/out.tab" >"$tmp/actual.txt" 2>"$tmp/errors.txt"
  if [ -s "$tmp/errors.txt" ]; then
    bad "$label: $(wc -l <"$tmp/errors.txt") problems in forwarded IPv4 packets:"
    show "$tmp/errors.txt" 20
  else
    ok "$label: forwarded IPv4: header checksums valid (tshark) and equal to a fresh computation, padding trimmed, none expired or malformed"
  fi

  # Same packets, same order, TTL one lower, every other byte the same.
  if diff "$tmp/expected.txt" "$tmp/actual.txt" >"$tmp/diff.txt"; then
    ok "$label: output = non-IPv4 unchanged + valid IPv4 with TTL > 1 with TTL - 1, in order ($n_out packets)"
  else
    bad "$label: output differs from the expected packets (< expected, > actual; F ip.id ttl hex / O hex):"
    cut -c1-150 "$tmp/diff.txt" | show /dev/stdin 16
    # Name the usual failures plainly.
    awk '$1 == "F" { print $2, $3 }' "$tmp/expected.txt" | sort >"$tmp/exp.ttl"
    awk '$1 == "F" { print $2, $3 }' "$tmp/actual.txt" | sort >"$tmp/act.ttl"
    join "$tmp/exp.ttl" "$tmp/act.ttl" | awk '$2 != $3 { n++ } END { if (n) print "  TTL wrong in " n " forwarded packets (want input TTL - 1)" }'
    comm -23 <(cut -d' ' -f1 "$tmp/exp.ttl") <(cut -d' ' -f1 "$tmp/act.ttl") | wc -l |
      awk '$1 { print "  " $1 " IPv4 packets that should have been forwarded are missing" }'
  fi
  local arp6_out
  arp6_out=$(tshark -r "$out" -Y 'eth.type == 0x0806 || eth.type == 0x86dd' 2>/dev/null | wc -l)
  if [ "$n_arp6" -gt 0 ] && [ "$n_arp6" -eq "$arp6_out" ] &&
    diff -q <(grep '^O' "$tmp/expected.txt") <(grep '^O' "$tmp/actual.txt") >/dev/null; then
    ok "$label: $n_arp6 ARP and IPv6 frames passed unchanged, in order"
  else
    bad "$label: ARP/IPv6: $n_arp6 in, $arp6_out out, or their bytes or order changed"
  fi

  # The statistics against tshark's counts.
  if command -v jq >/dev/null && ! jq -e . "$stats" >/dev/null 2>&1; then
    bad "$label: --stats json is not valid JSON"
    show "$stats"
  fi
  json_flatten "$stats" >"$tmp/stats.flat"
  get() { json_get "$tmp/stats.flat" "$@"; }
  eq() {  # eq WHAT GOT WANT
    if [ "$2" = "$3" ]; then ok "$label: $1 = $3"; else bad "$label: $1 = '$2', want $3"; fi
  }
  local rx tx dropped el_drops port_drops port_tx port_rx out_port in_port out_bytes
  rx=$(get totals rx)
  tx=$(get totals tx)
  dropped=$(get totals dropped)
  el_drops=$(json_sum "$tmp/stats.flat" elements drops)
  port_drops=$(json_sum "$tmp/stats.flat" ports dropped)
  port_tx=$(json_sum "$tmp/stats.flat" ports tx)
  port_rx=$(json_sum "$tmp/stats.flat" ports rx)
  out_port=$(awk -F'\t' '$1 == "ports" && $3 == "device" && $4 ~ /quickstart-out\.pcap$/ { print $2 }' "$tmp/stats.flat")
  in_port=$(awk -F'\t' '$1 == "ports" && $3 == "device" && $4 ~ /traffic\/quickstart\.pcap$/ { print $2 }' "$tmp/stats.flat")
  eq "totals.rx (packets in the input, by tshark)" "$rx" "$n_in"
  eq "totals.tx (packets in the output, by tshark)" "$tx" "$n_out"
  eq "sum of ports' rx" "$port_rx" "$n_in"
  eq "sum of ports' tx" "$port_tx" "$n_out"
  if [ -n "$in_port" ]; then eq "ports.$in_port.rx" "$(get ports "$in_port" rx)" "$n_in"; else bad "$label: no port for the input pcap in the stats"; fi
  if [ -n "$out_port" ]; then eq "ports.$out_port.tx" "$(get ports "$out_port" tx)" "$n_out"; else bad "$label: no port for quickstart-out.pcap in the stats"; fi
  if [[ $rx =~ ^[0-9]+$ && $tx =~ ^[0-9]+$ ]]; then
    eq "totals.rx - totals.tx (every packet sent or dropped: element drops $el_drops + port drops $port_drops)" \
      "$((rx - tx))" "$((el_drops + port_drops))"
  fi
  eq "totals.dropped" "$dropped" "$((el_drops + port_drops))"
  eq "elements.ipv4.count" "$(get elements ipv4 count)" "$n_fwd"
  eq "elements.other.count" "$(get elements other count)" "$n_other"
  eq "elements.expired.count" "$(get elements expired count)" "$n_expired"
  eq "elements.bad.count" "$(get elements bad count)" "$n_malformed"
  eq "elements.check.bad (CheckIPHeader)" "$(get elements check bad)" "$n_malformed"
  eq "elements.ttl.expired (DecIPTTL)" "$(get elements ttl expired)" "$n_expired"
  out_bytes=$(tshark -r "$out" -Y 'eth.type == 0x0800' -T fields -e frame.len 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
  eq "elements.ipv4.byte_count (bytes of the output's IPv4 frames, by tshark)" "$(get elements ipv4 byte_count)" "$out_bytes"
}

# run_engine LABEL [nbrun options...]: run the shipped configuration unchanged from a scratch
# directory (its paths are relative to the working directory: configs/traffic/quickstart.pcap in,
# quickstart-out.pcap out), then check it.
run_engine() {
  local label=$1
  shift
  echo "== nbrun configs/quickstart.nbc --stats json --quiet $*"
  rm -rf "$tmp/run"
  mkdir -p "$tmp/run/configs/traffic"
  cp "$src/configs/quickstart.nbc" "$tmp/run/configs/"
  cp "$src/configs/traffic/quickstart.pcap" "$tmp/run/configs/traffic/"
  cd "$tmp/run" || return
  run_limited 60 "$tmp/stats-$label.json" "$tmp/err" "$nbrun" configs/quickstart.nbc --stats json --quiet "$@"
  local st=$?
  cd "$tmp" || return
  local pid=$last_pid
  if crashed "$st" "$tmp/err" "$label"; then
    clean_leftovers "$pid"
    return
  fi
  if [ "$st" -ne 0 ]; then
    bad "$label: nbrun exits $st"
    show "$tmp/err"
    clean_leftovers "$pid"
    return
  fi
  ok "$label: nbrun exits 0"
  no_leftovers "$pid" "$label"
  if [ ! -s "$tmp/run/quickstart-out.pcap" ]; then
    bad "$label: no quickstart-out.pcap written"
    return
  fi
  mv "$tmp/run/quickstart-out.pcap" "$tmp/out-$label.pcap"
  check_output "$label" "$tmp/stats-$label.json" "$tmp/out-$label.pcap"
}

run_engine interp --engine interp
# The default engine: what the configuration's own comment tells users to run.
run_engine default
if [ -s "$tmp/out-interp.pcap" ] && [ -s "$tmp/out-default.pcap" ]; then
  if diff -q <(hex_packets "$tmp/out-interp.pcap") <(hex_packets "$tmp/out-default.pcap") >/dev/null; then
    ok "the default engine's output is the interpreter's, byte for byte"
  else
    bad "the default engine's output differs from the interpreter's"
  fi
fi

# FromDump's STOP (Click's semantics): a file read to its end with STOP true stops the router even
# while another source (here a looping one) still runs; without STOP the router runs on (to
# --duration).
if [ -s "$tmp/out-interp.pcap" ]; then
  printf 'FromDump(%s, STOP true) -> Discard;\nFromDump(%s, LOOP true) -> Discard;\n' \
    "$tmp/out-interp.pcap" "$tmp/out-interp.pcap" >"$tmp/stop.nbc"
  sed 's/, STOP true//' "$tmp/stop.nbc" >"$tmp/nostop.nbc"
  timeout 20 "$nbrun" "$tmp/stop.nbc" --no-control --engine interp >"$tmp/stop.out" 2>&1
  st=$?
  if [ $st -eq 0 ] && grep -q "read to its end (STOP true)" "$tmp/stop.out"; then ok "FromDump(STOP true) stops the router at the end of its file"
  else bad "FromDump(STOP true) did not stop the router (exit $st)"; show "$tmp/stop.out"; fi
  timeout 20 "$nbrun" "$tmp/nostop.nbc" --no-control --engine interp --duration 0.5 >"$tmp/nostop.out" 2>&1
  if grep -q -- "--duration 0.5 reached" "$tmp/nostop.out"; then ok "without STOP the router runs on until --duration"
  else bad "without STOP the router did not run on"; show "$tmp/nostop.out"; fi
fi
finish

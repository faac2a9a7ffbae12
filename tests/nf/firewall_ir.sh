#!/usr/bin/env bash
# The JIT specialises IPFilter's decision structure for its rule set (docs/nf.md): in the
# optimised IR of a 4-rule filter the kernel is inlined (no calls but host functions and LLVM
# intrinsics), the source address and destination port classes are compares with the rules'
# boundaries as immediates, and only the fields the rules use are looked up (one row load each).
# Usage: firewall_ir.sh NBC
set -u
nbc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
cat >"$tmp/fw.nbc" <<'NBC'
FromDump(in.pcap) -> Strip(14) -> CheckIPHeader
    -> fw :: IPFilter(deny src net 192.168.0.0/16, allow tcp dst port 22 or 80, deny udp dst port 53, allow all)
    -> Unstrip(14) -> ToDump(out.pcap);
NBC
ir=$("$nbc" ir "$tmp/fw.nbc") || { echo "FAIL: nbc ir exited $?"; exit 1; }
calls=$(grep -E '^\s+(%[0-9A-Za-z._]+ = )?(tail |musttail |notail )?call' <<<"$ir" | grep -vE '@(nb_host_[a-z_]+|llvm\.[a-z0-9.]+)\(' || true)
if [ -n "$calls" ]; then echo "FAIL: calls left:"; head -5 <<<"$calls"; fail=1; else echo "ok: IPFilter inlined, no calls"; fi
# 192.167.255.255 and 192.168.255.255 (the ends of 192.168.0.0/16), as i32 or i64 immediates.
for pair in "3232235519|-1062731777" "3232301055|-1062666241"; do
  if grep -qE "icmp [us][lg][te] i(32|64) %[^,]+, ($pair)$" <<<"$ir"; then
    echo "ok: source address boundary ${pair%%|*} is an immediate"
  else
    echo "FAIL: no compare with the source address boundary ${pair%%|*}"
    fail=1
  fi
done
for b in 21 22 52 53 79 80; do
  if ! grep -qE "icmp ugt i(32|64) %[^,]+, $b$" <<<"$ir"; then echo "FAIL: no compare of the port with $b"; fail=1; fi
done
[ "$fail" -eq 0 ] && echo "ok: destination port boundaries 22, 53, 80 are immediates"
# Three fields in use (protocol, source, destination port), one word of term bits: three row
# lookups in the Config's rows table ([fields x classes x 4 words] of i64); the seven other
# fields are gone.
rows=$(grep -cE "x \[4 x i64\]\]\], ptr" <<<"$ir")
if [ "$rows" -eq 3 ]; then echo "ok: 3 row lookups (the 3 fields in use)"; else echo "FAIL: $rows row lookups, want 3"; fail=1; fi
# nbbench's 100 rules: the field loop must still be unrolled (it is not by LLVM's own cost model
# at this size: the pragma in lookup_term does it), so that each of the 4 fields in use (protocol,
# source, destination, destination port) reads its row at a constant field index, 2 words each.
{
  echo 'FromDump(in.pcap) -> Strip(14) -> CheckIPHeader(CHECKSUM false) -> IPFilter('
  for i in $(seq 0 99); do
    case $((i % 4)) in
      0) echo "    deny src net 172.16.$i.0/24 and tcp dst port $((1000 + i))," ;;
      1) echo "    deny dst host 192.168.$i.1 and udp," ;;
      2) echo "    deny tcp src net 10.$i.0.0/16 and dst port 22," ;;
      3) echo "    deny udp dst port $((2000 + i))," ;;
    esac
  done
  echo '    allow all) -> Unstrip(14) -> ToDump(out.pcap);'
} >"$tmp/fw100.nbc"
ir=$("$nbc" ir "$tmp/fw100.nbc") || { echo "FAIL: nbc ir (100 rules) exited $?"; exit 1; }
rows=$(grep -E "x \[4 x i64\]\]\], ptr" <<<"$ir" | grep -cE "i64 0, i64 [0-9], i64 %[^,]+, i64 [0-3]$")
if [ "$rows" -eq 8 ]; then echo "ok: 100 rules: 8 row loads at constant field and word indices"; else echo "FAIL: 100 rules: $rows row loads at constant indices, want 8"; fail=1; fi
exit $fail

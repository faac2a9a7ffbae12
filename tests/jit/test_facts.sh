#!/usr/bin/env bash
# Graph-level specialisation (docs/facts.md): `nbc ir --stats` lists each element the graph's
# facts prove redundant, with its location and the facts. A second CheckIPHeader after
# DecIPTTL/Counter/Paint is left out; in tests/diff/facts_broken.nbc, where a third element
# breaks the facts, paths merge unchecked or a Strip/Unstrip pair does not cancel, nothing is
# but the one pair that does. (tests/diff/differential.py runs both configs under both engines.)
set -u
nbc=$1
src=$2
fail=0
cd "$src" || exit 1

out=$("$nbc" ir --stats tests/jit/facts_redundant.nbc) || { echo "FAIL: nbc ir --stats facts_redundant.nbc exited $?"; exit 1; }
want='removed second (CheckIPHeader) at tests/jit/facts_redundant.nbc:7:8: valid IPv4 header at 14, packet ends with the IPv4 datagram at 14, network offset 14, IPv4 checksum correct at 14, IPv4 source at 14 is not 10.0.0.255'
if ! grep -qxF "$want" <<<"$out"; then echo "FAIL: the redundant CheckIPHeader is not listed as removed:"; grep removed <<<"$out"; fail=1; fi
if ! grep -qx 'removed: 1' <<<"$out"; then echo "FAIL: expected exactly one removal in facts_redundant.nbc"; grep removed <<<"$out"; fail=1; fi
if grep -q '^removed first ' <<<"$out"; then echo "FAIL: the first CheckIPHeader was removed"; fail=1; fi
# The existing table is still there.
if ! grep -qE '^second +CheckIPHeader +inlined$' <<<"$out"; then echo "FAIL: the per-element table changed"; fail=1; fi

out=$("$nbc" ir --stats tests/diff/facts_broken.nbc) || { echo "FAIL: nbc ir --stats facts_broken.nbc exited $?"; exit 1; }
if grep -q '^removed .*(CheckIPHeader)' <<<"$out"; then echo "FAIL: a CheckIPHeader whose facts are broken was removed:"; grep '^removed .*(CheckIPHeader)' <<<"$out"; fail=1; fi
removed=$(grep '^removed ' <<<"$out" | sed -E 's/^removed ([^ ]+) .*/\1/' | tr '\n' ' ')
if [ "$removed" != "Strip@31 Unstrip@33 " ]; then echo "FAIL: facts_broken.nbc: expected only the pair around Paint removed, got: $removed"; grep '^removed' <<<"$out"; fail=1; fi

# chain5: four CheckIPHeaders and the four Unstrip(14) -> Strip(14) pairs between the TTL blocks.
out=$("$nbc" ir --stats tests/diff/chain5.nbc)
n=$(grep -c '^removed .*(CheckIPHeader)' <<<"$out")
p=$(grep -c '^removed .*cancels with' <<<"$out")
if [ "$n" -ne 4 ] || [ "$p" -ne 8 ]; then echo "FAIL: chain5: expected 4 CheckIPHeader and 8 Strip/Unstrip removals, got $n and $p"; fail=1; fi

[ "$fail" -eq 0 ] && echo "ok: removals listed where the graph proves them, none where it does not"
exit $fail

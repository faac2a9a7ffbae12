#!/usr/bin/env bash
# The JIT must fuse chain configs completely: in the optimised IR the only calls left are to
# the runtime's host functions (nb_host_*) and LLVM intrinsics — no element kernel is called —
# and no per-instance Config global is read (every argument was folded into the code).
set -u
nbc=$1
src=$2
fail=0
for cfg in "$src/tests/diff/chain5.nbc" "$src/configs/quickstart.nbc" "$src/tests/jit/chain50.nbc"; do
  ir=$("$nbc" ir "$cfg") || { echo "FAIL: nbc ir $cfg exited $?"; fail=1; continue; }
  calls=$(grep -E '^\s+(%[0-9A-Za-z._]+ = )?(tail |musttail |notail )?call' <<<"$ir" | grep -vE '@(nb_host_[a-z_]+|llvm\.[a-z0-9.]+)\(' || true)
  cfgrefs=$(grep -v '^@cfg\.' <<<"$ir" | grep -E '@cfg\.[0-9]+' || true)
  entry=$(grep -c '^define .*@nb_graph_entry' <<<"$ir")
  if [ "$entry" -ne 1 ]; then echo "FAIL: $cfg: expected one entry function, found $entry"; fail=1; fi
  if [ -n "$calls" ]; then echo "FAIL: $cfg: calls left in the fused loop:"; head -5 <<<"$calls"; fail=1; fi
  if [ -n "$cfgrefs" ]; then echo "FAIL: $cfg: per-instance configuration still read from memory:"; head -3 <<<"$cfgrefs" | cut -c1-160; fail=1; fi
  stats=$("$nbc" ir --stats "$cfg")
  if grep -q " called$" <<<"$stats"; then echo "FAIL: $cfg: nbc ir --stats reports a kernel not inlined"; fail=1; fi
  [ "$fail" -eq 0 ] && echo "ok: $cfg fused: no kernel calls, no Config loads"
done
exit $fail

#!/usr/bin/env bash
# `nbc check` must say what `nbrun` will say (issue 15, item 10).
#   - every tests/bad/*.nbc goes through both `nbc check` and `nbrun --engine interp`: both must
#     fail, and their first error line (FILE:LINE:COL: error: MESSAGE) must be the same. nbrun
#     runs in an empty directory, so a case that names input files it does not ship fails on
#     them - after the checks `nbc check` makes, so it must still fail on the same first error;
#   - every tests/good/*.nbc and configs/*.nbc must pass `nbc check` (configs from the source
#     tree, where their rules files are).
# Usage: check_parity.sh NBC NBRUN SOURCE_DIR
set -u
nbc=$(readlink -f "$1")
nbrun=$(readlink -f "$2")
src=$(readlink -f "$3")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() {
  echo "FAIL: $*"
  fail=1
}

first_error() { grep -m1 -E '^[^ ]+:[0-9]+:[0-9]+: error: |^[a-z]+: error: |^error: ' "$1"; }

n=0
for f in "$src"/tests/bad/*.nbc; do
  n=$((n + 1))
  name=$(basename "$f" .nbc)
  "$nbc" check --color never "$f" >/dev/null 2>"$tmp/$name.check"
  check_rc=$?
  mkdir -p "$tmp/run"
  (cd "$tmp/run" && timeout 20 "$nbrun" --engine interp --no-control --stats none --quiet --duration 1 "$f" \
    >/dev/null 2>"$tmp/$name.run")
  run_rc=$?
  rm -rf "$tmp/run"
  if [ "$check_rc" -eq 0 ] && [ "$run_rc" -eq 0 ]; then
    bad "$name: both nbc check and nbrun accept a tests/bad case"
    continue
  fi
  if [ "$check_rc" -eq 0 ]; then
    bad "$name: nbc check accepts it, nbrun (exit $run_rc) says:"
    sed 's/^/    /' "$tmp/$name.run" | head -5
    continue
  fi
  if [ "$run_rc" -eq 0 ]; then
    bad "$name: nbc check rejects it (exit $check_rc), nbrun runs it"
    continue
  fi
  c=$(first_error "$tmp/$name.check")
  r=$(first_error "$tmp/$name.run")
  if [ "$c" != "$r" ]; then
    bad "$name: different first errors"
    echo "    nbc check: $c"
    echo "    nbrun:     $r"
  fi
done
[ "$n" -ge 30 ] || bad "only $n tests/bad cases found"

# Good configs pass nbc check (which now configures every element, as nbrun does).
for f in "$src"/tests/good/*.nbc; do
  "$nbc" check --color never "$f" 2>"$tmp/good.err" || { bad "$(basename "$f"): nbc check rejects a tests/good case"; sed 's/^/    /' "$tmp/good.err" | head -5; }
done
for f in "$src"/configs/*.nbc; do
  (cd "$src" && "$nbc" check --color never "configs/$(basename "$f")") 2>"$tmp/good.err" ||
    { bad "configs/$(basename "$f"): nbc check rejects a shipped config"; sed 's/^/    /' "$tmp/good.err" | head -5; }
done

[ "$fail" -eq 0 ] && echo "ok: $n bad cases agree; good and shipped configs pass"
exit "$fail"

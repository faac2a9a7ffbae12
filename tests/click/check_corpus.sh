#!/usr/bin/env bash
# Click-syntax configurations written in Click's style (tests/click/*.click, one per element
# family and language feature) must all pass `nbc check` as they are, .click extension included.
# Usage: check_corpus.sh NBC SOURCE_DIR
set -u
nbc=$1
src=$2
n=0
fail=0
for f in "$src"/tests/click/*.click; do
  n=$((n + 1))
  if ! out=$("$nbc" check --color never "$f" 2>&1); then
    echo "FAIL: $(basename "$f") does not pass nbc check:"
    echo "$out"
    fail=1
  fi
done
# A corpus that shrank to nothing would pass vacuously.
if [ "$n" -lt 10 ]; then
  echo "FAIL: only $n configurations in tests/click"
  fail=1
fi
[ "$fail" = 0 ] && echo "click corpus: $n configurations pass nbc check"
exit $fail

#!/usr/bin/env bash
# Graph-level ownership (docs/ownership.md, "In the graph"): `nbc check` on one configuration.
#   run_graph_case.sh bad NBC FILE   must fail, report the error of FILE's `// expect: L:C: text`
#                                    line at FILE:L:C, and explain the rule (a note or the text)
#   run_graph_case.sh good NBC FILE  must check cleanly (exit 0, no error)
set -u
kind=$1 nbc=$2 file=$3
out=$("$nbc" check "$file" 2>&1)
rc=$?
if [ "$kind" = good ]; then
  if [ $rc -eq 0 ] && ! grep -q "error:" <<<"$out"; then echo "ok: $file checks cleanly"; exit 0; fi
  echo "FAIL: $file should check cleanly (exit $rc):"; echo "$out"; exit 1
fi
expect=$(sed -n 's|^// expect: ||p' "$file" | head -1)
[ -n "$expect" ] || { echo "FAIL: $file has no '// expect: L:C: text' line"; exit 1; }
where=${expect%%: *}
text=${expect#*: }
if [ $rc -eq 0 ]; then echo "FAIL: nbc check accepted $file:"; echo "$out"; exit 1; fi
if ! grep -qF -- "$file:$where: error: $text" <<<"$out"; then
  echo "FAIL: expected '$file:$where: error: $text', got:"; echo "$out"; exit 1
fi
# Every ownership diagnostic says which rule it breaks, not only where.
if ! grep -qiE "owner|Tee|loop forever|never receive|would be lost|cycle" <<<"$out"; then
  echo "FAIL: the diagnostic does not explain the ownership rule:"; echo "$out"; exit 1
fi
echo "ok: $file rejected at $where"

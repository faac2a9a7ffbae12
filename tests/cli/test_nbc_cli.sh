#!/usr/bin/env bash
# nbc's command-line contract: exit status 0 on success, 1 on errors in the input, 2 on usage
# errors; every subcommand has --help; fmt/dot/doc print what they promise.
set -u
nbc=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect_status() {  # expect_status WANT DESCRIPTION -- command...
  local want=$1 what=$2
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"
    sed 's/^/  | /' "$tmp/err" | head -20
    fail=1
  else
    echo "ok: $what"
  fi
}

good=$src/configs/quickstart.nbc
cat >"$tmp/bad.nbc" <<'NBC'
src :: FromDump(in.pcap) -> DecIPTL -> ToDump(out.pcap);
NBC

expect_status 0 "check a good config" -- "$nbc" check "$good"
[ -s "$tmp/err" ] && { echo "FAIL: check of a good config printed something"; fail=1; }
expect_status 1 "check a bad config" -- "$nbc" check "$tmp/bad.nbc"
grep -q "bad.nbc:1:29: error: unknown element class 'DecIPTL'" "$tmp/err" || { echo "FAIL: no located error"; fail=1; }
grep -q "did you mean 'DecIPTTL'" "$tmp/err" || { echo "FAIL: no did-you-mean hint"; fail=1; }
grep -q "^    1 | src :: FromDump" "$tmp/err" || { echo "FAIL: no source line"; fail=1; }
grep -q "^      | *\^~~~~~" "$tmp/err" || { echo "FAIL: no caret"; fail=1; }
expect_status 1 "check good and bad together" -- "$nbc" check "$good" "$tmp/bad.nbc"
expect_status 1 "check a missing file" -- "$nbc" check "$tmp/missing.nbc"
grep -q "cannot open" "$tmp/err" || { echo "FAIL: missing file not explained"; fail=1; }
expect_status 0 "check --syntax-only accepts unknown classes" -- "$nbc" check --syntax-only "$tmp/bad.nbc"
expect_status 2 "no subcommand" -- "$nbc"
expect_status 2 "unknown subcommand" -- "$nbc" frobnicate
expect_status 2 "unknown flag" -- "$nbc" check --bogus "$good"
expect_status 2 "check without files" -- "$nbc" check
for sub in check dot fmt doc; do
  expect_status 0 "$sub --help" -- "$nbc" "$sub" --help
  grep -qi "usage" "$tmp/out" || { echo "FAIL: $sub --help prints no usage"; fail=1; }
done
expect_status 0 "--help" -- "$nbc" --help

expect_status 0 "dot" -- "$nbc" dot "$good"
grep -q "^digraph" "$tmp/out" || { echo "FAIL: dot output is not a digraph"; fail=1; }
grep -q -- "->" "$tmp/out" || { echo "FAIL: dot output has no edges"; fail=1; }
if command -v dot >/dev/null; then
  dot -Tsvg "$tmp/out" >/dev/null 2>&1 || { echo "FAIL: graphviz rejects nbc dot output"; fail=1; }
fi
expect_status 1 "dot of a bad config" -- "$nbc" dot "$tmp/bad.nbc"

printf 'a::Counter;b :: Discard\nFromDump(x.pcap)->a   ->b\n' >"$tmp/ugly.nbc"
expect_status 0 "fmt" -- "$nbc" fmt "$tmp/ugly.nbc"
cp "$tmp/out" "$tmp/pretty.nbc"
grep -q "^FromDump(x.pcap) -> a -> b;$" "$tmp/pretty.nbc" || { echo "FAIL: fmt layout"; cat "$tmp/pretty.nbc"; fail=1; }
expect_status 1 "fmt --check on an unformatted file" -- "$nbc" fmt --check "$tmp/ugly.nbc"
expect_status 0 "fmt --check on a formatted file" -- "$nbc" fmt --check "$tmp/pretty.nbc"
expect_status 0 "fmt -i" -- "$nbc" fmt -i "$tmp/ugly.nbc"
cmp -s "$tmp/ugly.nbc" "$tmp/pretty.nbc" || { echo "FAIL: fmt -i wrote something else"; fail=1; }

expect_status 0 "doc lists elements" -- "$nbc" doc
for cls in FromDump ToDump FromDevice ToDevice Discard Counter Strip Unstrip CheckIPHeader DecIPTTL EtherMirror Classifier Tee Paint; do
  grep -q "^$cls " "$tmp/out" || { echo "FAIL: doc does not list $cls"; fail=1; }
done
expect_status 0 "doc DecIPTTL" -- "$nbc" doc DecIPTTL
grep -q "EXAMPLE" "$tmp/out" && grep -q "PARAMETERS" "$tmp/out" && grep -q "PORTS" "$tmp/out" ||
  { echo "FAIL: doc DecIPTTL lacks sections"; fail=1; }
expect_status 1 "doc of an unknown class" -- "$nbc" doc DecIPTL
grep -q "did you mean 'DecIPTTL'" "$tmp/err" || { echo "FAIL: doc gives no hint"; fail=1; }

exit $fail

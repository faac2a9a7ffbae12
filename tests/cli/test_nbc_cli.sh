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
# --max-errors: 20 errors by default, then "too many errors"; 0 shows all 25.
for i in $(seq 1 25); do echo "FromDump(in$i.pcap) -> Nope$i -> Discard;"; done >"$tmp/many.nbc"
expect_status 1 "check stops after 20 errors" -- "$nbc" check "$tmp/many.nbc"
grep -q "too many errors emitted (5 more not shown)" "$tmp/err" || { echo "FAIL: no error limit"; fail=1; }
expect_status 1 "check --max-errors 0 shows every error" -- "$nbc" check --max-errors 0 "$tmp/many.nbc"
[ "$(grep -c ": error: unknown element class" "$tmp/err")" = 25 ] || { echo "FAIL: --max-errors 0 hid errors"; fail=1; }
expect_status 1 "check --max-errors 3" -- "$nbc" check --max-errors 3 "$tmp/many.nbc"
[ "$(grep -c ": error: unknown element class" "$tmp/err")" = 3 ] || { echo "FAIL: --max-errors 3 showed more"; fail=1; }
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
# How each element's State scales over worker cores (issue 16, docs/multicore.md).
for want in "Counter:per worker" "LookupIPRoute:shared read-mostly" "FlowMonitor:per flow" "FromDump:none"; do
  expect_status 0 "doc ${want%%:*}" -- "$nbc" doc "${want%%:*}"
  grep -q "^State: ${want#*:}" "$tmp/out" || { echo "FAIL: doc ${want%%:*} lacks 'State: ${want#*:}'"; fail=1; }
done
expect_status 1 "doc of an unknown class" -- "$nbc" doc DecIPTL
grep -q "did you mean 'DecIPTTL'" "$tmp/err" || { echo "FAIL: doc gives no hint"; fail=1; }

# has TEXT DESCRIPTION: stderr of the last command contains TEXT.
has() { grep -qF -- "$1" "$tmp/err" || { echo "FAIL: $2: no '$1' in:"; sed 's/^/  | /' "$tmp/err" | head -10; fail=1; }; }

version=$(sed -n 's/^project(nb VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
expect_status 0 "--version" -- "$nbc" --version
grep -qx "nbc $version" "$tmp/out" || { echo "FAIL: --version does not print 'nbc $version'"; fail=1; }
expect_status 2 "unknown subcommand" -- "$nbc" frobnicate
has "unknown subcommand 'frobnicate'" "nbc names the unknown subcommand"
has "check" "nbc lists its subcommands"

# Configurations that are no files: refused with what they are, never blocking, never an empty
# graph that checks cleanly.
mkdir "$tmp/dir"
: >"$tmp/empty.nbc"
printf '// nothing but a comment\n' >"$tmp/comment.nbc"
mkfifo "$tmp/fifo.nbc"
expect_status 1 "check a directory" -- "$nbc" check "$tmp/dir"
has "is a directory" "a directory is named as one"
expect_status 1 "check an empty file" -- "$nbc" check "$tmp/empty.nbc"
has "empty.nbc:1:1: error: the configuration has no elements" "an empty file has no elements"
expect_status 1 "check a file of comments" -- "$nbc" check "$tmp/comment.nbc"
has "has no elements" "a file of comments has no elements"
expect_status 0 "check --syntax-only an empty file" -- "$nbc" check --syntax-only "$tmp/empty.nbc"
expect_status 1 "check /dev/null" -- "$nbc" check /dev/null
has "'/dev/null' is a character device, not a regular file" "/dev/null is refused"
expect_status 1 "check a FIFO" -- timeout 20 "$nbc" check "$tmp/fifo.nbc"
has "is a FIFO, not a regular file" "a FIFO is refused without blocking"
expect_status 1 "check /dev/zero" -- timeout 20 "$nbc" check /dev/zero
has "is a character device" "/dev/zero is refused"
truncate -s 5M "$tmp/big.nbc"
expect_status 1 "check a 5 MiB file" -- timeout 20 "$nbc" check "$tmp/big.nbc"
has "is too large: a configuration may have at most 4 MiB" "a file over the size limit is refused"

# '-' reads standard input, named <stdin>, with the same size limit.
expect_status 0 "check - (a good config)" -- bash -c "'$nbc' check - <'$good'"
expect_status 1 "check - (a bad config)" -- bash -c "'$nbc' check - <'$tmp/bad.nbc'"
has "<stdin>:1:29: error: unknown element class 'DecIPTL'" "standard input is named <stdin>"
expect_status 1 "check - </dev/zero" -- timeout 20 bash -c "'$nbc' check - </dev/zero"
has "standard input is too large" "standard input has the size limit"
expect_status 0 "fmt -" -- bash -c "'$nbc' fmt - <'$tmp/ugly.nbc'"

# A binary file: the snippets show printable text, cut to a readable width.
head -c 20000 "$nbc" >"$tmp/binary.nbc"
expect_status 1 "check a binary file" -- "$nbc" check "$tmp/binary.nbc"
[ "$(wc -c <"$tmp/err")" -lt 4000 ] || { echo "FAIL: a binary file gives $(wc -c <"$tmp/err") bytes of diagnostics"; fail=1; }
LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/err" && { echo "FAIL: control bytes in the diagnostics"; fail=1; }
awk 'length($0) > 300 { bad = 1 } END { exit bad }' "$tmp/err" || { echo "FAIL: a diagnostic line is over 300 characters"; fail=1; }
iconv -f UTF-8 -t UTF-8 "$tmp/err" >/dev/null 2>&1 || { echo "FAIL: the diagnostics are not valid UTF-8"; fail=1; }

# An unknown class without arguments is said to be one, not to be declared.
printf 'FromDump(a.pcap) -> Frobnicator -> Discard;\n' >"$tmp/frob.nbc"
expect_status 1 "an unknown class in a chain" -- "$nbc" check "$tmp/frob.nbc"
has "unknown element class 'Frobnicator'" "the class is named unknown"
grep -q "declare it" "$tmp/err" && { echo "FAIL: an unknown class gets the hint to declare it"; fail=1; }
has "nbc doc" "the hint says where the classes are listed"

# Hostile expansions stop at a limit, early: compound classes that instantiate each other twice
# per level (2^40 elements), and a formal that doubles at every level (2^60 bytes). Memory is
# capped so that expanding first and failing later fails the test.
{
  echo 'elementclass C0 { input -> Counter -> output }'
  for k in $(seq 1 40); do echo "elementclass C$k { input -> C$((k - 1)) -> C$((k - 1)) -> output }"; done
  echo 'FromDump(a.pcap) -> C40 -> Discard;'
} >"$tmp/exponential.nbc"
# A 4 GB address-space cap makes a runaway expansion fail fast; AddressSanitizer reserves terabytes
# of shadow address space at start-up, so an instrumented nbc runs without the cap.
vmcap="ulimit -v 4000000;"
grep -qa __asan_init "$nbc" && vmcap=""
expect_status 1 "an exponential expansion" -- timeout 60 bash -c "$vmcap '$nbc' check '$tmp/exponential.nbc'"
grep -Eq "error: the (configuration expands to more than 150000 elements|expanded configuration is larger than 96 MiB)" "$tmp/err" ||
  { echo "FAIL: the exponential expansion does not name its limit"; head -5 "$tmp/err"; fail=1; }
{
  echo 'elementclass S0 { $a | input -> Paint($a) -> output }'
  for k in $(seq 1 60); do echo "elementclass S$k { \$a | input -> S$((k - 1))(\$a\$a) -> output }"; done
  echo 'FromDump(a.pcap) -> S60(1) -> Discard;'
} >"$tmp/doubling.nbc"
expect_status 1 "a doubling argument" -- timeout 60 bash -c "$vmcap '$nbc' check '$tmp/doubling.nbc'"
has "after substitution this argument is longer than 1 MiB, the limit for one argument" "the doubling argument names its limit"

# Output that cannot be written is an error, not exit 0 with nothing written.
for sub in "fmt $good" "dot $good" "doc"; do
  expect_status 1 "nbc $sub >/dev/full" -- bash -c "'$nbc' $sub >/dev/full"
  has "cannot write standard output" "nbc ${sub%% *} >/dev/full says so"
done
# fmt -i replaces the file through a new one: the original's permissions and a symlink to it stay.
printf 'a::Counter;b :: Discard\nFromDump(x.pcap)->a   ->b\n' >"$tmp/perm.nbc"
chmod 640 "$tmp/perm.nbc"
ln -s perm.nbc "$tmp/link.nbc"
expect_status 0 "fmt -i through a symlink" -- "$nbc" fmt -i "$tmp/link.nbc"
[ -L "$tmp/link.nbc" ] && [ "$(stat -c %a "$tmp/perm.nbc")" = 640 ] && cmp -s "$tmp/perm.nbc" "$tmp/pretty.nbc" ||
  { echo "FAIL: fmt -i lost the symlink, the permissions or the text"; fail=1; }
[ "$(find "$tmp" -name '*.nbc-fmt.*' | wc -l)" = 0 ] || { echo "FAIL: fmt -i left a temporary file"; fail=1; }

# 16384 sources into one chain of 16383 nested pass-through instances: each connection's way
# through the compound ports is found once, not once per source (that took most of a minute).
{
  echo 'elementclass F0 { FromDump(a.pcap) -> output }'
  echo 'elementclass D0 { input -> output }'
  for k in $(seq 1 14); do
    echo "elementclass F$k { F$((k - 1)) -> output; F$((k - 1)) -> output }"
    echo "elementclass D$k { input -> D$((k - 1)) -> D$((k - 1)) -> output }"
  done
  echo "F14 -> D14 -> Discard;"
} >"$tmp/fan_in.nbc"
expect_status 0 "many sources into a long chain of compound ports" -- timeout 30 "$nbc" check "$tmp/fan_in.nbc"

exit $fail

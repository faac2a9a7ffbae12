#!/usr/bin/env bash
# Click's language on the command line (issue 18, items 4 and 5): NAME=VALUE definitions for
# nbc check/dot/ir/flatten and nbrun (and its reloads), `nbc flatten` and its round trip,
# require(library FILE) next to the requiring file, and #line directives.
# Usage: test_language_cli.sh NBC NBRUN NBCTL NB-GEN-TRAFFIC SOURCE_DIR
set -u
nbc=$(readlink -f "$1")
nbrun=$(readlink -f "$2")
nbctl=$(readlink -f "$3")
gen=$(readlink -f "$4")
src=$(readlink -f "$5")
. "$src/tests/integration/lib.sh"
enter_scratch -p /tmp nb-language-cli.XXXXXX

# expect STATUS DESCRIPTION -- command...: runs it (at most 30 s) with stdout in out, stderr in err.
expect() {
  local want=$1 what=$2
  shift 3
  timeout 30 "$@" >out 2>err </dev/null
  local got=$?
  if crashed "$got" err "$what"; then return; fi
  if [ "$got" -ne "$want" ]; then
    bad "$what: exit $got, want $want"
    show err 10
  else
    ok "$what"
  fi
}
# has FILE TEXT DESCRIPTION: FILE contains TEXT (fixed string).
has() { grep -qF -- "$2" "$1" && ok "$3" || { bad "$3: no '$2' in $1"; show "$1" 10; }; }
hasnt() { grep -qF -- "$2" "$1" && { bad "$3: '$2' in $1"; show "$1" 10; } || ok "$3"; }

# ---- NAME=VALUE definitions ------------------------------------------------------------------
cat >def.nbc <<'NBC'
define($LEN 14);
FromDump(in.pcap, STOP true) -> Strip($LEN) -> c :: Counter -> ToDump(${OUT-out.pcap});
NBC
expect 0 "check with a definition" -- "$nbc" check def.nbc LEN=20
expect 0 "flatten with definitions" -- "$nbc" flatten def.nbc LEN=20 OUT=x.pcap
has out "Strip@2 :: Strip(20);" "a definition overrides the file's define"
has out "ToDump(x.pcap)" "a definition sets a \${NAME-DEFAULT}"
expect 0 "flatten without definitions" -- "$nbc" flatten def.nbc
has out "Strip@2 :: Strip(14);" "the file's define without a definition"
expect 0 "\$NAME=VALUE is a definition too" -- "$nbc" flatten def.nbc '$LEN=6'
has out "Strip(6)" "\$LEN=6"
expect 1 "a bad value is an error at its use" -- "$nbc" check --color never def.nbc LEN=abc
has err "def.nbc:2:39: error: invalid unsigned integer for LENGTH of Strip" "located error for a bad definition"
has err "after substitution the argument reads 'abc'" "the substituted value is shown"
expect 2 "a definition without a name" -- "$nbc" check def.nbc =3
has err "nbc: error: '=3' is not a definition: the name before '=' is missing" "=3 explained"
expect 2 "a definition with a bad name" -- "$nbc" check def.nbc 'L-N=3'
has err "a variable name is made of letters, digits, '_' and '@'" "L-N=3 explained"
expect 2 "a name defined twice" -- "$nbc" check def.nbc LEN=1 LEN=2
has err "\$LEN is defined twice on the command line (LEN=1 and LEN=2)" "twice explained"
expect 0 "an unused definition is a warning" -- "$nbc" check --color never def.nbc LNE=3
has err "warning: LNE=3 from the command line: the configuration does not use \$LNE" "unused definition warned"
has err "did you mean LEN?" "unused definition's hint"
expect 2 "dot: a second argument that is not a definition" -- "$nbc" dot def.nbc other.nbc
has err "'other.nbc' is not a definition: expected NAME=VALUE" "dot's extra argument explained"
expect 0 "dot with a definition" -- "$nbc" dot def.nbc LEN=3
expect 0 "ir with a definition" -- "$nbc" ir def.nbc LEN=3
expect 2 "check with only a definition" -- "$nbc" check LEN=3
cp def.nbc 'a=b.nbc'
expect 0 "a file name with '=' after a '/' is a file" -- "$nbc" check './a=b.nbc'
cat >need.nbc <<'NBC'
FromDump(in.pcap, STOP true) -> Strip($LEN) -> Discard;
NBC
expect 1 "an undefined variable without its definition" -- "$nbc" check need.nbc
expect 0 "the same with its definition" -- "$nbc" check need.nbc LEN=14

"$gen" --profile quickstart -o in.pcap >/dev/null || bad "nb-gen-traffic"
expect 0 "nbrun with a definition" -- "$nbrun" --engine interp --no-control --quiet --stats none def.nbc OUT=run.pcap
[ -s run.pcap ] && ok "nbrun wrote the file a definition named" || bad "nbrun did not write run.pcap"
expect 2 "nbrun with a bad definition" -- "$nbrun" --engine interp --no-control def.nbc LEN
has err "nbrun: error: 'LEN' is not a definition: expected NAME=VALUE" "nbrun explains a bad definition"
expect 2 "nbrun with the definition before the file" -- "$nbrun" --engine interp --no-control LEN=3 def.nbc
has err "note: the configuration file comes first" "nbrun says the file comes first"
expect 1 "nbrun without a needed definition" -- "$nbrun" --engine interp --no-control --quiet need.nbc
has err "undefined variable '\$LEN'" "nbrun: undefined without the definition"

# A reload (nbctl reload, SIGHUP) gets the definitions of the command line too.
printf 'FromDump(in.pcap, LOOP true) -> Strip($LEN) -> c :: Counter -> Discard;\n' >loop.nbc
sock=$tmp/ctl.sock
ctl() { timeout 20 "$nbctl" --socket "$sock" "$@"; }
"$nbrun" loop.nbc LEN=14 --engine interp --control "$sock" --quiet --stats none --duration 60 >nbrun.out 2>nbrun.err &
nb_pid=$!
if wait_for_control; then
  expect 0 "reload with the command line's definitions" -- "$nbctl" --socket "$sock" reload
  kill -INT "$nb_pid"
  timeout 20 tail --pid="$nb_pid" -f /dev/null
  wait "$nb_pid"
  nb_pid=
else
  bad "nbrun did not answer on $sock"
  show nbrun.err
fi

# ---- nbc flatten ---------------------------------------------------------------------------
# Every valid configuration of the test corpus flattens to one that checks and flattens to
# itself (the graph is the same: tests/unit/test_corpus.cpp compares them element by element).
n=0
for f in "$src"/tests/*/*.nbc "$src"/configs/*.nbc; do
  (cd "$src" && "$nbc" check "$f") >/dev/null 2>&1 || continue
  n=$((n + 1))
  (cd "$src" && "$nbc" flatten "$f") >flat.nbc 2>flat.err || { bad "flatten $f"; show flat.err; continue; }
  (cd "$src" && "$nbc" check "$tmp/flat.nbc") >/dev/null 2>flat.err || { bad "flattened $f does not check"; show flat.err; continue; }
  (cd "$src" && "$nbc" flatten "$tmp/flat.nbc") >flat2.nbc 2>flat.err
  cmp -s flat.nbc flat2.nbc || { bad "flattening flattened $f changes it"; diff flat.nbc flat2.nbc | head; }
done
[ "$n" -ge 40 ] && ok "flatten round trip over $n configurations" || bad "only $n configurations flattened"
expect 1 "flatten of a bad config" -- "$nbc" flatten need.nbc
[ -s out ] && bad "flatten of a bad config printed a graph" || ok "flatten prints nothing for a bad config"

# ---- require(library FILE) -----------------------------------------------------------------
mkdir -p lib sub
cat >lib/strip.nbc <<'NBC'
require(library count.nbc);   // next to this file
define($HDR 14);
elementclass StripHdr { input -> Strip($HDR) -> CountIt -> output }
NBC
cat >lib/count.nbc <<'NBC'
elementclass CountIt { input -> Counter -> output }
NBC
cat >sub/main.nbc <<'NBC'
require(library "../lib/strip.nbc", library ../lib/count.nbc);
FromDump(in.pcap) -> StripHdr -> CountIt -> Discard;
NBC
expect 0 "require(library) next to the requiring file" -- "$nbc" check sub/main.nbc
expect 0 "a library's define and a definition" -- "$nbc" flatten sub/main.nbc HDR=4
has out "StripHdr@2/Strip@1 :: Strip(4);" "the library's define gives way to the definition"
hasnt out "library" "flatten leaves the libraries out (their classes are expanded)"
cat >lib/c1.nbc <<'NBC'
require(library c2.nbc);
NBC
cat >lib/c2.nbc <<'NBC'
require(library c1.nbc);
NBC
printf 'require(library lib/c1.nbc);\nFromDump(in.pcap) -> Discard;\n' >cycle.nbc
expect 1 "a cycle of libraries" -- "$nbc" check --color never cycle.nbc
has err "lib/c2.nbc:1:17: error: require(library) cycle: 'c1.nbc' includes this file" "the cycle is located"
has err "lib/c1.nbc:1:17: note: through" "the cycle's way is shown"
printf 'FromDump(in.pcap) -> Discard;\n' >lib/elements.nbc
printf 'require(library lib/elements.nbc);\nFromDump(in.pcap) -> Discard;\n' >elements.nbc
expect 1 "a library with elements" -- "$nbc" check --color never elements.nbc
has err "lib/elements.nbc:1:1: error: a library may only define element classes, variables and requirements" "library with elements"
printf 'require(library nowhere.nbc);\nFromDump(in.pcap) -> Discard;\n' >missing.nbc
expect 1 "a missing library" -- "$nbc" check --color never missing.nbc
has err "missing.nbc:1:17: error: cannot include library: cannot open" "missing library located"

# ---- #line ---------------------------------------------------------------------------------
printf 'FromDump(in.pcap) -> Discard;\n#line 100 "router.click"\nFromDump(in.pcap) -> Strip(x) -> Discard;\n' >line.nbc
expect 1 "an error after #line" -- "$nbc" check --color never line.nbc
has err "router.click:100:28: error: invalid unsigned integer" "#line renames and renumbers"
has err "  100 | FromDump(in.pcap) -> Strip(x) -> Discard;" "the snippet shows the line"
finish

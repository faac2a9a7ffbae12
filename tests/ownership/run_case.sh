#!/bin/bash
# Runs one case of the packet-ownership catalogue (see README.md next to this script).
#
# usage: run_case.sh bad|good|hole <file.cpp> <clang++> <clang-query|none> [compiler flags...]
#
# The check is the one element code gets: the compiler with -Wconsumed -Werror=consumed (the
# flags are given by the caller), then, when the source compiles and clang-query is available,
# lint_packet_params.sh (Packet parameters without NB_OWNED).
#   bad:  must be rejected; the output must match the regex on the file's first line,
#         `// expect: <ERE>`. Every line marked `// <-- error` must get an error, and the
#         expected message must be reported on one of them (when the file marks any line).
#   good: must be accepted without any warning.
#   hole: must be accepted (the file shows a bug nothing catches; docs/ownership.md lists it).
# Exit 0 pass, 1 fail, 77 skipped (the case needs the lint and clang-query was not found).
set -u
mode=$1
file=$2
cxx=$3
query=$4
shift 4
name=$(basename "$file")
here=$(cd "$(dirname "$0")" && pwd)

fail() {
  echo "----- output -----"
  printf '%s\n' "$out"
  echo "------------------"
  echo "FAIL ($mode) $name: $*"
  exit 1
}

if grep -q '^// needs: lint' "$file" && [ "$query" = none ]; then
  echo "SKIP $name: needs clang-query for lint_packet_params.sh"
  exit 77
fi

out=$("$cxx" "$@" -fsyntax-only -fno-color-diagnostics "$file" 2>&1)
crc=$?
lrc=0
if [ $crc -eq 0 ] && [ "$query" != none ]; then
  lout=$("$here/lint_packet_params.sh" "$query" "$file" "$@" 2>&1)
  lrc=$?
  out+=$'\n'"$lout"
  [ $lrc -ge 2 ] && fail "the lint could not run"
fi
accepted=0
[ $crc -eq 0 ] && [ $lrc -eq 0 ] && accepted=1

case $mode in
  bad)
    expect=$(sed -n '1s|^// expect: ||p' "$file")
    [ $accepted -eq 1 ] && fail "accepted; expected a rejection matching: $expect"
    [ -n "$expect" ] || fail "the first line must be '// expect: <regex>'"
    printf '%s\n' "$out" | grep -qE -- "$expect" || fail "rejected, but no message matches: $expect"
    marked=$(grep -n '// <-- error' "$file" | cut -d: -f1 | tr '\n' ' ')
    if [ -n "$marked" ]; then
      name_re=$(printf '%s' "$name" | sed 's/[.]/\\./g')
      for l in $marked; do
        printf '%s\n' "$out" | grep -qE "(^|/)$name_re:$l:[0-9]+: error: " ||
          fail "no error reported on line $l (marked '// <-- error')"
      done
      lines=$(printf '%s' "$marked" | sed 's/ *$//; s/ /|/g')
      printf '%s\n' "$out" | grep -E "(^|/)$name_re:($lines):[0-9]+: error: " | grep -qE -- "$expect" ||
        fail "the expected message is not reported on a marked line ($marked): $expect"
    fi
    echo "PASS $name: rejected as expected ($expect)"
    ;;
  good)
    [ $accepted -eq 1 ] || fail "rejected; correct code must compile"
    printf '%s\n' "$out" | grep -qE '(warning|error):' && fail "compiled with warnings"
    echo "PASS $name: accepted"
    ;;
  hole)
    [ $accepted -eq 1 ] ||
      fail "no longer accepted: the hole seems closed. Rename the file to bad_*.cpp, give it an '// expect:' line and update docs/ownership.md"
    echo "PASS $name: still accepted (known hole: $(sed -n '1s|^// hole: ||p' "$file"))"
    ;;
  *)
    echo "usage: run_case.sh bad|good|hole <file.cpp> <clang++> <clang-query|none> [flags...]" >&2
    exit 2
    ;;
esac

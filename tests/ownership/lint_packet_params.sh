#!/bin/bash
# Finds Packet parameters that clang's typestate analysis does not check.
#
# A parameter of type `Packet` (by value) or `Packet&&` receives ownership of a packet. Only
# return_typestate(consumed), which NB_OWNED carries, makes -Wconsumed check that the function
# gives the packet away on every path: without it, a kernel or helper that forgets the packet
# compiles cleanly (a by-value parameter is destroyed by the caller, and a caller takes a packet
# passed as Packet&& as given away). -Werror=consumed cannot see the missing attribute, so this
# lint rejects every such parameter outside system headers and deleted functions.
#
# usage: lint_packet_params.sh <clang-query> <source> [compiler flags...]
# Exit 0: clean. Exit 1: unannotated Packet parameters, each reported as
#   file:line:col: error: Packet parameter lacks NB_OWNED ...
# Exit 2: clang-query failed (e.g. the source does not compile).
set -u
query=$1
src=$2
shift 2
script=$(mktemp)
out=$(mktemp)
trap 'rm -f "$script" "$out"' EXIT
cat >"$script" <<'QUERY'
set output diag
set bind-root false
let P cxxRecordDecl(hasName("::nb::Packet"))
let OwnedType anyOf(hasType(hasCanonicalType(recordType(hasDeclaration(P)))), hasType(hasCanonicalType(rValueReferenceType(pointee(recordType(hasDeclaration(P)))))))
match parmVarDecl(OwnedType, unless(hasAttr("attr::ReturnTypestate")), unless(hasAncestor(functionDecl(isDeleted()))), unless(isExpansionInSystemHeader())).bind("unannotated")
QUERY
"$query" -f "$script" "$src" -- "$@" >"$out" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! grep -qE '^[0-9]+ match(es)?\.$' "$out"; then
  cat "$out"
  echo "lint_packet_params: clang-query failed on $src" >&2
  exit 2
fi
# clang-query reports each match as `file:line:col: note: "unannotated" binds here`, then the
# source line and a caret; report it as an error and keep the excerpt.
sed -E -e 's/: note: "unannotated" binds here$/: error: Packet parameter lacks NB_OWNED: clang does not check that it is sent or dropped on every path, so a leak compiles [nb-ownership-lint]/' \
  -e '/^(Match #[0-9]+:)?$/d' "$out"
grep -qE '^0 matches\.$' "$out"

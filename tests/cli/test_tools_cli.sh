#!/usr/bin/env bash
# The command-line contract of nbrun, nbctl, nb-gen-traffic and nbbench (nbc's is in
# test_nbc_cli.sh): --version, readable range errors, unknown subcommands, and configuration
# files that are not configurations (a directory, an empty file, /dev/null, a FIFO, /dev/zero):
# refused with a clear error and exit 1, never blocking, never run as an empty graph, and
# refused by a reload, which keeps the running graph.
# Usage: test_tools_cli.sh NBRUN NBCTL NB-GEN-TRAFFIC NBBENCH SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
bench=$(readlink -f "$4")
. "$5/tests/integration/lib.sh"
enter_scratch -p /tmp nb-tools-cli.XXXXXX

# expect STATUS DESCRIPTION -- command...: runs it (at most 20 s) with stdout in out, stderr in err.
expect() {
  local want=$1 what=$2
  shift 3
  timeout 20 "$@" >out 2>err </dev/null
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

version=$(sed -n 's/^project(nb VERSION \([0-9.]*\).*/\1/p' "$5/CMakeLists.txt")
for t in "nbrun:$nbrun" "nbctl:$nbctl" "nb-gen-traffic:$gen" "nbbench:$bench"; do
  name=${t%%:*}
  expect 0 "$name --version" -- "${t#*:}" --version
  has out "$name $version" "$name --version prints '$name $version'"
done

# Range errors name a readable bound, not DBL_MAX in 300 digits.
expect 2 "nbrun --duration -1" -- "$nbrun" --duration -1 x.nbc
has err "--duration" "the error names --duration"
[ "$(wc -c <err)" -lt 300 ] && ok "the --duration error is short" || { bad "the --duration error is $(wc -c <err) bytes"; show err 3; }
expect 2 "nbctl --timeout -1" -- "$nbctl" --timeout -1 ping
[ "$(wc -c <err)" -lt 300 ] && ok "the --timeout error is short" || { bad "the --timeout error is $(wc -c <err) bytes"; show err 3; }

# A count that cannot fit in memory is a usage error, not an allocation failure.
# The address-space cap makes an attempt to hold 10^11 packets fail fast; AddressSanitizer needs
# terabytes of shadow address space, so an instrumented build runs without it.
vmcap="ulimit -v 2000000;"
grep -qa __asan_init "$gen" && vmcap=""
expect 2 "nb-gen-traffic --count 100000000000" -- bash -c "$vmcap '$gen' --profile random --count 100000000000 -o x.pcap"
has err "--count" "the error names --count"

expect 2 "nbctl frobnicate" -- "$nbctl" frobnicate
has err "unknown subcommand 'frobnicate'" "nbctl names the unknown subcommand"
has err "ping" "nbctl lists the subcommands"
expect 2 "nbctl --socket x frobnicate" -- "$nbctl" --socket x frobnicate
has err "unknown subcommand 'frobnicate'" "nbctl skips the --socket value"

# Configurations that are not: refused, with what they are.
mkdir dir
: >empty.nbc
printf '// only a comment\nelementclass Unused { input -> output }\n' >comments.nbc
mkfifo fifo.nbc
for c in "dir:is a directory" "empty.nbc:has no elements" "comments.nbc:has no elements" \
         "/dev/null:is a character device" "fifo.nbc:is a FIFO" "/dev/zero:is a character device"; do
  file=${c%%:*}
  expect 1 "nbrun $file" -- "$nbrun" --engine interp --no-control --quiet "$file"
  has err "${c#*:}" "nbrun $file: ${c#*:}"
done

# A small --mempool gets small per-core caches (DPDK refuses a cache above 2/3 of the pool:
# `--mempool 256` used to fail with "cannot allocate a mempool ... Invalid argument").
"$gen" --profile quickstart -o small.pcap >/dev/null || bad "nb-gen-traffic"
printf 'FromDump(small.pcap) -> Discard;\n' >small.nbc
expect 0 "nbrun --mempool 256" -- "$nbrun" --engine interp --no-control --quiet --mempool 256 small.nbc

# A reload of such a file is refused and the running graph keeps running. (A FIFO used to
# block the control thread for ever.)
"$gen" --profile quickstart -o in.pcap >/dev/null || bad "nb-gen-traffic"
printf 'FromDump(in.pcap, LOOP true) -> c :: Counter -> Discard;\n' >run.nbc
sock=$tmp/ctl.sock
ctl() { timeout 20 "$nbctl" --socket "$sock" "$@"; }
"$nbrun" run.nbc --engine interp --control "$sock" --quiet --stats none --duration 60 >nbrun.out 2>nbrun.err &
nb_pid=$!
if wait_for_control; then
  for c in "dir:is a directory" "empty.nbc:has no elements" "fifo.nbc:is a FIFO" "/dev/zero:is a character device"; do
    file=${c%%:*}
    expect 1 "nbctl reload $file" -- "$nbctl" --socket "$sock" reload "$file"
    has err "${c#*:}" "reload $file: ${c#*:}"
    expect 0 "nbrun still answers after reload $file" -- "$nbctl" --socket "$sock" read c.count
  done
  kill -INT "$nb_pid"
  timeout 20 tail --pid="$nb_pid" -f /dev/null
  wait "$nb_pid"
  st=$?
  nb_pid=
  [ "$st" -eq 0 ] && ok "nbrun ends cleanly on SIGINT after the refused reloads" || { bad "nbrun exit $st"; show nbrun.err; }
else
  bad "nbrun did not answer on $sock"
  show nbrun.err
fi
finish

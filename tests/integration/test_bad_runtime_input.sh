#!/usr/bin/env bash
# nbrun on configurations that are fine but name files or devices that are not: each must give a
# clear error at the configuration's file:line:col naming the culprit, exit non-zero, print no
# statistics, and not crash (no signal, no "terminate called", no sanitizer report).
# Usage: test_bad_runtime_input.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
gen=$(readlink -f "$2")
src=$(readlink -f "$3")
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# Deterministic "random" bytes: a SHA-256 chain. random_bytes N SEED > FILE
random_bytes() {
  local n=$1 h=$2 hex=""
  while [ $((${#hex} / 2)) -lt "$n" ]; do
    h=$(printf '%s' "$h" | sha256sum | cut -c1-64)
    hex+=$h
  done
  printf '%b' "$(printf '%s' "${hex:0:$((2 * n))}" | sed 's/../\\x&/g')"
}

# expect_error NAME CULPRIT REGEX: nbrun NAME.nbc (whose line 2 names CULPRIT) must fail with an
# error located at NAME.nbc:2:COL that names CULPRIT and matches REGEX.
expect_error() {
  local name=$1 culprit=$2 re=$3
  run_limited 30 "$name.out" "$name.err" "$nbrun" "$name.nbc" --engine interp --stats json --quiet
  local st=$? pid=$last_pid
  clean_leftovers "$pid"
  crashed "$st" "$name.err" "$name" && return
  local problems=()
  [ "$st" -ne 0 ] || problems+=("exit 0")
  grep -Eq "^$name\.nbc:2:[0-9]+: error: .*$culprit" "$name.err" ||
    problems+=("no error at $name.nbc:2:COL naming '$culprit'")
  grep -Eiq -- "$re" "$name.err" || problems+=("the error does not say what is wrong (/$re/)")
  [ ! -s "$name.out" ] || problems+=("statistics printed although nothing ran")
  if [ ${#problems[@]} -eq 0 ]; then
    ok "$name: exit $st, $(grep -m1 -E "^$name\.nbc:2:" "$name.err")"
  else
    bad "$name: $(IFS=';'; echo "${problems[*]}")"
    show "$name.err" 12
  fi
}

# A missing input file.
printf '// the input file does not exist\nsrc :: FromDump(nope.pcap) -> Discard;\n' >missing.nbc
expect_error missing "nope\\.pcap" "no such file|cannot open|not found|does not exist"

# A DPDK device that does not exist, by name and by port number.
printf '// no such DPDK driver\nsrc :: FromDevice(net_bogus0) -> Discard;\n' >bogus_device.nbc
expect_error bogus_device "net_bogus0" "cannot create|unknown|no such|not found"
printf '// no such DPDK port\nsrc :: FromDevice(7) -> Discard;\n' >bogus_port.nbc
expect_error bogus_port "7" "no DPDK port|no such|not found|invalid"

# Not a pcap file at all: random bytes, and an empty file.
random_bytes 4096 corrupt >corrupt.pcap
printf '// random bytes\nsrc :: FromDump(corrupt.pcap) -> Discard;\n' >corrupt.nbc
expect_error corrupt "corrupt\\.pcap" "pcap|format|corrupt|invalid"
: >empty.pcap
printf '// an empty file\nsrc :: FromDump(empty.pcap) -> Discard;\n' >empty.nbc
expect_error empty "empty\\.pcap" "pcap|format|empty|truncated|invalid"

# An output file that cannot be created.
printf '// an output in a directory that does not exist\nFromDump(in.pcap) -> ToDump(no/such/dir/out.pcap);\n' >unwritable.nbc
"$gen" --profile udp-seq --count 10 -o in.pcap || bad "nb-gen-traffic failed"
expect_error unwritable "no/such/dir/out\\.pcap" "cannot create|cannot open|cannot write|no such"

# A valid pcap header followed by random bytes: the first record header is garbage (tcpdump:
# "invalid packet capture length"). Reading it as an empty trace without a word hides the
# problem: nbrun must report it at the FromDump, as an error (exit non-zero) or at least a warning.
{ head -c 24 "$src/configs/traffic/quickstart.pcap"; random_bytes 2000 records; } >garbage_records.pcap
tcpdump -r garbage_records.pcap >/dev/null 2>&1 && bad "tcpdump accepts garbage_records.pcap: the test input is wrong"
printf '// a pcap header, then garbage\nsrc :: FromDump(garbage_records.pcap) -> Discard;\n' >garbage_records.nbc
run_limited 30 /dev/null garbage_records.err "$nbrun" garbage_records.nbc --engine interp --stats none --quiet
st=$?
clean_leftovers "$last_pid"
if ! crashed "$st" garbage_records.err garbage_records; then
  if grep -Eq "^garbage_records\.nbc:2:[0-9]+: (error|warning): .*garbage_records\.pcap" garbage_records.err; then
    ok "garbage_records: exit $st, $(grep -m1 -E '^garbage_records\.nbc:2:' garbage_records.err)"
  else
    bad "garbage_records: exit $st and no error or warning at garbage_records.nbc:2:COL naming garbage_records.pcap (corrupt records read as the end of the file)"
    show garbage_records.err 12
  fi
fi

# A pcapng file. FromDump documents pcap files and nbrun's own hint says "not pcapng": either it
# is refused with a clear error, or (libpcap reads pcapng too) it is read correctly, every packet
# as in the pcap it was converted from. Anything else (a crash, a silent empty run) fails.
if command -v tshark >/dev/null; then
  tshark -r "$src/configs/traffic/quickstart.pcap" -F pcapng -w trace.pcapng 2>/dev/null
  printf '// a pcapng file\nsrc :: FromDump(trace.pcapng) -> ToDump(pcapng-out.pcap);\n' >pcapng.nbc
  run_limited 30 /dev/null pcapng.err "$nbrun" pcapng.nbc --engine interp --stats none --quiet
  st=$?
  clean_leftovers "$last_pid"
  if ! crashed "$st" pcapng.err pcapng; then
    if [ "$st" -ne 0 ]; then
      if grep -Eq "^pcapng\.nbc:2:[0-9]+: error: .*trace\.pcapng" pcapng.err && grep -qi "pcapng" pcapng.err; then
        ok "pcapng: refused: $(grep -m1 -E '^pcapng\.nbc:2:' pcapng.err)"
      else
        bad "pcapng: exit $st without a clear error at pcapng.nbc:2:COL naming trace.pcapng and saying pcapng"
        show pcapng.err 12
      fi
    elif [ -s pcapng-out.pcap ] &&
      diff -q <(hex_packets "$src/configs/traffic/quickstart.pcap") <(hex_packets pcapng-out.pcap) >/dev/null; then
      ok "pcapng: read correctly (all $(hex_packets pcapng-out.pcap | wc -l) packets) rather than refused"
    else
      bad "pcapng: exit 0 but the packets written are not the ones in the file"
    fi
  fi
else
  echo "note: tshark is not installed: pcapng case not run"
fi
finish

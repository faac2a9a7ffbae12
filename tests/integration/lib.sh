# Helpers shared by the integration tests (sourced, not run). The oracles are tshark, tcpdump
# and plain shell/awk; nothing here uses nb's own code.

fail=0
ok() { echo "ok: $*"; }
bad() {
  echo "FAIL: $*"
  fail=1
}
skip() {
  echo "SKIP: $*"
  exit 77
}
finish() {
  if [ "$fail" -ne 0 ]; then
    echo "== FAILED"
    exit 1
  fi
  echo "== all checks passed"
  exit 0
}

# Show a file indented, for failure reports: show FILE [LINES]
show() { sed 's/^/  | /' "$1" | head -"${2:-30}"; }

# A crash or a sanitizer report: exit status 128+ (signal) or 124 (timeout), or the usual
# fingerprints on stderr. crashed STATUS STDERR_FILE DESCRIPTION
crashed() {
  local st=$1 err=$2 what=$3
  if [ "$st" -eq 124 ]; then
    bad "$what: timed out (hung?)"
    return 0
  fi
  if [ "$st" -ge 128 ]; then
    bad "$what: killed by signal $((st - 128)) (crash)"
    show "$err"
    return 0
  fi
  if grep -Eq "Segmentation fault|terminate called|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|Assertion .* failed|core dumped|PANIC in" "$err"; then
    bad "$what: crash or sanitizer report on stderr"
    show "$err"
    return 0
  fi
  return 1
}

# nbrun's --stats json, flattened to one line per value: key<TAB>key...<TAB>value. Relies only on
# the layout nlohmann::json::dump(2) produces (one member per line, two spaces per level).
json_flatten() {
  awk '
    {
      line = $0
      match(line, /^ */)
      depth = RLENGTH / 2
      line = substr(line, RLENGTH + 1)
      if (line !~ /^"/) next
      line = substr(line, 2)
      end = index(line, "\":")
      if (end == 0) next
      key = substr(line, 1, end - 1)
      rest = substr(line, end + 2)
      sub(/^ +/, "", rest)
      path[depth] = key
      if (rest ~ /^[{[]/ && rest !~ /^\{\},?$/ && rest !~ /^\[\],?$/) next
      sub(/,$/, "", rest)
      if (rest ~ /^".*"$/) rest = substr(rest, 2, length(rest) - 2)
      p = path[1]
      for (i = 2; i <= depth; ++i) p = p "\t" path[i]
      print p "\t" rest
    }' "$1"
}

# json_get FLAT KEY... : the value at that path in a flattened file (empty when absent).
json_get() {
  local flat=$1
  shift
  local want
  want=$(printf '%s\t' "$@")
  awk -F'\t' -v want="$want" '{ v = $NF; p = substr($0, 1, length($0) - length(v)); if (p == want) { print v; exit } }' "$flat"
}

# json_sum FLAT SECTION FIELD : the sum of SECTION.*.FIELD (e.g. elements * drops).
json_sum() {
  awk -F'\t' -v s="$2" -v f="$3" '$1 == s && NF == 4 && $3 == f { n += $4 } END { print n + 0 }' "$1"
}

# Every packet of a pcap as one line of hex (link-layer header first; empty for an empty
# packet), via tcpdump: each packet is a one-line summary (-q) followed by its hex lines.
hex_packets() {
  tcpdump -r "$1" -nn -q -t -xx 2>/dev/null | awk '
    /^\t0x[0-9a-f]+:/ { for (i = 2; i <= NF; ++i) s = s $i; next }
    { if (n++) print s; s = "" }
    END { if (n) print s }'
}

# run_limited SECONDS OUT ERR COMMAND...: run COMMAND with stdout/stderr to OUT/ERR, killing it
# after SECONDS (status 124 then). Sets last_pid, for leftovers below.
run_limited() {
  local limit=$1 out=$2 err=$3 t=0
  shift 3
  "$@" >"$out" 2>"$err" &
  last_pid=$!
  while kill -0 "$last_pid" 2>/dev/null; do
    if [ "$t" -ge $((limit * 10)) ]; then
      kill -KILL "$last_pid" 2>/dev/null
      wait "$last_pid" 2>/dev/null
      return 124
    fi
    sleep 0.1
    t=$((t + 1))
  done
  wait "$last_pid"
}

# DPDK runtime directories (EAL --file-prefix, nbrun's is per process) left behind by the
# process PID once it has ended: each holds megabytes of memory maps, in /run (a tmpfs on most
# systems). leftovers PID: lists them.
leftovers() {
  local base dirs=()
  mapfile -t dirs < <(for base in /var/run/dpdk /run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk" /tmp/dpdk; do
    [ -d "$base" ] && readlink -f "$base"
  done | sort -u)
  [ ${#dirs[@]} -eq 0 ] || find "${dirs[@]}" -maxdepth 1 -mindepth 1 -name "*-$1" 2>/dev/null
}
# no_leftovers PID DESCRIPTION: fail if there are any (then remove them: they are ours, and the
# test suite must not pile them up).
no_leftovers() {
  local found=()
  mapfile -t found < <(leftovers "$1")
  if [ ${#found[@]} -eq 0 ]; then
    ok "$2: no DPDK runtime files left behind"
  else
    bad "$2: DPDK runtime files left behind: ${found[*]} ($(du -sch "${found[@]}" 2>/dev/null | awk 'END { print $1 }'))"
    rm -rf "${found[@]}"
  fi
}
# clean_leftovers PID: remove them without a word (test_quickstart.sh is the one that checks).
clean_leftovers() {
  local found=()
  mapfile -t found < <(leftovers "$1")
  [ ${#found[@]} -eq 0 ] || rm -rf "${found[@]}"
}

# A scratch folder for one test: `enter_scratch [mktemp options]` creates it (as $tmp), changes
# into it, and at exit kills the nbrun whose pid the test put in $nb_pid, cleans up after it and
# removes the folder.
# shellcheck disable=SC2317  # run by the EXIT trap
scratch_cleanup() {
  if [ -n "${nb_pid:-}" ]; then
    kill -KILL "$nb_pid" 2>/dev/null
    wait "$nb_pid" 2>/dev/null
    clean_leftovers "$nb_pid"
  fi
  rm -rf "$tmp"
}
enter_scratch() {
  tmp=$(mktemp -d "$@") || exit 1
  nb_pid=
  trap scratch_cleanup EXIT
  trap 'exit 1' INT TERM
  cd "$tmp" || exit 1
}

# Waits (up to 10 s) until the nbrun in $nb_pid answers `ctl ping` on its control socket (the test
# defines ctl); false when it does not, or exits first.
wait_for_control() {
  for _ in $(seq 100); do
    ctl ping >/dev/null 2>&1 && return 0
    kill -0 "$nb_pid" 2>/dev/null || break
    sleep 0.1
  done
  ctl ping >/dev/null 2>&1
}

#!/usr/bin/env bash
# nbrun and the on-disk cache of JIT code: a second run of an unchanged graph loads its code
# (jit.cache "hit" in --stats json) and forwards exactly as the first run and the interpreter;
# --no-jit-cache neither reads nor writes; a damaged entry is compiled again and replaced; an
# unusable cache directory costs one note, never the run.
#   test_cache_nbrun.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR
# Most runs are made with address space randomisation off (setarch -R), as they were when the
# code baked in the addresses of element States; the "tiered" runs below run without it.
set -u
nbrun=$1 gen=$2 src=$3
. "$src/tests/integration/lib.sh"
command -v setarch >/dev/null || skip "setarch (util-linux) is not installed"
setarch "$(uname -m)" -R true 2>/dev/null || skip "setarch -R is not permitted here"
command -v tshark >/dev/null || skip "tshark is not installed"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
"$gen" --profile udp-seq --size 60 --flows 16 --count 64 -o in.pcap >/dev/null 2>&1 || { echo "FAIL: nb-gen-traffic"; exit 1; }
cat >g.nbc <<'NBC'
FromDump("in.pcap") -> Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14) -> ToDump("out.pcap");
NBC
export XDG_CACHE_HOME=$work/cache

# run NAME [nbrun options]: out.pcap copied to NAME.pcap, the report's jit.cache in NAME.cache
run() {
  local name=$1
  shift
  rm -f out.pcap
  # --engine jit unless the call names one: every packet then goes through the JIT's code (with
  # tiered, the default, the interpreter may forward a short trace before the code is ready).
  local engine=(--engine jit)
  case " $* " in *" --engine "*) engine=() ;; esac
  setarch "$(uname -m)" -R "$nbrun" g.nbc --stats json --quiet --no-control "${engine[@]}" "$@" >"$name.json" 2>"$name.err"
  local st=$?
  if [ $st -ne 0 ]; then
    bad "$name: nbrun exited with $st"
    show "$name.err"
    return
  fi
  cp out.pcap "$name.pcap"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("jit", {}).get("cache", "none"))' "$name.json" >"$name.cache"
}
ttls() { tshark -n -r "$1" -T fields -e ip.ttl -e ip.checksum.status -o ip.check_checksum:TRUE 2>/dev/null; }
expect() {  # expect NAME CACHE
  local got
  got=$(cat "$1.cache" 2>/dev/null)
  [ "$got" = "$2" ] && ok "$1: jit.cache $got" || bad "$1: jit.cache is '$got', expected '$2'"
}
same() {  # same NAME: forwarded what the interpreter forwarded
  if [ -s "$1.pcap" ] && [ "$(ttls "$1.pcap")" = "$(ttls interp.pcap)" ] && [ "$(ttls "$1.pcap" | wc -l)" -eq 64 ]; then
    ok "$1: 64 packets, TTLs and checksums as the interpreter's"
  else
    bad "$1: its output differs from the interpreter's"
  fi
}
entries() { find "$XDG_CACHE_HOME/nb/jit" -name '*.o' 2>/dev/null | wc -l; }

run interp --engine interp
expect interp none
[ "$(ttls interp.pcap | awk '$1 == 63 && $2 == 1' | wc -l)" -eq 64 ] && ok "interp: 64 packets with TTL 63 and good checksums" ||
  bad "interp: unexpected output"

run off --no-jit-cache
expect off off
same off
[ "$(entries)" -eq 0 ] && ok "off: nothing written" || bad "off: --no-jit-cache wrote to the cache"

run first
expect first miss
same first
[ "$(entries)" -eq 1 ] && ok "first: one entry" || bad "first: $(entries) entries, expected 1"
run second
expect second hit
same second

entry=$(find "$XDG_CACHE_HOME/nb/jit" -name '*.o' | head -1)
size=$(stat -c %s "$entry")
head -c $((size / 2)) "$entry" >"$entry.cut" && mv "$entry.cut" "$entry"
run damaged
expect damaged miss
same damaged
[ "$(stat -c %s "$entry")" -eq "$size" ] && ok "damaged: the entry was rewritten whole" || bad "damaged: entry not rewritten"
run after_damage
expect after_damage hit
same after_damage

# The default engine (tiered) with one worker, address space randomisation on: the one-worker
# code names the memory it addresses by symbols that are bound when it is loaded, so a second
# process, whose State blocks are elsewhere, loads the first one's code and forwards as it did.
tiered() {  # tiered NAME [nbrun options]: like run, without setarch -R, nbrun's default engine
  local name=$1
  shift
  rm -f out.pcap
  "$nbrun" g.nbc --stats json --quiet --no-control --workers 1 "$@" >"$name.json" 2>"$name.err" ||
    { bad "$name: nbrun failed"; show "$name.err"; return; }
  cp out.pcap "$name.pcap"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("jit", {}).get("cache", "none"))' "$name.json" >"$name.cache"
}
XDG_CACHE_HOME=$work/cache_tiered
tiered tiered_first
expect tiered_first miss
same tiered_first
tiered tiered_second
expect tiered_second hit
same tiered_second
# Every packet through the loaded code, bound to this process's addresses.
tiered tiered_jit --engine jit
expect tiered_jit hit
same tiered_jit
XDG_CACHE_HOME=$work/cache

echo x >"$work/file"
XDG_CACHE_HOME=$work/file run unwritable
expect unwritable miss
same unwritable
notes=$(grep -c "note: JIT code is not cached" unwritable.err)
[ "$notes" -eq 1 ] && ok "unwritable: one note" || { bad "unwritable: $notes notes on stderr"; show unwritable.err; }
finish

#!/usr/bin/env bash
# The control socket and nbctl against a running nbrun, under full-rate traffic:
#   - the default socket path ($XDG_RUNTIME_DIR/nb/nbrun-PID.sock, printed at start-up, mode
#     0600), found by nbctl without --socket; removed when nbrun exits;
#   - ping, list (elements, classes, handlers), stats (JSON), read and write of handlers:
#     Counter count/rate/reset, Classifier counts, CheckIPHeader drop_reasons, DecIPTTL active
#     (written false, the packets it passes keep TTL 64, as tcpdump shows), errors for unknown
#     elements and handlers, read-only handlers and bad values (nbctl exits 1 with the text);
#   - malformed, oversized and binary requests get ERROR replies on a raw socket (python3),
#     the connection stays usable, and the data path keeps counting;
#   - a reload that adds a port starts it and one that removes it stops it (its capture is
#     complete: tcpdump reads it);
#   - SIGHUP reloads the same file; --watch reloads on change, reports a broken file with
#     FILE:LINE:COL on stderr and keeps running the old graph;
#   - --no-control serves nothing; --control on a path in use is an error.
# Usage: test_control.sh NBRUN NBCTL NB-GEN-TRAFFIC SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
gen=$(readlink -f "$3")
. "$4/tests/integration/lib.sh"

command -v tcpdump >/dev/null || skip "tcpdump is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"

base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
enter_scratch -p "$base" nb-control.XXXXXX
export XDG_RUNTIME_DIR=$tmp/xdg
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset NB_CONTROL_SOCKET

"$gen" --profile udp-seq --count 1000 --size 60 --flows 1000 -o seq.pcap >/dev/null || {
  echo "FAIL: nb-gen-traffic"
  exit 1
}
graph() {  # graph [second output]
  cat <<EOF
src :: FromDump(seq.pcap, LOOP true);
sink :: ToDump(out.pcap);
src -> Strip(14) -> chk :: CheckIPHeader -> ttl :: DecIPTTL -> c :: Counter -> cls :: Classifier(35/00%3f, -);
cls[1] -> Discard;
EOF
  if [ "${1:-}" = tee ]; then
    echo "cls[0] -> Unstrip(14) -> t :: Tee(2); t[0] -> ToDump(out2.pcap); t[1] -> sink;"
  else
    echo "cls[0] -> Unstrip(14) -> sink;"
  fi
}
graph >cfg.nbc
graph tee >tee.nbc

"$nbrun" cfg.nbc --quiet --stats json --watch --duration 100 >stats.json 2>nbrun.err &
nb_pid=$!
sock=$XDG_RUNTIME_DIR/nb/nbrun-$nb_pid.sock
for _ in $(seq 100); do
  [ -S "$sock" ] && break
  kill -0 "$nb_pid" 2>/dev/null || break
  sleep 0.1
done
if ! [ -S "$sock" ]; then
  bad "no control socket at $sock"
  show nbrun.err
  finish
fi
# nbrun binds the socket, then prints the line: under ASan the socket can appear first.
for _ in $(seq 100); do
  grep -q "control socket $sock" nbrun.err && break
  sleep 0.1
done
grep -q "control socket $sock" nbrun.err && ok "nbrun prints its control socket: $sock" || bad "start-up line missing: $(head -3 nbrun.err)"
[ "$(stat -c %a "$sock")" = 600 ] && ok "socket mode 0600" || bad "socket mode $(stat -c %a "$sock")"

# expect NAME STATUS REGEX COMMAND...: nbctl's exit status and its stdout+stderr.
expect() {
  local name=$1 want=$2 re=$3 st
  shift 3
  "$nbctl" "$@" >"$name.out" 2>"$name.err"
  st=$?
  if [ "$st" -eq "$want" ] && { if [ "$re" = EMPTY ]; then ! [ -s "$name.out" ] && ! [ -s "$name.err" ]; else cat "$name.out" "$name.err" | grep -Eq -- "$re"; fi; }; then
    ok "nbctl $*: exit $st, $(cat "$name.out" "$name.err" | head -1)"
  else
    bad "nbctl $*: exit $st (want $want), output not matching /$re/"
    show "$name.out"
    show "$name.err"
  fi
}

expect ping 0 "^pong nbrun $nb_pid generation 1" ping
expect list 0 "^c Counter .*count:r.*reset:w" list
grep -Eq "^ttl DecIPTTL .*active:rw" list.out && ok "list: ttl DecIPTTL ... active:rw" || bad "list lacks ttl's active:rw"
grep -Eq "^cls Classifier .*counts:r" list.out && ok "list: cls Classifier ... counts:r" || bad "list lacks cls's counts"
expect help 0 "reload" --help
expect usage 2 "." frobnicate

c1=$("$nbctl" read c.count)
sleep 0.3
c2=$("$nbctl" read c.count)
[ "$c2" -gt "$c1" ] && ok "c.count grows while running ($c1 -> $c2)" || bad "c.count $c1 -> $c2"
rate=$("$nbctl" read c.rate)
awk -v r="$rate" 'BEGIN { exit !(r > 1000) }' && ok "c.rate $rate packets/s" || bad "c.rate '$rate'"
expect counts 0 "^0 [1-9][0-9]*$" read cls.counts
[ "$(wc -l <counts.out)" -eq 2 ] && ok "cls.counts: one line per output" || bad "cls.counts: $(cat counts.out)"
expect reasons 0 "^bad checksum 0$" read chk.drop_reasons
expect class 0 "^DecIPTTL$" read ttl.class
expect no_element 1 "no element named 'nope'" read nope.count
expect typo 1 "no handler 'cont'.*did you mean 'count'" read c.cont
expect read_only 1 "c.count is read-only" write c.count 5
expect bad_value 1 "expected true or false" write ttl.active maybe
expect bad_target 1 "ELEMENT.HANDLER" read c

# DecIPTTL active: off for a while, then on again.
expect active_off 0 EMPTY write ttl.active false
expect active_read 0 "^false$" read ttl.active
sleep 0.3
expect active_on 0 EMPTY write ttl.active true
expect active_read2 0 "^true$" read ttl.active

# Counter reset.
before=$("$nbctl" read c.count)
expect reset 0 EMPTY write c.reset
after=$("$nbctl" read c.count)
[ "$after" -lt "$before" ] && ok "c.reset: count $before -> $after" || bad "c.reset: count $before -> $after"

# Raw protocol: errors for garbage, the connection stays usable, the data path is undisturbed.
before=$("$nbctl" read c.count)
python3 - "$sock" >raw.out 2>&1 <<'EOF'
import socket, sys, time
def reply(f):
    head = f.readline()
    if not head:
        return None, None
    kind, n = head.decode().split()
    return kind, f.read(int(n)).decode(errors="replace")
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
tests = [
    (b"bogus\n", "ERROR", "unknown command"),
    (b"x" * 10000 + b"\n", "ERROR", "longer than 4096"),
    (b"\x00\x01\x02\xff\n", "ERROR", "control characters"),
    (b"read\n", "ERROR", "needs ELEMENT.HANDLER"),
    (b"read c.count extra\n", "ERROR", "no arguments"),
    (b"ping now\n", "ERROR", "no arguments"),
    (b"\n", "ERROR", "empty request"),
    (b"read c.count\r\n", "OK", ""),
    (b"ping\n", "OK", "pong"),
]
bad = 0
for req, kind, text in tests:
    s.sendall(req)
    k, body = reply(f)
    good = k == kind and text in body
    bad += not good
    print(("ok" if good else "BAD"), repr(req[:20]), k, body.strip()[:60])
# Several requests in one write, and one split across writes.
s.sendall(b"ping\nping\npi")
time.sleep(0.05)
s.sendall(b"ng\n")
for _ in range(3):
    k, body = reply(f)
    good = k == "OK" and body.startswith("pong")
    bad += not good
    print(("ok" if good else "BAD"), "pipelined ping", k)
# Clients that go away: mid-line, right after connecting, with unread replies.
for payload in (b"read c.co", b"", b"stats\nstats\nstats\n"):
    t = socket.socket(socket.AF_UNIX)
    t.connect(sys.argv[1])
    t.sendall(payload)
    t.close()
s.sendall(b"stats\n")
k, body = reply(f)
import json
try:
    j = json.loads(body)
    good = k == "OK" and j["stop_reason"] == "running" and j["elements"]["c"]["class"] == "Counter"
except Exception as e:
    good = False
    print("stats:", e)
bad += not good
print(("ok" if good else "BAD"), "stats is JSON with the running graph")
sys.exit(1 if bad else 0)
EOF
st=$?
sleep 0.2
after=$("$nbctl" read c.count)
if [ "$st" -eq 0 ] && [ "$after" -gt "$before" ]; then
  ok "raw protocol: $(grep -c '^ok' raw.out) error and edge cases answered; still counting ($before -> $after)"
else
  bad "raw protocol: exit $st, c.count $before -> $after"
  show raw.out
fi

# A reload that adds a port, then one that removes it.
expect add_port 0 '"ports":\{"kept":2,"started":1,"stopped":0\}' reload tee.nbc
sleep 0.3
expect remove_port 0 '"ports":\{"kept":2,"started":0,"stopped":1\}' reload cfg.nbc
n2=$(tcpdump -r out2.pcap -nn -q 2>/dev/null | wc -l)
[ "$n2" -gt 0 ] && ok "the removed port's capture is complete: tcpdump reads $n2 packets" || bad "out2.pcap unreadable or empty"

# Reloads that fail after the front end: a port that cannot open (the ports the running graph
# uses are untouched), and a graph without sources. Generation 3 runs on.
graph | sed 's/seq.pcap/nope.pcap/' >missing.nbc
printf 'Idle :: Discard;\n' >nosource.nbc
expect reload_missing 1 "missing.nbc:1:[0-9]+: error: cannot open 'nope.pcap'" reload missing.nbc
expect reload_nosource 1 "no sources" reload nosource.nbc
before=$("$nbctl" read c.count)
sleep 0.2
expect after_failures 0 "generation 3" ping
after=$("$nbctl" read c.count)
[ "$after" -gt "$before" ] && ok "still counting after the failed reloads ($before -> $after)" || bad "not counting after failed reloads"

# SIGHUP: the same file again.
kill -HUP "$nb_pid"
for _ in $(seq 50); do
  "$nbctl" ping | grep -q "generation 4" && break
  sleep 0.1
done
expect sighup 0 "generation 4" ping
grep -q "reloaded .*cfg.nbc (SIGHUP)" nbrun.err && ok "SIGHUP reload reported on stderr" || bad "no SIGHUP line on stderr"

# --watch: a change reloads; a broken file is reported and the graph runs on; fixed, it reloads.
sleep 1.1  # a new mtime even on coarse clocks
graph >cfg.nbc.new && echo "// edited" >>cfg.nbc.new && mv cfg.nbc.new cfg.nbc
for _ in $(seq 50); do
  "$nbctl" ping | grep -q "generation 5" && break
  sleep 0.1
done
expect watch 0 "generation 5" ping
graph | sed '4s/Discard/Discrad/' >cfg.nbc.new && mv cfg.nbc.new cfg.nbc
for _ in $(seq 50); do
  grep -q "cfg.nbc:4:[0-9]*: error: unknown element class 'Discrad'" nbrun.err && break
  sleep 0.1
done
grep -q "cfg.nbc:4:[0-9]*: error: unknown element class 'Discrad'" nbrun.err &&
  ok "--watch: the broken file is reported: $(grep -m1 "cfg.nbc:4:" nbrun.err)" || bad "--watch: no cfg.nbc:4:COL error on stderr"
before=$("$nbctl" read c.count)
sleep 0.3
after=$("$nbctl" read c.count)
expect watch_broken 0 "generation 5" ping
[ "$after" -gt "$before" ] && ok "--watch: generation 5 runs on after the broken edit ($before -> $after)" || bad "not counting after the broken edit"
graph >cfg.nbc.new && mv cfg.nbc.new cfg.nbc
for _ in $(seq 50); do
  "$nbctl" ping | grep -q "generation 6" && break
  sleep 0.1
done
expect watch_fixed 0 "generation 6" ping

kill -INT "$nb_pid"
wait "$nb_pid"
st=$?
pid=$nb_pid
nb_pid=
clean_leftovers "$pid"
[ "$st" -eq 0 ] && ok "nbrun exit 0" || {
  bad "nbrun exit $st"
  show nbrun.err
}
[ -e "$sock" ] && bad "socket $sock left behind" || ok "socket removed at exit"
if grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:|terminate called" nbrun.err; then
  bad "sanitizer or crash report on nbrun's stderr"
  show nbrun.err
fi
expect gone 1 "no running nbrun found" ping

# TTLs in out.pcap: 63 (decremented) and, while inactive, 64.
tcpdump -r out.pcap -nn -v 2>/dev/null | awk '/ttl [0-9]+/ { match($0, /ttl [0-9]+/); t[substr($0, RSTART + 4, RLENGTH - 4)]++ }
  END { for (k in t) print k, t[k] }' | sort -n >ttls.txt
if [ "$(awk '$1 == 63' ttls.txt | wc -l)" = 1 ] && [ "$(awk '$1 == 64' ttls.txt | wc -l)" = 1 ] && [ "$(wc -l <ttls.txt)" = 2 ]; then
  ok "out.pcap: TTL 63, and 64 while ttl.active was false ($(tr '\n' ' ' <ttls.txt))"
else
  bad "out.pcap TTLs: $(tr '\n' ' ' <ttls.txt)"
fi
json_flatten stats.json >stats.flat
[ "$(json_get stats.flat reload generation)" = 6 ] && [ "$(json_get stats.flat reload failed)" = 3 ] &&
  ok "final stats: generation 6, 3 failed reloads" ||
  bad "final stats: generation $(json_get stats.flat reload generation), failed $(json_get stats.flat reload failed)"

# --no-control serves nothing; a socket path in use is refused.
run_limited 30 nc.out nc.err "$nbrun" cfg.nbc --quiet --stats none --no-control --duration 0.3
st=$?
clean_leftovers "$last_pid"
if [ "$st" -eq 0 ] && ! grep -q "control socket" nc.err && ! [ -e "$XDG_RUNTIME_DIR/nb/nbrun-$last_pid.sock" ]; then
  ok "--no-control: runs, serves no socket"
else
  bad "--no-control: exit $st"
  show nc.err
fi
python3 -c "import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(5)" "$tmp/busy.sock" &
holder=$!
# nbrun must find the socket bound: wait for the holder to bind it (python starts slowly on a
# loaded machine, and nbrun reaches its own bind sooner than that).
for _ in $(seq 100); do [ -S "$tmp/busy.sock" ] && break; sleep 0.1; done
sleep 0.1
run_limited 30 busy.out busy.err "$nbrun" cfg.nbc --quiet --stats none --control "$tmp/busy.sock" --duration 0.3
st=$?
clean_leftovers "$last_pid"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
if [ "$st" -ne 0 ] && grep -q "in use" busy.err; then
  ok "--control on a socket in use: exit $st, $(grep -m1 'in use' busy.err)"
else
  bad "--control on a socket in use: exit $st"
  show busy.err
fi
finish

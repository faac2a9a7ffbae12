#!/usr/bin/env bash
# configs/nat.nbc between an inside and an outside host, on real kernel traffic:
#
#   netns I: i0 10.10.0.2/24 ==veth== i1 [nbrun nat.nbc] o1 ==veth== o0 192.0.2.2/24 :netns O
#            default via 10.10.0.1           NAT address 192.0.2.1     (no route to 10.10.0.0/24)
#
# i1 and o1 stay in the root namespace without addresses; nbrun opens them with af_packet, answers
# ARP for 10.10.0.1 and 192.0.2.1 and translates. The outside host has no route back to the
# inside net: only translated packets can be answered. Oracles: the kernel's UDP and TCP sockets
# (python3) and tcpdump on the outside host. Checks:
#   - a UDP exchange and a TCP connection (100 kB each way) from inside to outside succeed, and
#     the outside server sees the peer 192.0.2.1 with a port from the pattern's 50000-59999;
#   - tcpdump on the outside sees no inside address at all;
#   - hot reloads keep the mapping: after a reload to the same config with a Paint changed
#     elsewhere (the State is kept), and after one that changes IPRewriter's CAPACITY (a new
#     table, flows transferred), the same UDP socket still leaves with the same port and gets
#     its replies;
#   - idle timeout: after a reload to UDP_TIMEOUT 1, a datagram the outside host sends to the
#     mapping after 3 s of silence is dropped ("no mapping", counter expired), never reaching the
#     inside host;
#   - nbrun exits 0 on SIGINT.
# With WORKERS > 1 (issue 16) both af_packet devices get qpairs=WORKERS and nbrun --workers
# WORKERS: each worker polls its own queue and re-steers packets by the runtime's flow hash, and
# IPRewriter picks public ports whose replies come back to the worker holding the mapping. Then
# also, before the reloads:
#   - 16 UDP flows (16 sockets, 8 rounds) and 4 concurrent TCP connections (20 kB each way) from
#     inside all get every reply, each socket always seeing one public port;
#   - the outside capture shows each of those inside flows (named by its source port in the
#     payload) with exactly one public port, one public port per flow, and the replies going to
#     those ports only;
#   - the final --stats json "workers" array shows more than one worker processed packets.
# Usage: test_nat.sh NBRUN NBCTL SOURCE_DIR [ENGINE [WORKERS]]
nbrun=$(readlink -f "$1")
nbctl=$(readlink -f "$2")
src=$3
engine=${4:-jit}
workers=${5:-1}
. "$src/tests/integration/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces and veth pairs"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"
py=$(command -v python3) || skip "python3 is not installed"

id=$$
nsI=nb-natI-$id nsO=nb-natO-$id
i0=nbni0$id i1=nbni1$id o0=nbno0$id o1=nbno1$id
tmp=$(mktemp -d)
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  [ -n "${dump_pid:-}" ] && kill "$dump_pid" 2>/dev/null
  [ -n "${cli:-}" ] && kill "$cli" 2>/dev/null
  [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null
  if [ -n "${nb_pid:-}" ]; then
    kill -INT "$nb_pid" 2>/dev/null && sleep 0.5 && kill -KILL "$nb_pid" 2>/dev/null
    wait "$nb_pid" 2>/dev/null
    clean_leftovers "$nb_pid"
  fi
  ip netns del "$nsI" 2>/dev/null
  ip netns del "$nsO" 2>/dev/null
  ip link del "$i1" 2>/dev/null
  ip link del "$o1" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$nsI" 2>"$tmp/ns.err" || skip "cannot create a network namespace: $(head -1 "$tmp/ns.err")"
ip netns add "$nsO" || skip "cannot create a second network namespace"
ip link add "$i1" type veth peer name "$i0" 2>"$tmp/veth.err" || skip "cannot create a veth pair: $(head -1 "$tmp/veth.err")"
set -e
ip link add "$o1" type veth peer name "$o0"
ip link set "$i0" netns "$nsI"
ip link set "$o0" netns "$nsO"
ip -n "$nsI" addr add 10.10.0.2/24 dev "$i0"
ip -n "$nsO" addr add 192.0.2.2/24 dev "$o0"
for ns in "$nsI" "$nsO"; do ip -n "$ns" link set lo up; done
ip -n "$nsI" link set "$i0" up
ip -n "$nsO" link set "$o0" up
ip -n "$nsI" route add default via 10.10.0.1
for l in "$i1" "$o1"; do sysctl -qw "net.ipv6.conf.$l.disable_ipv6=1" 2>/dev/null || true; done
ip link set "$i1" address 02:00:0a:0a:00:01 up
ip link set "$o1" address 02:00:c0:00:02:01 up
set +e
# Locally sent UDP/TCP leave a veth with a partial checksum (offload): have the hosts compute
# them in software, so that the NAT's incremental update starts from a complete checksum.
if command -v ethtool >/dev/null; then
  ip netns exec "$nsI" ethtool -K "$i0" tx off >/dev/null 2>&1
  ip netns exec "$nsO" ethtool -K "$o0" tx off >/dev/null 2>&1
fi
ok "namespaces $nsI (10.10.0.2) and $nsO (192.0.2.2), joined only through $i1 and $o1"

# The graph, with a Paint on the inside's discard path that the first reload changes, the
# rewriter's CAPACITY that the second changes and its UDP timeout that the third changes.
qpairs=
[ "$workers" -gt 1 ] && qpairs=",qpairs=$workers"
graph() {  # graph PAINT UDP_TIMEOUT CAPACITY
  sed -e "s/iface=nat-in1/iface=$i1$qpairs/" -e "s/iface=nat-out1/iface=$o1$qpairs/" \
    -e "s/^c0 \[3\] -> Discard;/c0 [3] -> Paint($1) -> Discard;/" \
    -e "s/\$UDP_TIMEOUT 300/\$UDP_TIMEOUT $2/" \
    -e "s/TCP_DONE_TIMEOUT 30);/TCP_DONE_TIMEOUT 30, CAPACITY $3);/" "$src/configs/nat.nbc"
}
graph 1 300 65536 >"$tmp/a.nbc"
graph 2 300 65536 >"$tmp/b.nbc"
graph 2 300 4096 >"$tmp/c.nbc"
graph 2 1 4096 >"$tmp/d.nbc"
grep -q "Paint(2)" "$tmp/b.nbc" && grep -q "CAPACITY 4096" "$tmp/c.nbc" && grep -q "UDP_TIMEOUT 1," "$tmp/d.nbc" ||
  bad "could not derive the reload graphs"

ip netns exec "$nsO" tcpdump -i "$o0" -nn -U -w "$tmp/outside.pcap" ip >/dev/null 2>"$tmp/tcpdump.err" &
dump_pid=$!
sock=$tmp/ctl.sock
ctl() { "$nbctl" --socket "$sock" "$@"; }
worker_args=()
[ "$workers" -gt 1 ] && worker_args=(--workers "$workers")
"$nbrun" "$tmp/a.nbc" --engine "$engine" "${worker_args[@]}" --control "$sock" --duration 90 --quiet --stats json \
  >"$tmp/stats.json" 2>"$tmp/nbrun.err" &
nb_pid=$!
ifa=$(cat "/sys/class/net/$i1/ifindex")
ifb=$(cat "/sys/class/net/$o1/ifindex")
up=0
for _ in $(seq 150); do
  kill -0 "$nb_pid" 2>/dev/null || break
  if awk -v a="$ifa" -v b="$ifb" 'NR > 1 && $5 == a { x = 1 } NR > 1 && $5 == b { y = 1 } END { exit !(x && y) }' /proc/net/packet &&
    ctl ping >/dev/null 2>&1; then
    up=1
    break
  fi
  sleep 0.1
done
if [ "$up" -ne 1 ]; then
  bad "nbrun did not come up on $i1 and $o1"
  show "$tmp/nbrun.err"
  finish
fi
sleep 0.5
ok "nbrun ($engine, $workers worker$([ "$workers" -gt 1 ] && echo s)) translates between $i1 and $o1 (pid $nb_pid)"

# The outside UDP server answers every datagram with the peer address it saw; on "late" it
# waits 3 s and then sends a datagram of its own to the last peer.
cat >"$tmp/udp_server.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.2", 40000))
s.settimeout(40)
log = open(sys.argv[1], "w", buffering=1)
peer = None
while True:
    data, p = s.recvfrom(2048)
    if data == b"late":
        peer = p
        time.sleep(3)
        s.sendto(b"unsolicited", peer)
        log.write("late sent\n")
        break
    peer = p
    log.write(f"{p[0]}:{p[1]} {data.decode()}\n")
    s.sendto(f"seen {p[0]}:{p[1]}".encode(), p)
EOF
# The inside client: one socket for the whole test; datagram N is sent once file goN exists.
cat >"$tmp/udp_client.py" <<'EOF'
import os, socket, sys, time
d = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
log = open(os.path.join(d, "client.log"), "w", buffering=1)
for n in (1, 2, 3, 4):
    while not os.path.exists(os.path.join(d, f"go{n}")):
        time.sleep(0.05)
    for _ in range(20):
        s.sendto(f"hello{n}".encode(), ("192.0.2.2", 40000))
        try:
            data, _ = s.recvfrom(2048)
            log.write(f"{n} {data.decode()}\n")
            break
        except socket.timeout:
            pass
    else:
        log.write(f"{n} no reply\n")
while not os.path.exists(os.path.join(d, "go5")):
    time.sleep(0.05)
s.sendto(b"late", ("192.0.2.2", 40000))
s.settimeout(6)
try:
    data, _ = s.recvfrom(2048)
    log.write(f"late got {data.decode()}\n")
except socket.timeout:
    log.write("late nothing\n")
EOF
ip netns exec "$nsO" "$py" "$tmp/udp_server.py" "$tmp/server.log" &
srv=$!
sleep 0.3
ip netns exec "$nsI" "$py" "$tmp/udp_client.py" "$tmp" &
cli=$!
wait_for() {  # wait_for FILE PATTERN
  for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# 1. UDP: the first datagram (its ARP resolutions may cost a retry).
touch "$tmp/go1"
wait_for "$tmp/client.log" "^1 "
port1=$(awk '$1 == 1 && $2 == "seen" { split($3, a, ":"); print a[2] }' "$tmp/client.log")
peer1=$(awk '$1 == 1 && $2 == "seen" { split($3, a, ":"); print a[1] }' "$tmp/client.log")
if [ "$peer1" = 192.0.2.1 ] && [ "${port1:-0}" -ge 50000 ] && [ "${port1:-0}" -le 59999 ]; then
  ok "UDP 10.10.0.2 -> 192.0.2.2 answered; the outside saw 192.0.2.1:$port1"
else
  bad "UDP exchange failed or untranslated: $(cat "$tmp/client.log" 2>/dev/null)"
  show "$tmp/server.log"
fi

# 2. TCP: a connection from inside, 100 kB each way; the server logs its peer.
cat >"$tmp/tcp_server.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 40001))
s.listen(1)
open(sys.argv[2], "w").write("listening\n")
s.settimeout(15)
c, peer = s.accept()
open(sys.argv[1], "w").write(f"{peer[0]} {peer[1]}\n")
c.settimeout(15)
got = b""
while len(got) < 100000:
    d = c.recv(65536)
    if not d:
        break
    got += d
c.sendall(bytes(reversed(got)))
c.close()
EOF
cat >"$tmp/tcp_client.py" <<'EOF'
import socket, sys
data = bytes((i * 7 + 3) % 251 for i in range(100000))
c = socket.create_connection(("192.0.2.2", 40001), timeout=15)
c.sendall(data)
got = b""
while len(got) < len(data):
    d = c.recv(65536)
    if not d:
        break
    got += d
sys.exit(0 if got == bytes(reversed(data)) else 1)
EOF
ip netns exec "$nsO" "$py" "$tmp/tcp_server.py" "$tmp/tcp_peer" "$tmp/tcp_up" &
tsrv=$!
# The client connects once the server listens (python's start can take seconds on a loaded machine).
wait_for "$tmp/tcp_up" listening
ip netns exec "$nsI" "$py" "$tmp/tcp_client.py"
st=$?
wait "$tsrv"
read -r tpeer tport <"$tmp/tcp_peer" 2>/dev/null
if [ "$st" -eq 0 ] && [ "$tpeer" = 192.0.2.1 ] && [ "${tport:-0}" -ge 50000 ] && [ "${tport:-0}" -le 59999 ]; then
  ok "TCP 10.10.0.2 -> 192.0.2.2:40001, 100 kB each way intact; the server's peer was 192.0.2.1:$tport"
else
  bad "TCP through the NAT failed (client status $st, server peer '${tpeer:-} ${tport:-}')"
fi

# 2b. Several workers: concurrent UDP flows and TCP connections, each keeping one mapping.
if [ "$workers" -gt 1 ]; then
  cat >"$tmp/mc_server.py" <<'EOF'
# UDP 40002: echoes "seen IP:PORT|payload". TCP 40003: for each of 4 connections (a thread each)
# reads the marker line and 20 kB, sends the 20 kB back reversed.
import socket, sys, threading
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("192.0.2.2", 40002))
    s.settimeout(30)
    try:
        while True:
            data, p = s.recvfrom(2048)
            s.sendto(f"seen {p[0]}:{p[1]}|".encode() + data, p)
    except socket.timeout:
        pass
def conn(c):
    c.settimeout(20)
    got = b""
    while got.count(b"\n") < 1 or len(got.split(b"\n", 1)[1]) < 20000:
        d = c.recv(65536)
        if not d:
            return
        got += d
    c.sendall(bytes(reversed(got.split(b"\n", 1)[1])))
    c.close()
threading.Thread(target=udp, daemon=True).start()
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("192.0.2.2", 40003))
t.listen(8)
t.settimeout(20)
open(sys.argv[1], "w").write("listening\n")
threads = []
for _ in range(4):
    c, _ = t.accept()
    th = threading.Thread(target=conn, args=(c,))
    th.start()
    threads.append(th)
for th in threads:
    th.join()
EOF
  cat >"$tmp/mc_client.py" <<'EOF'
# 16 UDP sockets, 8 rounds each (every datagram answered, up to 10 tries), then 4 TCP connections
# at once. Prints "udp SPORT PUBLICPORT..." per socket, "tcp SPORT ok|failed" per connection.
import socket, sys, threading
socks = []
for _ in range(16):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.10.0.2", 0))
    s.settimeout(0.3)
    socks.append(s)
seen = {s.getsockname()[1]: set() for s in socks}
missing = 0
for k in range(8):
    for s in socks:
        sport = s.getsockname()[1]
        msg = f"mc-udp {sport} {k}".encode()
        for _ in range(10):
            s.sendto(msg, ("192.0.2.2", 40002))
            try:
                while True:
                    data, _ = s.recvfrom(2048)
                    head, body = data.split(b"|", 1)
                    seen[sport].add(head.decode().split(":")[1])
                    if body == msg:
                        break
                break
            except socket.timeout:
                pass
        else:
            missing += 1
for sport, ports in seen.items():
    print("udp", sport, " ".join(sorted(ports)))
print("udp-missing", missing)
result = {}
def tcp(i):
    data = bytes((j * 13 + i) % 251 for j in range(20000))
    try:
        c = socket.create_connection(("192.0.2.2", 40003), timeout=15)
        sport = c.getsockname()[1]
        c.sendall(f"mc-tcp {sport}\n".encode() + data)
        got = b""
        while len(got) < len(data):
            d = c.recv(65536)
            if not d:
                break
            got += d
        result[i] = (sport, got == bytes(reversed(data)))
    except OSError as e:
        result[i] = (0, False)
threads = [threading.Thread(target=tcp, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for i in range(4):
    sport, good = result.get(i, (0, False))
    print("tcp", sport, "ok" if good else "failed")
EOF
  ip netns exec "$nsO" "$py" "$tmp/mc_server.py" "$tmp/mc_server.up" &
  mcsrv=$!
  wait_for "$tmp/mc_server.up" listening
  ip netns exec "$nsI" "$py" "$tmp/mc_client.py" >"$tmp/mc_client.out" 2>&1
  wait "$mcsrv"
  udp_one=$(awk '$1 == "udp" && NF == 3 { n++ } END { print n + 0 }' "$tmp/mc_client.out")
  udp_missing=$(awk '$1 == "udp-missing" { print $2 }' "$tmp/mc_client.out")
  tcp_ok=$(grep -c "^tcp [0-9]* ok" "$tmp/mc_client.out")
  if [ "$udp_one" -eq 16 ] && [ "${udp_missing:-1}" -eq 0 ]; then
    ok "16 UDP flows x 8 datagrams through $workers workers: every one answered, each socket seen with one public port"
  else
    bad "16 UDP flows: $udp_one sockets with exactly one public port, ${udp_missing:-?} datagrams unanswered"
    show "$tmp/mc_client.out" 30
  fi
  if [ "$tcp_ok" -eq 4 ]; then ok "4 concurrent TCP connections, 20 kB each way, intact"
  else bad "concurrent TCP connections: $tcp_ok of 4 intact"; show "$tmp/mc_client.out" 30; fi
  mc_checked=1
fi

# 3. Reload to the same NAT with a Paint changed elsewhere: the State is kept, the flow keeps
#    its port.
if ctl reload "$tmp/b.nbc" >"$tmp/reload1.out" 2>&1; then ok "reload to a graph with Paint(2) elsewhere"
else bad "reload 1 failed"; show "$tmp/reload1.out"; fi
touch "$tmp/go2"
wait_for "$tmp/client.log" "^2 "
port2=$(awk '$1 == 2 && $2 == "seen" { split($3, a, ":"); print a[2] }' "$tmp/client.log")
if [ -n "$port2" ] && [ "$port2" = "$port1" ]; then ok "after the reload the UDP flow keeps 192.0.2.1:$port1 and gets its reply"
else bad "after reload 1: port '${port2:-none}', want $port1 ($(grep '^2' "$tmp/client.log"))"; fi

# 4. Reload with IPRewriter's CAPACITY changed: a new table, flows transferred.
if ctl reload "$tmp/c.nbc" >"$tmp/reload2.out" 2>&1; then ok "reload to a graph with CAPACITY 4096"
else bad "reload 2 failed"; show "$tmp/reload2.out"; fi
touch "$tmp/go3"
wait_for "$tmp/client.log" "^3 "
port3=$(awk '$1 == 3 && $2 == "seen" { split($3, a, ":"); print a[2] }' "$tmp/client.log")
if [ -n "$port3" ] && [ "$port3" = "$port1" ]; then ok "after the changed-arguments reload the flow keeps 192.0.2.1:$port1 (transfer)"
else bad "after reload 2: port '${port3:-none}', want $port1 ($(grep '^3' "$tmp/client.log"))"; fi

# 5. Idle timeout: reload to UDP_TIMEOUT 1 (the flow is transferred: datagram 4 keeps the port
#    when the reload took less than a second, else it gets a new one); then the client sends
#    "late", the server waits 3 s and answers to the mapping "late" used: dropped.
if ctl reload "$tmp/d.nbc" >"$tmp/reload3.out" 2>&1; then ok "reload to a graph with UDP_TIMEOUT 1"
else bad "reload 3 failed"; show "$tmp/reload3.out"; fi
touch "$tmp/go4"
wait_for "$tmp/client.log" "^4 "
if grep -q "^4 seen 192.0.2.1:" "$tmp/client.log"; then ok "UDP still answered after the third reload"
else bad "no answer after reload 3 ($(grep '^4' "$tmp/client.log"))"; fi
touch "$tmp/go5"
wait_for "$tmp/client.log" "^late" || sleep 5
wait_for "$tmp/client.log" "^late" || true
if grep -q "^late nothing" "$tmp/client.log" && grep -q "late sent" "$tmp/server.log"; then
  ok "a datagram to the mapping after 3 s idle (UDP_TIMEOUT 1) does not reach the inside host"
else
  bad "idle timeout: $(grep '^late' "$tmp/client.log") / $(grep late "$tmp/server.log")"
fi
wait "$cli" 2>/dev/null
cli=
wait "$srv" 2>/dev/null
srv=

# 6. nbrun stops on SIGINT, exits 0; its statistics show the expiry.
kill -INT "$nb_pid"
for _ in $(seq 100); do kill -0 "$nb_pid" 2>/dev/null || break; sleep 0.1; done
wait "$nb_pid"
st=$?
pid=$nb_pid
nb_pid=
clean_leftovers "$pid"
if ! crashed "$st" "$tmp/nbrun.err" "nbrun"; then
  if [ "$st" -eq 0 ]; then ok "nbrun exits 0 on SIGINT"; else bad "nbrun exits $st"; show "$tmp/nbrun.err"; fi
fi
json_flatten "$tmp/stats.json" >"$tmp/stats.flat"
expired=$(json_get "$tmp/stats.flat" elements rw expired)
if [ "${expired:-0}" -ge 1 ]; then ok "rw.expired = $expired"; else bad "rw.expired = '${expired:-}' (want >= 1)"; show "$tmp/stats.json" 60; fi

# 7. The outside capture: only the NAT address, never an inside one.
sleep 0.5
kill "$dump_pid" 2>/dev/null
wait "$dump_pid" 2>/dev/null
dump_pid=
tcpdump -nn -r "$tmp/outside.pcap" >"$tmp/outside.txt" 2>/dev/null
total=$(grep -c . "$tmp/outside.txt")
inside=$(grep -c "10\.10\.0\." "$tmp/outside.txt")
from_nat=$(grep -c "IP 192\.0\.2\.1\.5[0-9]* > 192\.0\.2\.2\." "$tmp/outside.txt")
if [ "$total" -gt 0 ] && [ "$inside" -eq 0 ] && [ "$from_nat" -gt 0 ]; then
  ok "tcpdump outside: $total packets, $from_nat from 192.0.2.1, none with an inside address"
else
  bad "tcpdump outside: $total packets, $inside with an inside address, $from_nat from 192.0.2.1"
  show "$tmp/outside.txt"
fi
if [ -n "${mc_checked:-}" ]; then
  # Each inside flow of 2b with one public port, from the outside capture alone.
  "$py" - "$tmp/outside.pcap" "$src/tests/multicore" >"$tmp/mappings.txt" 2>&1 <<'EOF'
import collections, struct, sys
sys.path.insert(0, sys.argv[2])
from pcap_compare import read_pcap
NAT, OUT = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
udp = collections.defaultdict(set)   # inside source port -> public ports (from the payload)
udp_ports, tcp_ports = set(), set()  # public ports towards 40002 / 40003
tcp_marker = collections.defaultdict(set)
replies_to = collections.defaultdict(set)  # server port -> public ports its replies went to
inside = 0
for f in read_pcap(sys.argv[1]):
    if len(f) < 34 or f[12:14] != b"\x08\x00":
        continue
    ip = f[14:]
    ihl = (ip[0] & 15) * 4
    proto, src, dst = ip[9], ip[12:16], ip[16:20]
    if src[:3] == bytes([10, 10, 0]) or dst[:3] == bytes([10, 10, 0]):
        inside += 1
    if proto not in (6, 17):
        continue
    sport, dport = struct.unpack_from("!HH", ip, ihl)
    if proto == 17:
        payload = ip[ihl + 8:]
    else:
        payload = ip[ihl + ((ip[ihl + 12] >> 4) * 4):]
    if src == NAT and dst == OUT:
        if proto == 17 and dport == 40002:
            udp_ports.add(sport)
            if payload.startswith(b"mc-udp "):
                udp[int(payload.split()[1])].add(sport)
        if proto == 6 and dport == 40003:
            tcp_ports.add(sport)
            if payload.startswith(b"mc-tcp "):
                tcp_marker[int(payload.split(b"\n")[0].split()[1])].add(sport)
    elif src == OUT and dst == NAT and sport in (40002, 40003):
        replies_to[sport].add(dport)
bad = []
for name, flows, ports, n in (("UDP", udp, udp_ports, 16), ("TCP", tcp_marker, tcp_ports, 4)):
    multi = {k: sorted(v) for k, v in flows.items() if len(v) != 1}
    used = [p for v in flows.values() for p in v]
    if len(flows) != n or multi or len(set(used)) != len(used) or ports != set(used):
        bad.append(f"{name}: {len(flows)} inside flows (want {n}), with several public ports: {multi}, "
                   f"public ports {sorted(ports)} for {sorted(used)}")
    print(f"{name}: " + ", ".join(f"{k}->{min(v)}" for k, v in sorted(flows.items())))
if replies_to[40002] != udp_ports or replies_to[40003] != tcp_ports:
    bad.append(f"replies went to {sorted(replies_to[40002])} / {sorted(replies_to[40003])}")
if inside:
    bad.append(f"{inside} packets with an inside address")
for b in bad:
    print("BAD", b)
sys.exit(1 if bad else 0)
EOF
  if [ $? -eq 0 ]; then
    ok "outside capture: 16 UDP and 4 TCP inside flows, each with exactly one public port of its own, replies only to those"
  else
    bad "outside capture: a flow with more than one mapping (or a mapping shared)"
    show "$tmp/mappings.txt" 20
  fi
  procs=$(sed -n '/"workers": \[/,/\]/p' "$tmp/stats.json" | grep '"processed"' | grep -Eo '[0-9]+' | tr '\n' ' ')
  nw=$(echo "$procs" | wc -w)
  busy=$(for v in $procs; do [ "$v" -gt 0 ] && echo x; done | grep -c x)
  if [ "$nw" -eq "$workers" ] && [ "$busy" -ge 2 ]; then ok "$busy of $workers workers processed packets ($procs)"
  else bad "the workers array: $nw workers, $busy processed packets ($procs): the flows did not spread"; fi
fi
finish

#!/usr/bin/env bash
# configs/router.nbc between two hosts on different subnets, on real kernel traffic, in three
# network namespaces:
#
#   netns A: a0 10.1.0.2/24 ==veth== a1 [netns R: nbrun router.nbc] b1 ==veth== b0 10.2.0.2/24 :netns B
#            default via 10.1.0.1                                              default via 10.2.0.1
#
# a1 and b1 are in the router's namespace R with no addresses (the kernel there neither routes
# nor answers ARP); nbrun, started inside R, opens them with af_packet and answers ARP for
# 10.1.0.1/10.2.0.1 itself, so A and B reach each other only through nbrun. Oracles: the kernel's ping, UDP and TCP sockets
# (python3), tcpdump. Checks:
#   - ping A -> B and B -> A succeed;
#   - a UDP datagram and a TCP connection (with data both ways) cross the router;
#   - ping -t 1 gets "Time to live exceeded" from 10.1.0.1, traceroute shows 10.1.0.1 then 10.2.0.2;
#   - ping to an unrouted address (10.3.0.1) gets "Destination Net Unreachable" from 10.1.0.1;
#   - nbrun exits 0 on SIGINT, without a crash or sanitizer report.
# With WORKERS > 1 (issue 16) both af_packet devices get qpairs=WORKERS and nbrun --workers
# WORKERS (each worker polls its own queue and re-steers by the runtime's flow hash; ARPQuerier's
# cache is shared): the same checks, and the final --stats json shows the devices opened with
# WORKERS receive queues and more than one worker processing packets.
# Usage: test_router.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR [ENGINE [WORKERS]]
nbrun=$(readlink -f "$1")
src=$3
engine=${4:-jit}
workers=${5:-1}
. "$src/tests/integration/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces and veth pairs"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
command -v ping >/dev/null || skip "ping is not installed"
py=$(command -v python3) || skip "python3 is not installed"

id=$$
nsA=nb-rtA-$id nsB=nb-rtB-$id nsR=nb-rtR-$id
a0=nbra0$id a1=nbra1$id b0=nbrb0$id b1=nbrb1$id
tmp=$(mktemp -d)
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  if [ -n "${nb_pid:-}" ]; then
    kill -INT "$nb_pid" 2>/dev/null && sleep 0.5 && kill -KILL "$nb_pid" 2>/dev/null
    wait "$nb_pid" 2>/dev/null
    clean_leftovers "$nb_pid"
  fi
  ip netns del "$nsA" 2>/dev/null
  ip netns del "$nsB" 2>/dev/null
  ip netns del "$nsR" 2>/dev/null  # takes a1 and b1 (and their peers) with it
  ip link del "$a1" 2>/dev/null
  ip link del "$b1" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$nsA" 2>"$tmp/ns.err" || skip "cannot create a network namespace: $(head -1 "$tmp/ns.err")"
ip netns add "$nsB" || skip "cannot create a second network namespace"
ip netns add "$nsR" || skip "cannot create a third network namespace"
R() { ip netns exec "$nsR" "$@"; }
ip link add "$a1" type veth peer name "$a0" 2>"$tmp/veth.err" || skip "cannot create a veth pair: $(head -1 "$tmp/veth.err")"
set -e
ip link add "$b1" type veth peer name "$b0"
ip link set "$a0" netns "$nsA"
ip link set "$b0" netns "$nsB"
ip link set "$a1" netns "$nsR"
ip link set "$b1" netns "$nsR"
ip -n "$nsA" addr add 10.1.0.2/24 dev "$a0"
ip -n "$nsB" addr add 10.2.0.2/24 dev "$b0"
for ns in "$nsA" "$nsB" "$nsR"; do ip -n "$ns" link set lo up; done
ip -n "$nsA" link set "$a0" up
ip -n "$nsB" link set "$b0" up
ip -n "$nsA" route add default via 10.1.0.1
ip -n "$nsB" route add default via 10.2.0.1
# The router's interfaces carry the Ethernet addresses router.nbc answers ARP with; no IPv6 (its
# router solicitations would only be counted and dropped).
for l in "$a1" "$b1"; do R sysctl -qw "net.ipv6.conf.$l.disable_ipv6=1" 2>/dev/null || true; done
ip -n "$nsR" link set "$a1" address 02:00:0a:01:00:01 up
ip -n "$nsR" link set "$b1" address 02:00:0a:02:00:01 up
set +e
# Locally sent UDP/TCP leave a veth with a partial checksum (offload); the router forwards what
# af_packet gives it, so make the senders compute checksums in software (see test_netns.sh).
if command -v ethtool >/dev/null; then
  ip netns exec "$nsA" ethtool -K "$a0" tx off >/dev/null 2>&1
  ip netns exec "$nsB" ethtool -K "$b0" tx off >/dev/null 2>&1
fi
ok "namespaces $nsA (10.1.0.2) and $nsB (10.2.0.2), joined only through $a1 and $b1 in $nsR"

qpairs=
worker_args=()
if [ "$workers" -gt 1 ]; then
  qpairs=",qpairs=$workers"
  worker_args=(--workers "$workers")
fi
sed -e "s/iface=nbr-a1/iface=$a1$qpairs/" -e "s/iface=nbr-b1/iface=$b1$qpairs/" "$src/configs/router.nbc" >"$tmp/router.nbc"
# ip netns exec execs nbrun itself, so $! is nbrun's pid (not through R: a function run in the
# background is a subshell, whose pid $! would be, and SIGINT would never reach nbrun).
ip netns exec "$nsR" "$nbrun" "$tmp/router.nbc" --engine "$engine" "${worker_args[@]}" --duration 60 --quiet --stats json >"$tmp/stats.json" 2>"$tmp/nbrun.err" &
nb_pid=$!
ifa=$(R cat "/sys/class/net/$a1/ifindex")
ifb=$(R cat "/sys/class/net/$b1/ifindex")
up=0
for _ in $(seq 150); do
  kill -0 "$nb_pid" 2>/dev/null || break
  if awk -v a="$ifa" -v b="$ifb" 'NR > 1 && $5 == a { x = 1 } NR > 1 && $5 == b { y = 1 } END { exit !(x && y) }' <(R cat /proc/net/packet); then
    up=1
    break
  fi
  sleep 0.1
done
if [ "$up" -ne 1 ]; then
  bad "nbrun did not come up on $a1 and $b1"
  show "$tmp/nbrun.err"
  finish
fi
sleep 0.5
ok "nbrun ($engine, $workers worker$([ "$workers" -gt 1 ] && echo s)) in $nsR routes between $a1 and $b1 (pid $nb_pid)"

# 1. ping both ways. nbrun opens its sockets before the JIT has compiled the graph and the
#    routing tables are built, and the first echo towards a new neighbour is turned into
#    ARPQuerier's ARP request (it is not queued), so wait for the first answer (at most 30 s),
#    then check properly.
for _ in $(seq 30); do
  ip netns exec "$nsA" ping -c 1 -W 1 10.2.0.2 >/dev/null 2>&1 && break
done
ip netns exec "$nsA" ping -c 4 -i 0.2 -W 1 10.2.0.2 >"$tmp/pingAB.txt" 2>&1
if grep -q "bytes from 10.2.0.2" "$tmp/pingAB.txt"; then ok "ping 10.1.0.2 -> 10.2.0.2 across the router"
else bad "ping A -> B failed"; show "$tmp/pingAB.txt"; fi
ip netns exec "$nsB" ping -c 3 -i 0.2 -W 1 10.1.0.2 >"$tmp/pingBA.txt" 2>&1
if grep -q "bytes from 10.1.0.2" "$tmp/pingBA.txt"; then ok "ping 10.2.0.2 -> 10.1.0.2 across the router"
else bad "ping B -> A failed"; show "$tmp/pingBA.txt"; fi
if grep -q "ttl=63" "$tmp/pingAB.txt"; then ok "replies arrive with TTL 63 (decremented once by the router)"
else bad "no reply with TTL 63"; show "$tmp/pingAB.txt"; fi

# 2. UDP: a datagram from A to a socket in B, and its echo back.
cat >"$tmp/udp_server.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.2.0.2", 40000))
s.settimeout(10)
data, peer = s.recvfrom(2048)
s.sendto(b"echo:" + data, peer)
open(sys.argv[1], "wb").write(data)
EOF
cat >"$tmp/udp_client.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
msg = b"nb-router-udp-" + b"x" * 1000
for _ in range(8):
    s.sendto(msg, ("10.2.0.2", 40000))
    try:
        data, _ = s.recvfrom(2048)
        sys.exit(0 if data == b"echo:" + msg else 2)
    except socket.timeout:
        pass
sys.exit(1)
EOF
ip netns exec "$nsB" "$py" "$tmp/udp_server.py" "$tmp/udp_got" &
srv=$!
sleep 0.3
ip netns exec "$nsA" "$py" "$tmp/udp_client.py"
st=$?
wait "$srv"
if [ "$st" -eq 0 ] && grep -q "nb-router-udp-" "$tmp/udp_got" 2>/dev/null; then ok "UDP datagram A -> B and its echo B -> A"
else bad "UDP across the router failed (client status $st)"; fi

# 3. TCP: a connection from B to A, 100 kB each way.
cat >"$tmp/tcp_server.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.1.0.2", 40001))
s.listen(1)
open(sys.argv[1], "w").write("listening\n")
s.settimeout(15)
c, _ = s.accept()
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
c = socket.create_connection(("10.1.0.2", 40001), timeout=15)
c.sendall(data)
got = b""
while len(got) < len(data):
    d = c.recv(65536)
    if not d:
        break
    got += d
sys.exit(0 if got == bytes(reversed(data)) else 1)
EOF
ip netns exec "$nsA" "$py" "$tmp/tcp_server.py" "$tmp/tcp_up" &
srv=$!
# The client connects once the server listens (python's start can take seconds on a loaded machine).
for _ in $(seq 100); do [ -s "$tmp/tcp_up" ] && break; sleep 0.1; done
ip netns exec "$nsB" "$py" "$tmp/tcp_client.py"
st=$?
wait "$srv"
if [ "$st" -eq 0 ]; then ok "TCP connection B -> A, 100 kB each way, intact"
else bad "TCP across the router failed (client status $st)"; fi

# 4. TTL 1: the router answers with ICMP time exceeded from its address on A's side.
ip netns exec "$nsA" ping -c 2 -i 0.3 -W 1 -t 1 10.2.0.2 >"$tmp/ttl.txt" 2>&1
if grep -qi "From 10.1.0.1.*Time to live exceeded" "$tmp/ttl.txt"; then ok "ping -t 1: Time to live exceeded from 10.1.0.1"
else bad "no time-exceeded from 10.1.0.1"; show "$tmp/ttl.txt"; fi

# 4b. traceroute (UDP probes): hop 1 is the router (its time-exceeded), hop 2 is B itself (B's
#     port unreachable, forwarded back by the router).
if command -v traceroute >/dev/null; then
  ip netns exec "$nsA" traceroute -n -q 1 -w 2 -m 4 10.2.0.2 >"$tmp/traceroute.txt" 2>&1
  if awk '$1 == 1 && $2 == "10.1.0.1" { a = 1 } $1 == 2 && $2 == "10.2.0.2" { b = 1 } END { exit !(a && b) }' "$tmp/traceroute.txt"; then
    ok "traceroute 10.2.0.2: hop 1 10.1.0.1 (the router), hop 2 10.2.0.2"
  else bad "traceroute did not show the router then B"; show "$tmp/traceroute.txt"; fi
else
  echo "note: traceroute is not installed (package traceroute); only ping -t 1 checked"
fi

# 5. No route (10.3.0.0/16 is nowhere): destination unreachable from the router.
ip netns exec "$nsA" ping -c 2 -i 0.3 -W 1 10.3.0.1 >"$tmp/unreach.txt" 2>&1
if grep -qi "From 10.1.0.1.*Destination Net Unreachable" "$tmp/unreach.txt"; then ok "ping 10.3.0.1: Destination Net Unreachable from 10.1.0.1"
else bad "no destination-unreachable from 10.1.0.1"; show "$tmp/unreach.txt"; fi

# 6. nbrun stops on SIGINT, exits 0.
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
flat=$tmp/stats.flat
json_flatten "$tmp/stats.json" >"$flat"
reason=$(json_get "$flat" stop_reason)
[ "$reason" = "stopped by a signal" ] && ok "stop_reason: $reason" || bad "stop_reason '$reason' (want: stopped by a signal)"
echo "router counters:"; grep -E "queries|learnt|replies|errors|routed|no_route|expired" "$flat" | sed 's/^/  /'
if [ "$workers" -gt 1 ]; then
  q0=$(json_get "$flat" ports in0 rx_queues)
  q1=$(json_get "$flat" ports in1 rx_queues)
  if [ "$q0" = "$workers" ] && [ "$q1" = "$workers" ]; then ok "both devices opened with $workers receive queues"
  else bad "rx_queues in0 '${q0:-}', in1 '${q1:-}' (want $workers)"; show "$tmp/stats.json" 80; fi
  procs=$(sed -n '/"workers": \[/,/\]/p' "$tmp/stats.json" | grep '"processed"' | grep -Eo '[0-9]+' | tr '\n' ' ')
  nw=$(echo "$procs" | wc -w)
  busy=$(for v in $procs; do [ "$v" -gt 0 ] && echo x; done | grep -c x)
  if [ "$nw" -eq "$workers" ] && [ "$busy" -ge 2 ]; then ok "$busy of $workers workers processed packets ($procs)"
  else bad "the workers array: $nw workers, $busy processed packets ($procs)"; fi
fi
finish

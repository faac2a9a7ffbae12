#!/usr/bin/env bash
# nbrun as a wire between two network namespaces, on real kernel traffic:
#
#   netns A: a0 10.99.0.1/24 ==veth== a1 ... nbrun ... b1 ==veth== b0 10.99.0.2/24 :netns B
#
# a1 and b1 stay in the root namespace, where nbrun opens them with DPDK's af_packet driver and
# forwards ARP unchanged and IPv4 through Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14),
# in both directions. The hosts share a /24, so no router is needed, and every IPv4 packet arrives
# with its TTL one lower. Checked with the kernel's own tools:
#   - ping -c 3 from A to B succeeds and the replies have ttl=63 (Linux sends 64);
#   - a UDP datagram sent from bash's /dev/udp in A reaches a socket in B (socat or python3,
#     else tcpdump in B sees it), and one from B reaches A;
#   - tcpdump in each namespace sees the other side's IPv4 packets arrive with ttl 63;
#   - nbrun stops cleanly on SIGINT and its statistics add up.
# Needs root and network namespaces: otherwise "SKIP: reason", exit 77.
# Usage: test_netns.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces and veth pairs"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"

# Names unique to this run (interface names: at most 15 characters).
id=$$
nsA=nb-itA-$id nsB=nb-itB-$id
a0=nbia0$id a1=nbia1$id b0=nbib0$id b1=nbib1$id
tmp=$(mktemp -d)
pids=()
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  if [ -n "${nb_pid:-}" ]; then
    kill -INT "$nb_pid" 2>/dev/null && sleep 0.5 && kill -KILL "$nb_pid" 2>/dev/null
    wait "$nb_pid" 2>/dev/null
    clean_leftovers "$nb_pid"
  fi
  ip netns del "$nsA" 2>/dev/null
  ip netns del "$nsB" 2>/dev/null
  ip link del "$a1" 2>/dev/null
  ip link del "$b1" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! ip netns add "$nsA" 2>"$tmp/ns.err"; then
  skip "cannot create a network namespace: $(head -1 "$tmp/ns.err")"
fi
ip netns add "$nsB" || skip "cannot create a second network namespace"
if ! ip link add "$a1" type veth peer name "$a0" 2>"$tmp/veth.err"; then
  skip "cannot create a veth pair: $(head -1 "$tmp/veth.err")"
fi
set -e
ip link add "$b1" type veth peer name "$b0"
ip link set "$a0" netns "$nsA"
ip link set "$b0" netns "$nsB"
ip -n "$nsA" addr add 10.99.0.1/24 dev "$a0"
ip -n "$nsB" addr add 10.99.0.2/24 dev "$b0"
for ns in "$nsA" "$nsB"; do ip -n "$ns" link set lo up; done
ip -n "$nsA" link set "$a0" up
ip -n "$nsB" link set "$b0" up
ip link set "$a1" up
ip link set "$b1" up
set +e
# The kernel leaves the UDP/TCP checksums of locally sent packets to the (virtual) NIC: on a veth
# they are never filled in, and a packet that nbrun's af_packet socket picks up and sends on has
# a partial checksum, which the receiving host rejects. Make the senders compute them in software.
csum_ok=1
if command -v ethtool >/dev/null; then
  ip netns exec "$nsA" ethtool -K "$a0" tx off >/dev/null 2>&1 || csum_ok=0
  ip netns exec "$nsB" ethtool -K "$b0" tx off >/dev/null 2>&1 || csum_ok=0
else
  csum_ok=0
fi
[ "$csum_ok" -eq 1 ] || echo "note: cannot turn off veth tx checksum offload (ethtool): UDP is checked with tcpdump in B, not a socket"
ok "namespaces $nsA (10.99.0.1) and $nsB (10.99.0.2), joined only through $a1 and $b1"

cat >"$tmp/wire.nbc" <<EOF
// Two veths joined: ARP unchanged, IPv4 with its TTL decremented, the rest dropped.
a_in :: FromDevice("net_af_packet0,iface=$a1", PROMISC true);
a_out :: ToDevice("net_af_packet0,iface=$a1");
b_in :: FromDevice("net_af_packet1,iface=$b1", PROMISC true);
b_out :: ToDevice("net_af_packet1,iface=$b1");

ca :: Classifier(12/0806, 12/0800, -);
a_in -> ca;
ca[0] -> arp_ab :: Counter -> b_out;
ca[1] -> Strip(14) -> CheckIPHeader -> ttl_ab :: DecIPTTL -> Unstrip(14) -> ip_ab :: Counter -> b_out;
ca[2] -> Discard;

cb :: Classifier(12/0806, 12/0800, -);
b_in -> cb;
cb[0] -> arp_ba :: Counter -> a_out;
cb[1] -> Strip(14) -> CheckIPHeader -> ttl_ba :: DecIPTTL -> Unstrip(14) -> ip_ba :: Counter -> a_out;
cb[2] -> Discard;
EOF

"$nbrun" "$tmp/wire.nbc" --engine interp --duration 40 --quiet --stats json >"$tmp/stats.json" 2>"$tmp/nbrun.err" &
nb_pid=$!

# Up when it holds a packet socket on each of the two veths (/proc/net/packet lists them by
# interface index), then a moment for the ports to start.
ifa=$(cat "/sys/class/net/$a1/ifindex")
ifb=$(cat "/sys/class/net/$b1/ifindex")
up=0
for _ in $(seq 100); do
  kill -0 "$nb_pid" 2>/dev/null || break
  if awk -v a="$ifa" -v b="$ifb" 'NR > 1 && $5 == a { x = 1 } NR > 1 && $5 == b { y = 1 } END { exit !(x && y) }' /proc/net/packet; then
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
ok "nbrun is up on $a1 and $b1 (pid $nb_pid)"

# tcpdump in A and B: what actually arrives there from the other side, with its TTL.
ip netns exec "$nsB" tcpdump -i "$b0" -n -vv -l 'src host 10.99.0.1 and (icmp[icmptype] == icmp-echo or udp port 40000)' \
  >"$tmp/capB.txt" 2>"$tmp/capB.err" &
cap_pids=($!)
ip netns exec "$nsA" tcpdump -i "$a0" -n -vv -l 'src host 10.99.0.2 and (icmp[icmptype] == icmp-echoreply or udp port 40001)' \
  >"$tmp/capA.txt" 2>"$tmp/capA.err" &
cap_pids+=($!)
pids+=("${cap_pids[@]}")
for _ in $(seq 50); do grep -q "listening on" "$tmp/capA.err" && grep -q "listening on" "$tmp/capB.err" && break; sleep 0.1; done

# 1. ping. The first tries also resolve ARP through nbrun.
have_ping=0
if command -v ping >/dev/null; then
  have_ping=1
  for _ in 1 2 3 4 5; do ip netns exec "$nsA" ping -c 1 -W 1 10.99.0.2 >/dev/null 2>&1 && break; done
  ip netns exec "$nsA" ping -c 3 -i 0.2 -W 2 10.99.0.2 >"$tmp/ping.txt" 2>&1
  st=$?
  if [ "$st" -eq 0 ] && grep -q " 0% packet loss" "$tmp/ping.txt"; then
    ok "ping -c 3 10.99.0.2 from $nsA: $(grep -o '[0-9]* received' "$tmp/ping.txt")"
  else
    bad "ping -c 3 10.99.0.2 from $nsA failed (exit $st)"
    show "$tmp/ping.txt"
  fi
  replies=$(grep -c "bytes from 10.99.0.2" "$tmp/ping.txt")
  ttl63=$(grep -c "bytes from 10.99.0.2: .* ttl=63 " "$tmp/ping.txt")
  if [ "$replies" -ge 3 ] && [ "$ttl63" -eq "$replies" ]; then
    ok "all $replies echo replies arrive with ttl=63 (sent with 64)"
  else
    bad "$ttl63 of $replies echo replies with ttl=63"
    show "$tmp/ping.txt"
  fi
fi

# 2. UDP from bash's /dev/udp in A to a socket in B.
token="nb-netns-$id-$RANDOM"
receiver=tcpdump
if [ "$csum_ok" -eq 0 ]; then
  :
elif command -v socat >/dev/null; then
  receiver=socat
  ip netns exec "$nsB" timeout 10 socat -u UDP4-RECVFROM:40000,bind=10.99.0.2 STDOUT >"$tmp/udp.txt" 2>&1 &
elif command -v python3 >/dev/null; then
  receiver=python3
  ip netns exec "$nsB" timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.99.0.2", 40000))
data, peer = s.recvfrom(65535)
sys.stdout.write(data.decode(errors="replace"))' >"$tmp/udp.txt" 2>&1 &
fi
rpid=
if [ "$receiver" != tcpdump ]; then
  rpid=$!
  pids+=("$rpid")
  for _ in $(seq 50); do ip netns exec "$nsB" ss -uln 2>/dev/null | grep -q "10.99.0.2:40000" && break; sleep 0.1; done
fi
for _ in $(seq 20); do
  ip netns exec "$nsA" bash -c "echo '$token' >/dev/udp/10.99.0.2/40000" 2>/dev/null
  sleep 0.2
  if [ "$receiver" = tcpdump ]; then
    grep -q "10.99.0.1.[0-9]* > 10.99.0.2.40000: .*UDP" "$tmp/capB.txt" && break
  else
    kill -0 "$rpid" 2>/dev/null || break
  fi
done
if [ "$receiver" = tcpdump ]; then
  if grep -q "10.99.0.1.[0-9]* > 10.99.0.2.40000: .*UDP" "$tmp/capB.txt"; then
    ok "UDP from $nsA (bash /dev/udp) reached $b0 in $nsB (seen by tcpdump: no socket receiver usable)"
  else
    bad "UDP from $nsA to 10.99.0.2:40000 never reached $nsB"
  fi
else
  wait "$rpid" 2>/dev/null
  if grep -qx "$token" "$tmp/udp.txt"; then
    ok "UDP from $nsA (bash /dev/udp) received by a $receiver socket in $nsB: '$token'"
  else
    bad "UDP from $nsA to 10.99.0.2:40000: the $receiver socket in $nsB got no datagram"
    show "$tmp/udp.txt"
  fi
fi

# And UDP the other way, from B to A (only tcpdump in A looks at it).
for _ in $(seq 20); do
  ip netns exec "$nsB" bash -c "echo '$token' >/dev/udp/10.99.0.1/40001" 2>/dev/null
  sleep 0.2
  grep -q "10.99.0.2.[0-9]* > 10.99.0.1.40001: .*UDP" "$tmp/capA.txt" && break
done
if grep -q "10.99.0.2.[0-9]* > 10.99.0.1.40001: .*UDP" "$tmp/capA.txt"; then
  ok "UDP from $nsB (bash /dev/udp) reached $a0 in $nsA (seen by tcpdump)"
else
  bad "UDP from $nsB to 10.99.0.1:40001 never reached $nsA"
fi

# 3. What arrived on each side: echo requests/replies and datagrams with TTL 63, none with 64.
sleep 0.3
for p in "${cap_pids[@]}"; do kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
for side in "B:$nsB:$nsA" "A:$nsA:$nsB"; do
  IFS=: read -r x ns from <<<"$side"
  n63=$(grep -c "(tos 0x[0-9a-f]*, ttl 63," "$tmp/cap$x.txt")
  n64=$(grep -c "(tos 0x[0-9a-f]*, ttl 64," "$tmp/cap$x.txt")
  if [ "$n63" -gt 0 ] && [ "$n64" -eq 0 ]; then
    ok "tcpdump in $ns: $n63 IPv4 packets from $from arrived with ttl 63, none with 64"
  else
    bad "tcpdump in $ns: $n63 packets from $from with ttl 63, $n64 with ttl 64 (want some, none)"
    show "$tmp/cap$x.txt"
  fi
done

# 4. nbrun stops on SIGINT, exits 0, and its statistics add up.
kill -INT "$nb_pid"
st=0
for _ in $(seq 100); do kill -0 "$nb_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$nb_pid" 2>/dev/null; then
  bad "nbrun did not stop within 10 s of SIGINT"
  kill -KILL "$nb_pid"
fi
wait "$nb_pid"
st=$?
if ! crashed "$st" "$tmp/nbrun.err" "nbrun"; then
  if [ "$st" -eq 0 ]; then ok "nbrun exits 0 on SIGINT"; else bad "nbrun exits $st on SIGINT"; show "$tmp/nbrun.err"; fi
fi
clean_leftovers "$nb_pid"
nb_pid=
json_flatten "$tmp/stats.json" >"$tmp/stats.flat"
get() { json_get "$tmp/stats.flat" "$@"; }
reason=$(get stop_reason)
[ -n "$reason" ] && echo "stop_reason: $reason"
rx=$(get totals rx)
tx=$(get totals tx)
drops=$(($(json_sum "$tmp/stats.flat" elements drops) + $(json_sum "$tmp/stats.flat" ports dropped)))
if [[ $rx =~ ^[0-9]+$ && $tx =~ ^[0-9]+$ ]] && [ "$rx" -eq $((tx + drops)) ]; then
  ok "statistics: rx $rx = tx $tx + dropped $drops"
else
  bad "statistics: rx '$rx', tx '$tx', drops $drops do not add up"
  show "$tmp/stats.json" 40
fi
for p in a_in b_in; do
  prx=$(get ports "$p" rx)
  ptx=$(get ports "$p" tx)
  if [[ $prx =~ ^[0-9]+$ && $ptx =~ ^[0-9]+$ ]] && [ "$prx" -gt 0 ] && [ "$ptx" -gt 0 ]; then
    ok "port $p ($(get ports "$p" device)): rx $prx, tx $ptx"
  else
    bad "port $p: rx '$prx', tx '$ptx' (want both > 0)"
  fi
done
# At least a datagram each way, and with ping three echo requests and three replies.
for c in ip_ab ip_ba arp_ab arp_ba; do
  n=$(get elements "$c" count)
  min=1
  [[ $c == ip_* ]] && [ "$have_ping" -eq 1 ] && min=4
  if [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge "$min" ]; then ok "$c counted $n"; else bad "$c counted '$n', want >= $min"; fi
done

if [ "$have_ping" -eq 0 ] && [ "$fail" -eq 0 ]; then
  skip "ping is not installed (Debian package iputils-ping): the UDP and TTL checks passed, the ping check did not run"
fi
finish

#!/usr/bin/env bash
# The firewall on real kernel traffic: nbrun joins two network namespaces through IPFilter.
#
#   netns A: a0 10.99.1.1/24 ==veth== a1 ... nbrun (IPFilter) ... b1 ==veth== b0 10.99.1.2/24 :netns B
#
# a1 and b1 stay in the root namespace, where nbrun opens them with DPDK's af_packet driver. ARP
# passes unchanged; IPv4 goes through CheckIPHeader and an IPFilter in each direction:
#   A -> B: allow icmp, allow tcp dst port 8080, deny udp dst port 9999, allow udp dst port 40000
#   B -> A: allow icmp, allow tcp src port 8080
# and anything else matches no rule and is dropped. Checked with the kernel's own tools:
#   - ping from A to B succeeds (allowed both ways);
#   - a TCP connection from A to a server on B's port 8080 carries a token (allowed);
#   - UDP to B's port 40000 arrives (tcpdump in B sees it), UDP to port 9999 never does (denied),
#     TCP to port 8081 never arrives either (no rule: dropped);
#   - the stats JSON: IPFilter's denied counter is exactly the number of datagrams sent to
#     9999, its drop reasons equal its counters, and rx = tx + drops.
# Needs root and network namespaces: otherwise "SKIP: reason", exit 77.
# Usage: firewall_netns.sh NBRUN SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
src=$(readlink -f "$2")
. "$src/tests/integration/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces and veth pairs"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"

id=$$
nsA=nb-fwA-$id nsB=nb-fwB-$id
a0=nbfa0$id a1=nbfa1$id b0=nbfb0$id b1=nbfb1$id
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
ip -n "$nsA" addr add 10.99.1.1/24 dev "$a0"
ip -n "$nsB" addr add 10.99.1.2/24 dev "$b0"
for ns in "$nsA" "$nsB"; do ip -n "$ns" link set lo up; done
ip -n "$nsA" link set "$a0" up
ip -n "$nsB" link set "$b0" up
ip link set "$a1" up
ip link set "$b1" up
set +e
# Locally sent TCP/UDP leaves its checksum to the veth "NIC", which never fills it in; packets
# forwarded by nbrun would arrive with a partial checksum. Make the senders compute it.
csum_ok=1
if command -v ethtool >/dev/null; then
  ip netns exec "$nsA" ethtool -K "$a0" tx off >/dev/null 2>&1 || csum_ok=0
  ip netns exec "$nsB" ethtool -K "$b0" tx off >/dev/null 2>&1 || csum_ok=0
else
  csum_ok=0
fi
ok "namespaces $nsA (10.99.1.1) and $nsB (10.99.1.2), joined only through $a1 and $b1"

cat >"$tmp/firewall.nbc" <<EOF
a_in :: FromDevice("net_af_packet0,iface=$a1", PROMISC true);
a_out :: ToDevice("net_af_packet0,iface=$a1");
b_in :: FromDevice("net_af_packet1,iface=$b1", PROMISC true);
b_out :: ToDevice("net_af_packet1,iface=$b1");

fw_ab :: IPFilter(allow icmp, allow tcp dst port 8080, deny udp dst port 9999, allow udp dst port 40000);
fw_ba :: IPFilter(allow icmp, allow tcp src port 8080);

ca :: Classifier(12/0806, 12/0800, -);
a_in -> ca;
ca[0] -> b_out;
ca[1] -> Strip(14) -> CheckIPHeader -> fw_ab -> Unstrip(14) -> b_out;
ca[2] -> Discard;

cb :: Classifier(12/0806, 12/0800, -);
b_in -> cb;
cb[0] -> a_out;
cb[1] -> Strip(14) -> CheckIPHeader -> fw_ba -> Unstrip(14) -> a_out;
cb[2] -> Discard;
EOF

"$nbrun" "$tmp/firewall.nbc" --duration 60 --quiet --stats json >"$tmp/stats.json" 2>"$tmp/nbrun.err" &
nb_pid=$!
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
ok "nbrun is up with the firewall (pid $nb_pid)"

# tcpdump in B: everything from A that gets through.
ip netns exec "$nsB" tcpdump -i "$b0" -n -l 'src host 10.99.1.1 and (udp or tcp)' >"$tmp/capB.txt" 2>"$tmp/capB.err" &
cap_pid=$!
pids+=("$cap_pid")
for _ in $(seq 50); do grep -q "listening on" "$tmp/capB.err" && break; sleep 0.1; done

# 1. ping (allowed). The first tries also resolve ARP through nbrun.
have_ping=0
if command -v ping >/dev/null; then
  have_ping=1
  for _ in 1 2 3 4 5; do ip netns exec "$nsA" ping -c 1 -W 1 10.99.1.2 >/dev/null 2>&1 && break; done
  if ip netns exec "$nsA" ping -c 3 -i 0.2 -W 2 10.99.1.2 >"$tmp/ping.txt" 2>&1 && grep -q " 0% packet loss" "$tmp/ping.txt"; then
    ok "ping 10.99.1.2 from $nsA passes the firewall: $(grep -o '[0-9]* received' "$tmp/ping.txt")"
  else
    bad "ping 10.99.1.2 from $nsA failed"
    show "$tmp/ping.txt"
  fi
else
  # Without ping, resolve ARP with a datagram to the allowed port.
  ip netns exec "$nsA" bash -c "echo arp >/dev/udp/10.99.1.2/40000" 2>/dev/null
  sleep 1
fi

# 2. TCP to port 8080 (allowed both ways): a token over a real connection.
token="nb-fw-$id-$RANDOM"
if [ "$csum_ok" -eq 1 ] && command -v python3 >/dev/null; then
  ip netns exec "$nsB" timeout 10 python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.99.1.2", 8080))
s.listen(1)
c, _ = s.accept()
sys.stdout.write(c.makefile().readline())' >"$tmp/tcp.txt" 2>&1 &
  spid=$!
  pids+=("$spid")
  for _ in $(seq 50); do ip netns exec "$nsB" ss -tln 2>/dev/null | grep -q "10.99.1.2:8080" && break; sleep 0.1; done
  ip netns exec "$nsA" timeout 5 bash -c "exec 3<>/dev/tcp/10.99.1.2/8080 && echo '$token' >&3" 2>"$tmp/tcpc.err"
  wait "$spid" 2>/dev/null
  if grep -qx "$token" "$tmp/tcp.txt"; then
    ok "TCP from $nsA to 10.99.1.2:8080 passes the firewall: the server got '$token'"
  else
    bad "TCP to 10.99.1.2:8080: the server in $nsB got nothing"
    show "$tmp/tcp.txt"
    show "$tmp/tcpc.err"
  fi
else
  echo "note: no python3 or no software checksums: the TCP connection check is left out"
fi

# 3. UDP to 40000 (allowed), to 9999 (denied); TCP to 8081 (no rule).
denied_sent=5
for i in $(seq "$denied_sent"); do
  ip netns exec "$nsA" bash -c "echo 'deny-$i' >/dev/udp/10.99.1.2/9999" 2>/dev/null
  ip netns exec "$nsA" bash -c "echo 'allow-$i' >/dev/udp/10.99.1.2/40000" 2>/dev/null
  sleep 0.1
done
ip netns exec "$nsA" timeout 2 bash -c "exec 3<>/dev/tcp/10.99.1.2/8081" 2>/dev/null
if [ $? -eq 0 ]; then bad "a TCP connection to 10.99.1.2:8081 (no rule allows it) was made"; fi
sleep 0.5
kill -INT "$cap_pid" 2>/dev/null
wait "$cap_pid" 2>/dev/null
n40000=$(grep -c "10.99.1.1.[0-9]* > 10.99.1.2.40000: UDP" "$tmp/capB.txt")
n9999=$(grep -c "> 10.99.1.2.9999: " "$tmp/capB.txt")
n8081=$(grep -c "> 10.99.1.2.8081: " "$tmp/capB.txt")
if [ "$n40000" -eq "$denied_sent" ]; then
  ok "tcpdump in $nsB: all $n40000 datagrams to the allowed port 40000 arrived"
else
  bad "tcpdump in $nsB: $n40000 of $denied_sent datagrams to port 40000 arrived"
  show "$tmp/capB.txt"
fi
if [ "$n9999" -eq 0 ] && [ "$n8081" -eq 0 ]; then
  ok "tcpdump in $nsB: nothing to the denied UDP port 9999, nothing to TCP port 8081"
else
  bad "tcpdump in $nsB: $n9999 packets to UDP 9999 and $n8081 to TCP 8081 got through"
  show "$tmp/capB.txt"
fi

# 4. Stop; the counters.
kill -INT "$nb_pid"
for _ in $(seq 100); do kill -0 "$nb_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$nb_pid" 2>/dev/null && { bad "nbrun did not stop within 10 s of SIGINT"; kill -KILL "$nb_pid"; }
wait "$nb_pid"
st=$?
if ! crashed "$st" "$tmp/nbrun.err" "nbrun"; then
  if [ "$st" -eq 0 ]; then ok "nbrun exits 0 on SIGINT"; else bad "nbrun exits $st on SIGINT"; show "$tmp/nbrun.err"; fi
fi
clean_leftovers "$nb_pid"
nb_pid=
json_flatten "$tmp/stats.json" >"$tmp/stats.flat"
get() { json_get "$tmp/stats.flat" "$@"; }
denied=$(get elements fw_ab denied)
if [ "$denied" = "$denied_sent" ]; then
  ok "fw_ab counted $denied denied packets: the $denied_sent datagrams to port 9999"
else
  bad "fw_ab counted '$denied' denied packets, want $denied_sent"
  show "$tmp/stats.json" 60
fi
for e in fw_ab fw_ba; do
  for pair in "denied:denied" "unmatched:no match" "bad:bad IP header"; do
    c=${pair%%:*} r=${pair#*:}
    nc=$(get elements "$e" "$c")
    nr=$(get elements "$e" drop_reasons "$r")
    if [[ $nc =~ ^[0-9]+$ ]] && [ "$nc" = "$nr" ]; then :; else bad "$e: counter $c '$nc' but drop reason '$r' '$nr'"; fi
  done
done
unmatched=$(get elements fw_ab unmatched)
passed_ab=$(get elements fw_ab passed)
passed_ba=$(get elements fw_ba passed)
min_ab=$denied_sent
[ "$have_ping" -eq 1 ] && min_ab=$((min_ab + 3))
if [[ $unmatched =~ ^[0-9]+$ ]] && [ "$unmatched" -ge 1 ] && [ "${passed_ab:-0}" -ge "$min_ab" ] && [ "${passed_ba:-0}" -ge 1 ]; then
  ok "fw_ab passed $passed_ab, left $unmatched unmatched (the SYNs to 8081); fw_ba passed $passed_ba"
else
  bad "fw_ab passed '$passed_ab' (want >= $min_ab), unmatched '$unmatched' (want >= 1); fw_ba passed '$passed_ba'"
fi
rx=$(get totals rx)
tx=$(get totals tx)
drops=$(($(json_sum "$tmp/stats.flat" elements drops) + $(json_sum "$tmp/stats.flat" ports dropped)))
if [[ $rx =~ ^[0-9]+$ && $tx =~ ^[0-9]+$ ]] && [ "$rx" -eq $((tx + drops)) ]; then
  ok "statistics: rx $rx = tx $tx + dropped $drops"
else
  bad "statistics: rx '$rx', tx '$tx', drops $drops do not add up"
fi
finish

# Sourced by the multicore netns tests (after tests/integration/lib.sh): two network namespaces
# with IPv6 off and no addresses, so the kernel sends nothing of its own, and a veth pair between
# them, $p0 in $nsP (where packets are injected) and $n1 in $nsN (where nbrun reads). Also
# $tmp (the working directory) and an EXIT trap that stops nbrun ($nb_pid) and removes it all.
# quiet_veth_pair TAG: TAG (two letters) keeps names apart from other tests'.
quiet_veth_pair() {
  [ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces and veth pairs"
  command -v ip >/dev/null || skip "ip (iproute2) is not installed"
  py=$(command -v python3) || skip "python3 is not installed"
  local id=$$
  nsP=nb-$1P-$id nsN=nb-$1N-$id
  p0=nb$1p$id n1=nb$1n$id
  tmp=$(mktemp -d)
  trap veth_pair_cleanup EXIT
  trap 'exit 1' INT TERM
  cd "$tmp" || exit 1
  ip netns add "$nsP" 2>ns.err || skip "cannot create a network namespace: $(head -1 ns.err)"
  ip netns add "$nsN" || skip "cannot create a second network namespace"
  ip link add "$p0" type veth peer name "$n1" 2>veth.err || skip "cannot create a veth pair: $(head -1 veth.err)"
  set -e
  for ns in "$nsP" "$nsN"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
  done
  ip link set "$p0" netns "$nsP"
  ip link set "$n1" netns "$nsN"
  for ns in "$nsP" "$nsN"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
  ip -n "$nsP" link set "$p0" up
  ip -n "$nsN" link set "$n1" up
  set +e
}

# shellcheck disable=SC2317  # run by the EXIT trap
veth_pair_cleanup() {
  if [ -n "${nb_pid:-}" ]; then
    kill -INT "$nb_pid" 2>/dev/null && sleep 0.5 && kill -KILL "$nb_pid" 2>/dev/null
    wait "$nb_pid" 2>/dev/null
    clean_leftovers "$nb_pid"
  fi
  ip netns del "$nsP" 2>/dev/null
  ip netns del "$nsN" 2>/dev/null
  ip link del "$p0" 2>/dev/null
  rm -rf "$tmp"
}

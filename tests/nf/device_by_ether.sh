#!/usr/bin/env bash
# Click's device named by its Ethernet address (mazu-nat.click's FromDevice(extern:eth),
# ToHostSniffers(extern:eth)): nbc check finds the host's interface that has the address, as
# Click's user level does, and refuses an address no interface has, naming it. In a network
# namespace (root) a veth with a known address is found and nbrun runs on it.
# Usage: device_by_ether.sh NBC NBRUN
set -u
nbc=$1
nbrun=$2
tmp=$(mktemp -d)
ns=nb-ether-$$
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail=0

cat > "$tmp/none.nbc" <<'CONF'
AddressInfo(extern 209.6.198.213 00:e0:98:09:ab:af);
FromDevice(extern:eth) -> Discard;
FromDump(a.pcap) -> ToHostSniffers(00:e0:98:09:ab:af);
CONF
out=$("$nbc" check --color never "$tmp/none.nbc" 2>&1)
if [ $? = 0 ]; then
  echo "FAIL: an Ethernet address no interface has passes nbc check"; fail=1
fi
for want in "none.nbc:2:12: error: DEVNAME of FromDevice: no network interface of this host has the Ethernet address 00:e0:98:09:ab:af ('extern:eth')" \
            "none.nbc:3:36: error: DEVNAME of ToHostSniffers: no network interface of this host has the Ethernet address 00:e0:98:09:ab:af" \
            "note: Click finds a device named by its Ethernet address among the host's interfaces; this host has lo "; do
  if ! grep -qF "$want" <<<"$out"; then
    echo "FAIL: missing: $want"; echo "$out"; fail=1
  fi
done

if [ "$(id -u)" = 0 ] && ip netns add "$ns" 2>/dev/null; then
  ip -n "$ns" link add nbe0 type veth peer name nbe1
  ip -n "$ns" link set nbe0 address 02:00:00:aa:bb:01 up
  ip -n "$ns" link set nbe1 up
  cat > "$tmp/found.nbc" <<'CONF'
AddressInfo(here 10.9.9.1 02:00:00:aa:bb:01);
FromDevice(here:eth) -> Discard;
FromDump(IN) -> ToDevice(02:00:00:aa:bb:01);
CONF
  printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' > "$tmp/in.pcap"
  sed -i "s#IN#$tmp/in.pcap#" "$tmp/found.nbc"
  if ! out=$(ip netns exec "$ns" "$nbc" check --color never "$tmp/found.nbc" 2>&1); then
    echo "FAIL: the veth's address does not name it:"; echo "$out"; fail=1
  fi
  if ! out=$(ip netns exec "$ns" timeout 60 "$nbrun" "$tmp/found.nbc" --engine interp --duration 1 --quiet --no-control 2>&1); then
    echo "FAIL: nbrun on the device named by its address:"; echo "$out"; fail=1
  fi
else
  echo "skip the namespace part: no network namespace here"
fi
[ "$fail" = 0 ] && echo "device by Ethernet address: ok"
exit $fail

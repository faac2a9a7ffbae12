#!/usr/bin/env bash
# FromDevice's and ToDevice's parameters take effect on real DPDK virtual devices (issue 15,
# item 12: a parameter accepted and ignored is a defect):
#   - DEVNAME: a vdev spec creates that device (net_pcap with rx_pcap/tx_pcap files);
#   - QUEUE: with two rx_pcap files net_pcap has two receive queues, and QUEUE 1 reads the second
#     file only; with two tx_pcap files, ToDevice QUEUE 1 writes the second only;
#   - BURST: the port's burst counters (--stats json ports.*.rx_bursts/tx_bursts) show at most
#     BURST packets per burst;
#   - NDESC: the queues get that many descriptors (ports.*.rx_desc/tx_desc);
#   - PROMISC: a tap interface is in promiscuous mode (IFF_PROMISC in sysfs) only with it;
#   - two ToDevices on one device share its transmit queue and lose nothing.
# Usage: test_device_params.sh NBRUN NB-GEN-TRAFFIC SOURCE_DIR
set -u
nbrun=$(readlink -f "$1")
gen=$(readlink -f "$2")
. "$(dirname "$0")/lib.sh"
enter_scratch

"$gen" --profile udp-seq --count 100 -o a.pcap || bad "nb-gen-traffic failed"
"$gen" --profile udp-seq --count 37 --seed 2 -o b.pcap || bad "nb-gen-traffic failed"
records() { tcpdump -n -r "$1" 2>/dev/null | wc -l; }

# run NAME SECONDS: nbrun NAME.nbc for SECONDS (devices do not end by themselves); sets st, flat.
run() {
  run_limited 60 "$1.out" "$1.err" "$nbrun" "$1.nbc" --quiet --no-control --engine interp --stats json \
    --duration "$2"
  st=$?
  clean_leftovers "$last_pid"
  crashed "$st" "$1.err" "$1" && st=99
  json_flatten "$1.out" >"$1.flat"
  flat=$1.flat
}

for engine in interp jit; do
  cat >q_$engine.nbc <<EOF
FromDevice("net_pcap7,rx_pcap=a.pcap,rx_pcap=b.pcap", QUEUE 1, BURST 4, NDESC 256)
  -> ToDevice("net_pcap8,tx_pcap=x_$engine.pcap,tx_pcap=y_$engine.pcap", QUEUE 1, BURST 2, NDESC 128);
EOF
  run_limited 60 q_$engine.out q_$engine.err "$nbrun" q_$engine.nbc --quiet --no-control --engine $engine \
    --stats json --duration 2
  st=$?
  clean_leftovers "$last_pid"
  crashed "$st" q_$engine.err "$engine" && continue
  json_flatten q_$engine.out >q.flat
  in=FromDevice@1
  out=ToDevice@2
  rx=$(json_get q.flat ports $in rx)
  rxb=$(json_get q.flat ports $in rx_bursts)
  tx=$(json_get q.flat ports $out tx)
  txb=$(json_get q.flat ports $out tx_bursts)
  if [ "$st" -eq 0 ] && [ "$rx" = 37 ] && diff -q <(tcpdump -n -t -xx -r b.pcap 2>/dev/null) \
    <(tcpdump -n -t -xx -r y_$engine.pcap 2>/dev/null) >/dev/null && [ "$(records x_$engine.pcap)" = 0 ]; then
    ok "$engine: QUEUE 1 read b.pcap only (37 packets) and wrote the second tx file only"
  else
    bad "$engine: QUEUE: exit $st, rx $rx, $(records y_$engine.pcap) in y, $(records x_$engine.pcap) in x"
    show q_$engine.err 6
  fi
  # 37 packets: at least ceil(37/4) = 10 receive bursts with BURST 4, 19 transmit bursts with BURST 2.
  if [ -n "$rxb" ] && [ "$rxb" -ge 10 ] && [ -n "$txb" ] && [ "$txb" -ge 19 ] && [ "$tx" = 37 ]; then
    ok "$engine: BURST: $rxb receive bursts for 37 packets (BURST 4), $txb transmit bursts (BURST 2)"
  else
    bad "$engine: BURST: $rxb receive bursts, $txb transmit bursts, tx $tx"
  fi
  if [ "$(json_get q.flat ports $in rx_desc)" = 256 ] && [ "$(json_get q.flat ports $out tx_desc)" = 128 ]; then
    ok "$engine: NDESC: 256 receive and 128 transmit descriptors"
  else
    bad "$engine: NDESC: rx_desc $(json_get q.flat ports $in rx_desc), tx_desc $(json_get q.flat ports $out tx_desc)"
  fi
done

# The defaults: BURST is nbrun's --burst (32), so 37 packets come in 2 receive bursts.
printf 'FromDevice("net_pcap7,rx_pcap=b.pcap") -> ToDevice("net_pcap8,tx_pcap=d.pcap");\n' >d.nbc
run d 2
rxb=$(json_get "$flat" ports FromDevice@1 rx_bursts)
[ "$st" -eq 0 ] && [ "$rxb" = 2 ] && ok "default BURST: 2 receive bursts for 37 packets" ||
  bad "default BURST: exit $st, $rxb receive bursts"

# Two ToDevices on one device (Click's configurations have one per path): they share its
# transmit queue, and the file gets every packet of both paths, each once.
cat >two.nbc <<'EOF2'
FromDevice("net_pcap7,rx_pcap=a.pcap") -> s :: RoundRobinSwitch;
s[0] -> c0 :: Counter -> ToDevice("net_pcap8,tx_pcap=two.pcap");
s[1] -> c1 :: Counter -> ToDevice("net_pcap8,tx_pcap=two.pcap", BURST 8);
EOF2
run two 2
# Each record on one line (its header and its bytes), sorted: the same multiset as the input's.
one_line() { tcpdump -n -t -xx -r "$1" 2>/dev/null | awk '/^[^\t]/ { if (p) print p; p = $0; next } { p = p $0 } END { print p }' | sort | md5sum; }
c0=$(json_get "$flat" elements c0 count)
c1=$(json_get "$flat" elements c1 count)
if [ "$st" -eq 0 ] && [ "$(records two.pcap)" = 100 ] && [ "$(one_line two.pcap)" = "$(one_line a.pcap)" ] &&
  [ "$c0" = 50 ] && [ "$c1" = 50 ]; then
  ok "two ToDevices on one device: all 100 packets in its file, each once ($c0 and $c1 by the two paths)"
else
  bad "two ToDevices on one device: exit $st, $(records two.pcap) records, paths $c0 and $c1"
  show two.err 6
fi

# A queue the device does not have.
printf '// no such queue\nFromDevice("net_pcap7,rx_pcap=b.pcap", QUEUE 3) -> Discard;\n' >noq.nbc
run noq 1
if [ "$st" -eq 1 ] && grep -Eq "^noq\.nbc:2:[0-9]+: error: .*QUEUE 3 does not exist" noq.err; then
  ok "QUEUE 3 on a one-queue device: $(grep -m1 '^noq.nbc:2' noq.err)"
else
  bad "QUEUE 3 on a one-queue device: exit $st"
  show noq.err 6
fi

# PROMISC on a tap interface, seen by the kernel (IFF_PROMISC = 0x100).
if [ -c /dev/net/tun ] && [ "$(id -u)" -eq 0 ]; then
  for promisc in true false; do
    iface=nbprm$$${promisc:0:1}
    printf 'FromDevice("net_tap0,iface=%s", PROMISC %s) -> Discard;\n' "$iface" "$promisc" >p.nbc
    "$nbrun" p.nbc --quiet --no-control --stats none --duration 3 >p.out 2>p.err &
    nb_pid=$!
    flags=
    for _ in $(seq 50); do
      flags=$(cat /sys/class/net/$iface/flags 2>/dev/null) && break
      sleep 0.1
    done
    sleep 0.3
    flags=$(cat /sys/class/net/$iface/flags 2>/dev/null)
    wait "$nb_pid"
    nb_pid=
    if [ -z "$flags" ]; then
      bad "PROMISC $promisc: no interface $iface appeared"
      show p.err 6
    elif { [ $((flags & 0x100)) -ne 0 ] && [ "$promisc" = true ]; } ||
      { [ $((flags & 0x100)) -eq 0 ] && [ "$promisc" = false ]; }; then
      ok "PROMISC $promisc: $iface flags $flags"
    else
      bad "PROMISC $promisc: $iface flags $flags"
    fi
  done
else
  echo "note: no /dev/net/tun or not root: PROMISC is not checked here"
fi

finish

#!/usr/bin/env python3
"""Click's device addresses: an address argument naming a network interface of the host (eth0,
eth0:ip, eth0:eth, eth0:bcast, eth0:net, eth0:gw) is read from the kernel when the configuration
is checked, as Click's user level reads it, and nbrun writes those addresses into packets. On lo
always; on a dummy interface with a default route in a network namespace when we may make one
(CAP_NET_ADMIN; a veth end without the dummy module), where ARPQuerier(NAME) and ICMPPingSource(NAME, ...) take the interface's
addresses too. An unknown name keeps its error with a did-you-mean; FromDevice's METHOD takes
what a packet socket does and refuses the rest with a reason.
Usage: device_addresses.py NBC NBRUN
"""
import os
import pathlib
import struct
import subprocess
import sys
import tempfile

nbc, nbrun = sys.argv[1], sys.argv[2]
failures = 0


def fail(msg):
    global failures
    print("FAIL:", msg)
    failures += 1


def packets(path):
    data = pathlib.Path(path).read_bytes()
    out, at = [], 24
    while at + 16 <= len(data):
        n = struct.unpack_from("<I", data, at + 8)[0]
        out.append(data[at + 16:at + 16 + n])
        at += 16 + n
    return out


def run(prefix, tool, cfg, tmp, name):
    path = tmp / f"{name}.click"
    path.write_text(cfg)
    args = [tool, "check", "--color", "never", str(path)] if tool == nbc else \
        [tool, str(path), "--engine", "interp", "--quiet"]
    return subprocess.run(prefix + args, capture_output=True, text=True, timeout=120)


def expect_error(prefix, cfg, tmp, name, *says):
    r = run(prefix, nbc, cfg, tmp, name)
    if r.returncode == 0:
        fail(f"{name}: nbc check accepted it")
    for s in says:
        if s not in r.stderr:
            fail(f"{name}: {s!r} not in {r.stderr!r}")


def addresses(prefix, ifname, tmp, want_ip, want_bcast, want_mac, want_gw):
    """The interface's addresses as nbrun writes them into a packet."""
    gw = f"SetIPAddress({ifname}:gw) -> StoreIPAddress(12) ->" if want_gw else ""
    cfg = (f'InfiniteSource(DATA "", LENGTH 16, LIMIT 1, STOP true) -> StoreIPAddress({ifname}:ip, 0)\n'
           f"  -> StoreIPAddress({ifname}:bcast, 4) -> SetIPAddress({ifname}) -> StoreIPAddress(8) -> {gw}\n"
           f"  EtherEncap(0x0800, {ifname}, {ifname}:eth) -> ToDump({tmp}/{ifname}.pcap);\n")
    r = run(prefix, nbc, cfg, tmp, f"{ifname}_check")
    if r.returncode != 0:
        fail(f"{ifname}: nbc check: {r.stderr}")
        return
    r = run(prefix, nbrun, cfg, tmp, ifname)
    if r.returncode != 0:
        fail(f"{ifname}: nbrun: {r.stderr}")
        return
    p = packets(tmp / f"{ifname}.pcap")
    want = bytes.fromhex(want_mac * 2) + b"\x08\x00" + bytes(int(x) for x in want_ip.split(".")) + \
        bytes(int(x) for x in want_bcast.split(".")) + bytes(int(x) for x in want_ip.split(".")) + \
        (bytes(int(x) for x in want_gw.split(".")) if want_gw else bytes(4))
    if p != [want]:
        fail(f"{ifname}: packets {[x.hex() for x in p]}, want {want.hex()}")


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    os.chmod(tmp, 0o755)
    addresses([], "lo", tmp, "127.0.0.1", "127.255.255.255", "000000000000", None)
    expect_error([], "InfiniteSource(LIMIT 1) -> SetIPAddress(lo:gw) -> Discard;", tmp, "lo_gw",
                 "no default route through 'lo'")
    expect_error([], "InfiniteSource(LIMIT 1) -> SetIPAddress(lx) -> Discard;", tmp, "unknown",
                 "unknown address name 'lx'", "did you mean 'lo'?")
    expect_error([], "FromDevice(lo, METHOD NETMAP) -> Discard;", tmp, "method", "METHOD NETMAP is not taken")
    expect_error([], "FromDevice(lo, SNIFFER maybe) -> Discard;", tmp, "sniffer", "invalid bool for SNIFFER of FromDevice")
    # SNIFFER false is taken (integration_sniffer_off checks that the kernel no longer answers).
    r = run([], nbc, "FromDevice(lo, METHOD LINUX, SNIFFER true) -> Discard;\n"
            "FromDevice(0, METHOD pcap, SNIFFER false) -> Discard;\n", tmp, "method_ok")
    if r.returncode != 0:
        fail(f"METHOD LINUX/PCAP, SNIFFER true/false: {r.stderr}")

    ns = f"nbaddr{os.getpid()}"
    if os.geteuid() != 0 or subprocess.run(["ip", "netns", "add", ns], capture_output=True).returncode != 0:
        print("note: no network namespace (needs CAP_NET_ADMIN): only lo was checked")
    else:
        try:
            px = ["ip", "netns", "exec", ns]
            # A dummy interface, or one end of a veth pair where the dummy module is missing.
            made = subprocess.run(px + "ip link add nbd0 type dummy".split(), capture_output=True).returncode == 0 or \
                subprocess.run(px + "ip link add nbd0 type veth peer name peer0".split(),
                               capture_output=True).returncode == 0
            ok = made and all(subprocess.run(px + c.split(), capture_output=True).returncode == 0 for c in [
                "ip link set nbd0 address 02:11:22:33:44:55",
                "ip addr add 10.77.0.5/24 dev nbd0", "ip link set nbd0 up", "ip link set lo up",
                "ip route add default via 10.77.0.1 dev nbd0"])
            if not ok:
                print("note: no dummy interface in the namespace: only lo was checked")
            else:
                addresses(px, "nbd0", tmp, "10.77.0.5", "10.77.0.255", "021122334455", "10.77.0.1")
                # Click's test-ping: the pinger's source, the gateway and ARPQuerier(NAME) all from nbd0;
                # the next hop is not known, so ARPQuerier asks for the gateway from nbd0's addresses.
                cfg = (f"ICMPPingSource(nbd0, 10.77.0.9, LIMIT 1, STOP true) -> SetIPAddress(nbd0:gw)\n"
                       f"  -> arpq :: ARPQuerier(nbd0) -> ToDump({tmp}/arp.pcap);\n"
                       f"Idle -> [1]arpq;\n")
                r = run(px, nbrun, cfg, tmp, "ping")
                if r.returncode != 0:
                    fail(f"ping: nbrun: {r.stderr}")
                else:
                    arp = packets(tmp / "arp.pcap")
                    want_sender = bytes.fromhex("021122334455") + bytes([10, 77, 0, 5])
                    if len(arp) != 1 or arp[0][6:12] != bytes.fromhex("021122334455") or \
                            arp[0][22:32] != want_sender or arp[0][38:42] != bytes([10, 77, 0, 1]):
                        fail(f"ping: ARP query {[a.hex() for a in arp]}")
                expect_error(px, "InfiniteSource(LIMIT 1) -> SetIPAddress(nbd1) -> Discard;", tmp, "unknown_ns",
                             "unknown address name 'nbd1'", "did you mean 'nbd0'?")
        finally:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
print("device_addresses:", "FAIL" if failures else "ok")
sys.exit(1 if failures else 0)

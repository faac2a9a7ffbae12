#!/usr/bin/env python3
"""Click's host elements (FromHost, ToHost, KernelTun, KernelTap) on kernel interfaces that
nbrun makes with DPDK's net_tap/net_tun, in a network namespace of their own: the kernel is the
peer. It pings an address it routes through the interface; nb answers its ARP query and sends
its echo requests back mirrored, so the kernel answers itself and ping sees its replies. The
kernel's own counters and ping's exit status are the oracles. ToHost(dum0), dum0 an interface
of the host: frames reach the tap nb-dum0, which has dum0's Ethernet address. Skips (77) where
network namespaces cannot be made (no CAP_NET_ADMIN).
Usage: test_host_elements.py NBRUN [NBCTL]
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

nbrun = sys.argv[1]
nbctl = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(nbrun), "nbctl")
ns = f"nbhost{os.getpid() % 100000}"
if subprocess.run(["ip", "netns", "add", ns], capture_output=True).returncode != 0:
    print("SKIP: cannot make a network namespace (needs CAP_NET_ADMIN)")
    sys.exit(77)
# Making a tap needs CAP_NET_ADMIN and /dev/net/tun (a namespace alone needs neither).
probe = subprocess.run(["ip", "-n", ns, "tuntap", "add", "dev", "nbprobe0", "mode", "tap"], capture_output=True, text=True)
if probe.returncode != 0:
    subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    print(f"SKIP: cannot make a tap interface (needs CAP_NET_ADMIN and /dev/net/tun): {probe.stderr.strip()}")
    sys.exit(77)
subprocess.run(["ip", "-n", ns, "tuntap", "del", "dev", "nbprobe0", "mode", "tap"], capture_output=True)

failures = 0


def check(ok, what):
    global failures
    print(("ok:   " if ok else "FAIL: ") + what)
    failures += 0 if ok else 1


def in_ns(*cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True, **kw)


def wait_iface(name, seconds=10.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if in_ns("ip", "link", "show", name).returncode == 0:
            return True
        time.sleep(0.1)
    return False


def counter(iface, which):
    r = in_ns("cat", f"/sys/class/net/{iface}/statistics/{which}")
    return int(r.stdout) if r.returncode == 0 else -1


def run(cfg, text, duration=8):
    cfg.write_text(text)
    return subprocess.Popen(["ip", "netns", "exec", ns, nbrun, str(cfg), "--engine", "interp", "--duration",
                             str(duration), "--quiet", "--no-control", "--stats", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(p, what):
    out, err = p.communicate(timeout=90)
    if p.returncode != 0:
        check(False, f"{what}: nbrun exits {p.returncode}: {err.strip()[:400]}")
        return None
    return json.loads(out)


try:
    in_ns("ip", "link", "set", "lo", "up")
    with tempfile.TemporaryDirectory() as tmp:
        cfg = pathlib.Path(tmp) / "host.nbc"

        # FromHost + ToHost sharing fake0: ARP answered, echo requests mirrored back.
        p = run(cfg, """
FromHost(fake0, 10.9.0.1/24, ETHER 02:00:00:00:09:01, MTU 1280, BURST 8) -> cl :: Classifier(12/0806 20/0001, 12/0800, -);
cl[0] -> ARPResponder(10.9.0.2 02:00:00:00:00:02) -> ToHost(fake0);
cl[1] -> EtherMirror -> Strip(14) -> CheckIPHeader -> IPMirror -> Unstrip(14) -> c :: Counter -> ToHost(fake0);
cl[2] -> Discard;
""")
        if not wait_iface("fake0"):
            check(False, "FromHost(fake0, ...) makes interface fake0")
        else:
            addr = in_ns("ip", "-4", "-o", "addr", "show", "fake0").stdout
            check("10.9.0.1/24" in addr, f"fake0 has the address 10.9.0.1/24 ({addr.split()[3] if addr else 'none'})")
            mac = in_ns("cat", "/sys/class/net/fake0/address").stdout.strip()
            check(mac == "02:00:00:00:09:01", f"fake0 has FromHost's ETHER ({mac})")
            mtu = in_ns("cat", "/sys/class/net/fake0/mtu").stdout.strip()
            check(mtu == "1280", f"fake0 has FromHost's MTU 1280 ({mtu})")
            ping = in_ns("ping", "-n", "-c", "3", "-i", "0.3", "-W", "2", "10.9.0.2", timeout=30)
            check(ping.returncode == 0, "the kernel's ping of 10.9.0.2 through fake0 gets its replies "
                  f"({ping.stdout.strip().splitlines()[-2] if ping.stdout.strip() else ping.stderr.strip()})")
            rx = counter("fake0", "rx_packets")
            check(rx >= 6, f"the kernel counts what ToHost handed it on fake0 ({rx} frames: ARP reply, requests, replies)")
        stats = finish(p, "FromHost/ToHost")
        if stats:
            n = stats["elements"]["c"]["count"]
            check(n >= 6, f"nb mirrored the kernel's echo requests and replies ({n})")
        check(in_ns("ip", "link", "show", "fake0").returncode != 0, "fake0 is gone when nbrun stops")

        # KernelTun: IP packets, no Ethernet header.
        p = run(cfg, """
tun :: KernelTun(10.8.0.1/24, DEVNAME nbtun0, MTU 1400);
tun -> CheckIPHeader -> c :: Counter -> IPMirror -> tun;
""")
        if not wait_iface("nbtun0"):
            check(False, "KernelTun(..., DEVNAME nbtun0) makes interface nbtun0")
        else:
            mtu = in_ns("cat", "/sys/class/net/nbtun0/mtu").stdout.strip()
            check(mtu == "1400", f"nbtun0 has MTU 1400 ({mtu})")
            ping = in_ns("ping", "-n", "-c", "3", "-i", "0.3", "-W", "2", "10.8.0.2", timeout=30)
            check(ping.returncode == 0, "the kernel's ping of 10.8.0.2 through the tun gets its replies")
        stats = finish(p, "KernelTun")
        if stats:
            n = stats["elements"]["c"]["count"]
            check(n >= 6, f"KernelTun's packets start at their IP header: CheckIPHeader passed {n}")

        # KernelTap without DEVNAME: the first free tapN, one element both ways.
        p = run(cfg, """
tap :: KernelTap(10.7.0.1/24, MTU 1300, HEADROOM 64, IGNORE_QUEUE_OVERFLOWS true) -> cl :: Classifier(12/0806 20/0001, 12/0800, -);
cl[0] -> ARPResponder(10.7.0.0/24 02:00:00:00:00:07) -> tap;
cl[1] -> EtherMirror -> Strip(14) -> CheckIPHeader -> IPMirror -> Unstrip(14) -> tap;
cl[2] -> Discard;
""")
        if not wait_iface("tap0"):
            check(False, "KernelTap without DEVNAME makes tap0")
        else:
            mac = in_ns("cat", "/sys/class/net/tap0/address").stdout.strip()
            mtu = in_ns("cat", "/sys/class/net/tap0/mtu").stdout.strip()
            check(mac == "00:01:02:03:04:05" and mtu == "1300",
                  f"tap0 has Click's default Ethernet address and KernelTap's MTU ({mac}, {mtu})")
            ping = in_ns("ping", "-n", "-c", "3", "-i", "0.3", "-W", "2", "10.7.0.9", timeout=30)
            check(ping.returncode == 0, "the kernel's ping of 10.7.0.9 through KernelTap's tap0 gets its replies")
        finish(p, "KernelTap")

        # ToHost(dum0), dum0 an interface of the host (one end of a veth pair): the tap nb-dum0
        # with dum0's Ethernet address.
        made = in_ns("ip", "link", "add", "dum0", "type", "veth", "peer", "name", "dum1")
        check(made.returncode == 0, f"a veth pair dum0/dum1 in the namespace {made.stderr.strip()}")
        dmac = in_ns("cat", "/sys/class/net/dum0/address").stdout.strip()
        p = run(cfg, """
InfiniteSource(DATA \\<ffffffffffff 020000000001 0800 4500001c 00000000 4011f9d2 0a000001 0affffff 04d204d2 00080000>,
               LIMIT 5, STOP false) -> ToHost(dum0);
InfiniteSource(DATA \\<ffffffffffff 020000000001 0800 4500001c 00000000 4011f9d2 0a000001 0affffff 04d204d2 00080000>,
               LIMIT 3, STOP false) -> ToHostSniffers(dum0);
""", duration=4)
        if not wait_iface("nb-dum0"):
            check(False, "ToHost(dum0) makes the tap nb-dum0")
        else:
            mac = in_ns("cat", "/sys/class/net/nb-dum0/address").stdout.strip()
            check(mac == dmac, f"nb-dum0 has dum0's Ethernet address ({mac}, dum0 {dmac})")
            time.sleep(1.5)
            rx = counter("nb-dum0", "rx_packets")
            check(rx == 8, f"the kernel received ToHost's 5 and ToHostSniffers' 3 frames on nb-dum0 ({rx})")
        finish(p, "ToHost(dum0)")

        # A reload keeps the interface (same index) and its settings; new settings are refused.
        sock = pathlib.Path(tmp) / "ctl.sock"
        host = "FromHost(fake1, 10.5.0.1/24) -> cl :: Classifier(12/0806 20/0001, -);\n" \
               "cl[0] -> ARPResponder(10.5.0.2 02:00:00:00:00:05) -> ToHost(fake1);\n"
        cfg.write_text(host + "cl[1] -> Discard;\n")
        p = subprocess.Popen(["ip", "netns", "exec", ns, nbrun, str(cfg), "--engine", "interp", "--duration", "8",
                              "--quiet", "--control", str(sock)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        if wait_iface("fake1"):
            index = in_ns("cat", "/sys/class/net/fake1/ifindex").stdout.strip()
            b = pathlib.Path(tmp) / "b.nbc"
            b.write_text(host + "cl[1] -> Counter -> Discard;\n")
            r = in_ns(nbctl, "--socket", str(sock), "reload", str(b), timeout=60)
            again = in_ns("cat", "/sys/class/net/fake1/ifindex").stdout.strip()
            check(r.returncode == 0 and again == index, f"a reload keeps fake1 as it is (index {index}, then {again})")
            b.write_text(host.replace("10.5.0.1/24", "10.5.0.9/24") + "cl[1] -> Discard;\n")
            r = in_ns(nbctl, "--socket", str(sock), "reload", str(b), timeout=60)
            check(r.returncode != 0 and "other settings" in r.stderr,
                  f"a reload that changes fake1's address is refused ({r.stderr.strip().splitlines()[0] if r.stderr.strip() else r.returncode})")
            ping = in_ns("ping", "-n", "-c", "1", "-W", "2", "10.5.0.2", timeout=30)
            addr = in_ns("ip", "-4", "-o", "addr", "show", "fake1").stdout
            check("10.5.0.1/24" in addr, "fake1 keeps its address after the refused reload")
        else:
            check(False, "FromHost(fake1, ...) makes interface fake1")
        p.communicate(timeout=60)

        # FromHost naming an interface of the host: refused, naming it.
        cfg.write_text("FromHost(dum0, 10.6.0.1/24) -> Discard;\n")
        r = in_ns(nbrun, str(cfg), "--duration", "1", "--quiet", "--no-control", timeout=60)
        check(r.returncode != 0 and "an interface named 'dum0' exists already" in r.stderr,
              f"FromHost(dum0) with dum0 existing is refused ({r.stderr.strip().splitlines()[0] if r.stderr.strip() else r.returncode})")
finally:
    subprocess.run(["ip", "netns", "del", ns], capture_output=True)
print("== FAILED" if failures else "== all checks passed")
sys.exit(1 if failures else 0)

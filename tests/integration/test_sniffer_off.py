#!/usr/bin/env python3
"""Click's FromDevice(eth0, SNIFFER false): nbrun reads the interface and the kernel's stack no
longer takes its frames (issue 18; runtime/src/kernel_filter.hpp). The kernel is the oracle: two
network namespaces joined by a veth pair, one end read by nbrun; the other pings it. With SNIFFER
true the kernel answers while nbrun counts the frames; with SNIFFER false nbrun still counts them
and no answer comes; once nbrun ends the kernel answers again, and a filter left by an nbrun
killed with SIGKILL is replaced by the next one and removed when it ends.
Skips (77) where namespaces, veth pairs or eBPF tc programs are not available.
Usage: test_sniffer_off.py NBRUN
"""
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

nbrun = sys.argv[1]
tag = os.getpid() % 100000
ns_nb, ns_peer = f"nbsnf{tag}a", f"nbsnf{tag}b"
failures = 0


def check(ok, what):
    global failures
    print(("ok:   " if ok else "FAIL: ") + what)
    failures += 0 if ok else 1


def sh(ns, *cmd, check_rc=True):
    return subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True, check=check_rc)


def answered(count=4):
    r = sh(ns_peer, "ping", "-n", "-c", str(count), "-i", "0.2", "-W", "1", "10.98.0.1", check_rc=False)
    for line in r.stdout.splitlines():
        if "received" in line:
            return int(line.split(",")[1].split()[0])
    return 0


def filters():
    return sh(ns_nb, "tc", "filter", "show", "dev", "va", "ingress", check_rc=False).stdout.strip()


def nbrun_with(cfg, sniffer, duration):
    cfg.write_text(f"FromDevice(va, SNIFFER {sniffer}) -> c :: Counter -> Discard;\n")
    return subprocess.Popen(["ip", "netns", "exec", ns_nb, nbrun, str(cfg), "--duration", str(duration), "--quiet",
                             "--no-control", "--stats", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def run_and_ping(cfg, sniffer):
    run = nbrun_with(cfg, sniffer, 5)
    time.sleep(1.5)
    replies = answered()
    out, err = run.communicate(timeout=60)
    if run.returncode != 0:
        return None, replies, err.strip()[:400]
    return json.loads(out)["elements"]["c"]["count"], replies, ""


if os.geteuid() != 0 or subprocess.run(["ip", "netns", "add", ns_nb], capture_output=True).returncode != 0:
    print("SKIP: cannot make a network namespace")
    sys.exit(77)
try:
    subprocess.run(["ip", "netns", "add", ns_peer], check=True)
    subprocess.run(["ip", "link", "add", "va", "netns", ns_nb, "type", "veth", "peer", "name", "vb", "netns", ns_peer],
                   check=True)
    sh(ns_nb, "ip", "addr", "add", "10.98.0.1/24", "dev", "va")
    sh(ns_peer, "ip", "addr", "add", "10.98.0.2/24", "dev", "vb")
    for ns, dev in ((ns_nb, "va"), (ns_peer, "vb"), (ns_nb, "lo"), (ns_peer, "lo")):
        sh(ns, "ip", "link", "set", dev, "up")
    # Static neighbours: the pings' echo requests reach va whether or not the kernel answers ARP.
    mac = lambda ns, dev: sh(ns, "cat", f"/sys/class/net/{dev}/address").stdout.strip()
    sh(ns_peer, "ip", "neigh", "replace", "10.98.0.1", "lladdr", mac(ns_nb, "va"), "dev", "vb")
    sh(ns_nb, "ip", "neigh", "replace", "10.98.0.2", "lladdr", mac(ns_peer, "vb"), "dev", "va")
    if answered(2) == 0:
        print("SKIP: the namespaces do not ping each other")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = pathlib.Path(tmp) / "sniffer.click"
        count, replies, err = run_and_ping(cfg, "true")
        check(count is not None and count >= 4 and replies >= 3,
              f"SNIFFER true: nbrun counts the frames ({count}) and the kernel answers ({replies} of 4) {err}")
        count, replies, err = run_and_ping(cfg, "false")
        if count is None and ("cannot load the tc program" in err or "cannot attach" in err):
            print(f"SKIP: this kernel refuses eBPF tc programs: {err}")
            sys.exit(77)
        check(count is not None and count >= 4 and replies == 0,
              f"SNIFFER false: nbrun counts the frames ({count}) and the kernel answers none ({replies}) {err}")
        check(filters() == "", f"the filter is gone when nbrun ends: {filters()!r}")
        check(answered(2) == 2, "the kernel answers again after nbrun")
        # SIGKILL leaves the filter; the next nbrun on the interface replaces it and removes it.
        run = nbrun_with(cfg, "false", 30)
        time.sleep(1.5)
        os.kill(run.pid, signal.SIGKILL)
        subprocess.run(["pkill", "-KILL", "-f", f"{cfg}"], capture_output=True)
        run.communicate(timeout=30)
        time.sleep(0.3)
        left = filters()
        check("nb_sniffer_off" in left and answered(2) == 0, "nbrun killed with SIGKILL leaves its filter (as Click's "
              "KernelFilter leaves its rules)")
        count, replies, err = run_and_ping(cfg, "false")
        check(count is not None and replies == 0 and filters() == "" and answered(2) == 2,
              f"the next nbrun replaces the left filter and removes it ({count} frames, {replies} answers) {err}")
finally:
    subprocess.run(["ip", "netns", "del", ns_nb], capture_output=True)
    subprocess.run(["ip", "netns", "del", ns_peer], capture_output=True)
print("== FAILED" if failures else "== all checks passed")
sys.exit(1 if failures else 0)

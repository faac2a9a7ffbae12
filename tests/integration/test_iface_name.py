#!/usr/bin/env python3
"""Click's FromDevice(eth0): a Linux interface's name as DEVNAME opens DPDK's net_af_packet on
that interface (issue 18). A veth pair: the kernel pings out of one end, nbrun counts what the
other end receives (ARP requests at least), under its plain name. A name that is no interface
still fails with its error. Skips (77) where veth pairs cannot be made.
Usage: test_iface_name.py NBRUN
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

nbrun = sys.argv[1]
a, b = f"nbv{os.getpid() % 10000}a", f"nbv{os.getpid() % 10000}b"
if subprocess.run(["ip", "link", "add", a, "type", "veth", "peer", "name", b], capture_output=True).returncode != 0:
    print("SKIP: cannot make a veth pair")
    sys.exit(77)
failures = 0
try:
    for cmd in (["ip", "link", "set", a, "up"], ["ip", "link", "set", b, "up"],
                ["ip", "addr", "add", "10.99.77.1/24", "dev", b]):
        subprocess.run(cmd, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = pathlib.Path(tmp) / "iface.nbc"
        cfg.write_text(f"FromDevice({a}) -> c :: Counter -> Discard;\n")
        run = subprocess.Popen([nbrun, str(cfg), "--duration", "4", "--quiet", "--no-control", "--stats", "json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        subprocess.run(["sleep", "1.5"])
        subprocess.run(["ping", "-n", "-I", b, "-c", "5", "-i", "0.2", "10.99.77.2"], capture_output=True)
        out, err = run.communicate(timeout=60)
        if run.returncode != 0:
            print(f"FAIL: nbrun FromDevice({a}) exits {run.returncode}: {err.strip()[:300]}")
            failures += 1
        else:
            count = json.loads(out)["elements"]["c"]["count"]
            ok = count > 0
            print(("ok:   " if ok else "FAIL: ") + f"FromDevice({a}) receives what the kernel sends on {b} ({count} frames)")
            failures += 0 if ok else 1
        cfg.write_text("FromDevice(nb-no-such-if0) -> Discard;\n")
        p = subprocess.run([nbrun, str(cfg), "--duration", "1", "--quiet", "--no-control"], capture_output=True,
                           text=True, timeout=60)
        ok = p.returncode != 0 and "cannot create DPDK device 'nb-no-such-if0'" in p.stderr
        print(("ok:   " if ok else "FAIL: ") + "a name that is no interface is still an error naming it")
        failures += 0 if ok else 1
finally:
    subprocess.run(["ip", "link", "del", a], capture_output=True)
print("== FAILED" if failures else "== all checks passed")
sys.exit(1 if failures else 0)

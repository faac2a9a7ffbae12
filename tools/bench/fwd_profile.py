#!/usr/bin/env python3
"""Where nb's runtime spends the cycles it adds on `fwd` over dpdk-testpmd's io forwarding
(issue 17, docs/performance.md "What nb adds to the ports' cost").

    tools/bench/fwd_profile.py BUILD/bin [--rounds 3] [--duration 3]

Runs `nbrun fwd.nbc --engine jit`, `nb-bench-native fwd` and `dpdk-testpmd --forward-mode=io` on the same ports
(net_pcap infinite_rx over nbbench's 64-byte trace -> net_null, the same EAL options as nbbench)
under `perf record -e cpu-clock`, interleaved round by round, and splits each forwarding thread's
CPU time per packet by shared object (the pcap and null drivers, the mempool, the program, the
JIT's code) and, for nbrun, by function. Figures are CPU time, not wall time: the samples come
from the worker thread's own clock, so time other processes took on its CPU is not in them (its
cache misses are). Cycles are that time at the TSC rate nbrun reports. This machine's perf has no
hardware counters (a VM): cpu-clock sampling is what there is. Nothing here is a test."""
import argparse
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PERIOD_NS = 100_000  # one sample per 100 us of the thread's CPU time


def perf_samples(data, want_syms):
    """{dso: samples} and {symbol: samples} of the forwarding thread (EAL names it rte-worker-N)."""
    out = subprocess.run(["perf", "script", "-i", data, "-F", "comm,ip,sym,dso"], capture_output=True, text=True,
                         check=True).stdout
    by_dso, by_sym = collections.Counter(), collections.Counter()
    for line in out.splitlines():
        if not line.strip().startswith("rte-worker"):
            continue
        m = re.search(r"\(([^)]*)\)\s*$", line)
        dso = os.path.basename(m.group(1)) if m else "?"
        if "JIT" in line or dso.startswith("perf-") or dso.startswith("jitted-"):
            dso = "JIT code"
        dso = re.sub(r"\.so[.0-9]*$", "", dso)
        by_dso[dso] += 1
        if want_syms:
            parts = line.split(None, 2)
            sym = parts[2].rsplit("(", 1)[0].strip() if len(parts) > 2 else "?"
            sym = re.sub(r"^[0-9a-f]+\s+", "", sym)
            by_sym[f"{dso}: {sym}"] += 1
    return by_dso, by_sym


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bindir", help="the build's bin directory (nbrun, nbbench)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=3)
    ap.add_argument("--testpmd", default="dpdk-testpmd")
    args = ap.parse_args()
    testpmd = shutil.which(args.testpmd)
    if not testpmd or not shutil.which("perf"):
        sys.exit("needs dpdk-testpmd (apt-get install dpdk-dev) and perf (apt-get install linux-perf)")
    configs = subprocess.run([os.path.join(args.bindir, "nbbench"), "--configs-only"], capture_output=True, text=True,
                             check=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="nb-fwd-profile-")
    try:
        return run(args, testpmd, configs, work)
    finally:
        shutil.rmtree(configs, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def run(args, testpmd, configs, work):
    pcap = os.path.join(configs, "gen.pcap")
    fwd = os.path.join(configs, "fwd.nbc")
    lcores = ["-l", "0-1"] if os.cpu_count() >= 2 else ["--lcores=0@0,1@0"]
    total = {e: collections.Counter() for e in ("nb", "native", "io")}
    syms = collections.Counter()
    packets = {"nb": 0, "native": 0, "io": 0}
    hz = 0
    for r in range(args.rounds):
        data = os.path.join(work, f"nb{r}.data")
        p = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-c", str(PERIOD_NS), "-o", data, "--",
                            os.path.join(args.bindir, "nbrun"), fwd, "--engine", "jit", "--duration",
                            str(args.duration), "--stats", "json", "--quiet"], capture_output=True, text=True,
                           check=True)
        j = json.loads(p.stdout)
        packets["nb"] += j["totals"]["rx"]
        hz = j["worker"]["tsc_hz"]
        d, s = perf_samples(data, True)
        total["nb"].update(d)
        syms.update(s)

        data = os.path.join(work, f"native{r}.data")
        p = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-c", str(PERIOD_NS), "-o", data, "--",
                            os.path.join(args.bindir, "nb-bench-native"), "fwd", "--pcap", pcap, "--duration",
                            str(args.duration)], capture_output=True, text=True, check=True)
        packets["native"] += json.loads(p.stdout)["packets"]
        total["native"].update(perf_samples(data, False)[0])

        data = os.path.join(work, f"io{r}.data")
        prefix = f"nb-profile-{os.getpid()}"
        cmd = ["perf", "record", "-q", "-e", "cpu-clock", "-c", str(PERIOD_NS), "-o", data, "--", testpmd, *lcores,
               "--no-huge", "-m", "512", "--no-pci", "--no-telemetry", "--log-level=*:warning",
               f"--file-prefix={prefix}", f"--vdev=net_pcap0,rx_pcap={pcap},infinite_rx=1",
               "--vdev=net_null0,no-rx=1", "--", "--forward-mode=io", "--auto-start", "--no-lsc-interrupt",
               "--stats-period=1", "--nb-cores=1", "--burst=32", "--rxd=1024", "--txd=1024",
               "--total-num-mbufs=8191", "--no-flush-rx"]
        tp = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                              text=True)
        out = ""
        while "Port statistics" not in out:  # forwarding has started
            line = tp.stdout.readline()
            if not line:
                sys.exit("testpmd ended before forwarding")
            out += line
        time.sleep(args.duration)
        # SIGINT to testpmd itself, which stops forwarding and prints its statistics: perf, told
        # first, would stop sampling while testpmd still forwarded, and its packets would be
        # counted without their time.
        child = subprocess.run(["pgrep", "-P", str(tp.pid)], capture_output=True, text=True).stdout.split()
        if len(child) != 1:
            sys.exit(f"cannot find testpmd under perf (pid {tp.pid})")
        os.kill(int(child[0]), signal.SIGINT)
        out += tp.stdout.read()
        tp.wait()
        shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
        m = re.search(r"Accumulated forward statistics.*?RX-packets:\s*(\d+)", out, re.S)
        if not m:
            sys.exit("no forward statistics from testpmd:\n" + out)
        packets["io"] += int(m.group(1))
        total["io"].update(perf_samples(data, False)[0])

    def cpp(engine, n):  # CPU cycles per packet
        return n * PERIOD_NS * 1e-9 * hz / packets[engine]

    print(f"fwd, CPU cycles per packet of the forwarding thread ({args.rounds} interleaved rounds of "
          f"{args.duration} s; cpu-clock samples every {PERIOD_NS // 1000} us; TSC {hz / 1e9:.2f} GHz)")
    names = sorted(set(total["nb"]) | set(total["io"]) | set(total["native"]),
                   key=lambda k: -(total["nb"][k] + total["io"][k]))
    print(f"  {'where':<28} {'nb jit':>8} {'native':>8} {'testpmd':>8} {'nb - io':>8}")
    for k in names:
        a, c, b = cpp("nb", total["nb"][k]), cpp("native", total["native"][k]), cpp("io", total["io"][k])
        if a < 0.05 and b < 0.05 and c < 0.05:
            continue
        print(f"  {k:<28} {a:>8.1f} {c:>8.1f} {b:>8.1f} {a - b:>+8.1f}")
    a, c, b = (cpp(e, sum(total[e].values())) for e in ("nb", "native", "io"))
    print(f"  {'total':<28} {a:>8.1f} {c:>8.1f} {b:>8.1f} {a - b:>+8.1f}")
    print("\nnbrun's worker by function (CPU cycles per packet):")
    for k, n in syms.most_common():
        if cpp("nb", n) >= 0.1 and not k.startswith("librte_net_"):
            print(f"  {k:<60} {cpp('nb', n):>6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Differential test: the JIT and the interpreter must agree byte for byte.

Every runnable config in configs/, tests/good/ and tests/diff/ (sources all FromDump, no
FromDevice/ToDevice) is run by `nbrun --engine=interp` and `nbrun --engine=jit` over several
traffic sets (random and malformed packets, the quickstart mix, sequence-numbered UDP). Every
output pcap must be identical, and so must every counter in `--stats json`.
"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

nbrun, gen, src = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
only = set(sys.argv[4:])  # optional: config file names (e.g. facts_broken.nbc) to run alone

configs = (sorted(src.glob("configs/*.nbc")) + sorted(src.glob("tests/good/*.nbc")) + sorted(src.glob("tests/diff/*.nbc"))
           + sorted(src.glob("tests/jit/*.nbc")))
if only:
    configs = [c for c in configs if c.name in only]
traffic = [("random", 3000, 7), ("random", 1500, 11), ("quickstart", 300, 1), ("udp-seq", 500, 3)]


def rewrite(text, inp, outdir):
    """Points every FromDump at `inp` and every ToDump at a file of its own."""
    n = [0]

    def out(m):
        n[0] += 1
        return f"ToDump({outdir}/out{n[0]}.pcap"

    text = re.sub(r"FromDump\(\s*[^,)]*", f"FromDump({inp}", text)
    text = re.sub(r"ToDump\(\s*[^,)]*", out, text)
    return text, n[0]


def packets(data):
    """The packet records of a pcap file, without timestamps (net_pcap stamps the time of
    transmission, like a NIC would)."""
    import struct
    if len(data) < 24:
        return []
    magic = struct.unpack_from("<I", data)[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, length = struct.unpack_from(end + "IIII", data, off)
        out.append((length, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return out


def comparable(stats):
    stats.pop("seconds", None)
    stats.pop("worker", None)
    stats.pop("workers", None)  # per-worker cycles and rates: measurements
    stats.pop("engine", None)  # which engine ran: the point of the comparison
    stats.pop("jit", None)  # where the JIT code came from (the on-disk cache): the jit run's alone
    stats.pop("start", None)  # start-up times
    for p in stats.get("ports", {}).values():
        p.pop("device", None)  # the two runs write to different directories
        # How many bursts a transmit buffer took depends on when each engine flushes: a
        # measurement of the engine, not of what it did to the packets.
        p.pop("tx_bursts", None)
    for e in stats.get("elements", {}).values():
        e.pop("rate", None)
        # How full a queue got depends on timing where a time-gated element (DelayShaper,
        # LinkUnqueue, a shaper) drains it: a measurement, like the rates. What left it is compared.
        e.get("handlers", {}).pop("highwater_length", None)
    return stats


failures = 0
ran = 0
with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    inputs = []
    for profile, count, seed in traffic:
        f = tmp / f"{profile}-{seed}.pcap"
        subprocess.run([gen, "--profile", profile, "--count", str(count), "--seed", str(seed), "-o", str(f)], check=True)
        inputs.append(f)
    for cfg in configs:
        text = cfg.read_text(errors="replace")
        if "FromDump" not in text or "FromDevice" in text or "ToDevice" in text or "LOOP true" in text:
            continue
        for inp in inputs:
            results = {}
            for engine in ("interp", "jit"):
                d = tmp / f"{cfg.stem}-{inp.stem}-{engine}"
                d.mkdir()
                body, nouts = rewrite(text, inp, d)
                c = d / "cfg.nbc"
                c.write_text(body)
                p = subprocess.run([nbrun, str(c), "--engine", engine, "--stats", "json", "--quiet"],
                                   capture_output=True, text=True, timeout=120)
                if p.returncode != 0:
                    results[engine] = ("error", p.stderr.replace(str(d), "DIR"))
                    continue
                outs = {f.name: packets(f.read_bytes()) for f in sorted(d.glob("out*.pcap"))}
                results[engine] = (comparable(json.loads(p.stdout)), outs)
            errors = [e for e in results if results[e][0] == "error"]
            first_line = lambda e: results[e][1].splitlines()[0] if results[e][1] else ""
            if len(errors) == 2 and first_line("interp") == first_line("jit"):
                # Not runnable as rewritten (e.g. a ToDump inside a compound used twice); both
                # engines refused it the same way, which is agreement too.
                print(f"skip {cfg.name} on {inp.name}: both engines refuse it: {results['jit'][1].splitlines()[0]}")
                continue
            if errors:
                print(f"FAIL {cfg.name} on {inp.name}: only --engine={errors[0]} failed:\n{results[errors[0]][1]}")
                failures += 1
                continue
            ran += 1
            (si, oi), (sj, oj) = results["interp"], results["jit"]
            if oi != oj:
                bad = [k for k in oi if oi.get(k) != oj.get(k)]
                print(f"FAIL {cfg.name} on {inp.name}: output files differ: {bad}")
                failures += 1
            if si != sj:
                print(f"FAIL {cfg.name} on {inp.name}: statistics differ\n interp: {json.dumps(si)}\n jit:    {json.dumps(sj)}")
                failures += 1
            if oi == oj and si == sj:
                print(f"ok   {cfg.name} on {inp.name}: {si['totals']['rx']} packets, {len(oi)} outputs identical")

print(f"{ran} runs compared, {failures} failures")
if ran == 0:
    print("FAIL: nothing was compared")
    sys.exit(1)
sys.exit(1 if failures else 0)

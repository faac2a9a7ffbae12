#!/usr/bin/env python3
"""The statistics add up: every packet nb received or generated was sent or dropped.

Runs every config in configs/ and tests/diff/ with `nbrun --engine interp` and `--engine jit`
and `--stats json`, over the shipped traffic and over generated traffic (random and malformed
frames), and checks, exactly (docs/control.md, "Statistics"):

    totals.rx + totals.generated == totals.tx + totals.dropped
    totals.rx == sum of the ports' rx,  totals.tx == sum of the ports' tx
    totals.generated == sum of the elements' generated (+ retired)
    totals.dropped == elements' drops + ports' dropped (+ retired)
    every port's rx (+ skipped, FromDump's time window) and tx equal what its DPDK driver
    counted (ports.P.driver)
    every pcap output holds as many records as its port's tx

Configs on devices (FromDevice/ToDevice) run with each device replaced by a pcap of its own.
Outputs go to a temporary directory, never to the source tree. Also runs `--packets N` with N
not a multiple of the burst on a looping input: exactly N received, and none taken from the
driver without being counted.
"""
import json
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile

nbrun, gen, src = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
configs = sorted(src.glob("configs/*.nbc")) + sorted(src.glob("tests/diff/*.nbc"))
traffic = [("shipped", None, None), ("random", 2000, 5), ("quickstart", 300, 2)]

failures = 0
ran = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL " + msg)


def records(path):
    data = path.read_bytes()
    if len(data) < 24:
        return 0
    end = "<" if struct.unpack_from("<I", data)[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    n, off = 0, 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from(end + "I", data, off + 8)[0]
        off += 16 + caplen
        n += 1
    return n


def rewrite(text, inp, d):
    """Every FromDump/FromDevice reads a copy of `inp` of its own; every ToDump/ToDevice writes a
    file of its own in `d`. Returns the text and the output files."""
    k = [0]
    outs = []

    def src_(m):
        k[0] += 1
        f = d / f"in{k[0]}.pcap"
        shutil.copyfile(inp, f)
        return f"FromDump({f}" + ("" if m.group(0).startswith("FromDump") else ")")

    def out_(m):
        k[0] += 1
        f = d / f"out{k[0]}.pcap"
        outs.append(f)
        return f"ToDump({f}" + ("" if m.group(0).startswith("ToDump") else ")")

    text = re.sub(r"FromDevice\([^)]*\)", src_, text)
    text = re.sub(r"ToDevice\([^)]*\)", out_, text)
    text = re.sub(r"FromDump\(\s*[^,)]*", src_, text)
    text = re.sub(r"ToDump\(\s*[^,)]*", out_, text)
    return text, outs


def check(where, st, outs):
    """The invariant and the sums, exactly. Returns True when everything adds up."""
    bad = []
    t = st["totals"]
    rx, tx, dropped, generated = t["rx"], t["tx"], t["dropped"], t.get("generated", 0)
    if "generated" not in t:
        bad.append("totals.generated is missing")
    if rx + generated != tx + dropped:
        bad.append(f"rx {rx} + generated {generated} != tx {tx} + dropped {dropped}")
    ret = st.get("retired", {})
    ports = st["ports"].values()
    elements = st["elements"].values()
    if sum(p["rx"] for p in ports) + ret.get("rx", 0) != rx:
        bad.append("totals.rx is not the sum of the ports' rx")
    if sum(p["tx"] for p in ports) + ret.get("tx", 0) != tx:
        bad.append("totals.tx is not the sum of the ports' tx")
    if sum(e.get("generated", 0) for e in elements) + ret.get("generated", 0) != generated:
        bad.append("totals.generated is not the sum of the elements' generated")
    drops = sum(e["drops"] for e in elements) + sum(p["dropped"] for p in ports) + ret.get("dropped", 0)
    if drops != dropped:
        bad.append(f"totals.dropped {dropped} is not the elements' drops + the ports' dropped ({drops})")
    for name, p in st["ports"].items():
        drv = p.get("driver")
        if drv is None:
            bad.append(f"ports.{name}.driver is missing")
        elif drv["ipackets"] != p["rx"] + p.get("skipped", 0) or drv["opackets"] != p["tx"]:
            bad.append(f"port {name}: nb counted rx {p['rx']} tx {p['tx']}, the driver ipackets {drv['ipackets']} "
                       f"opackets {drv['opackets']}")
    by_file = {p["device"]: p for p in st["ports"].values()}
    for f in outs:
        p = by_file.get(str(f))
        if p is not None and f.exists() and records(f) != p["tx"]:
            bad.append(f"{f.name} holds {records(f)} records, its port's tx is {p['tx']}")
    for b in bad:
        fail(f"{where}: {b}")
    return not bad


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    inputs = []
    for profile, count, seed in traffic:
        if profile == "shipped":
            inputs.append(src / "configs/traffic/quickstart.pcap")
            continue
        f = tmp / f"{profile}-{seed}.pcap"
        subprocess.run([gen, "--profile", profile, "--count", str(count), "--seed", str(seed), "-o", str(f)],
                       check=True)
        inputs.append(f)
    for cfg in configs:
        text = cfg.read_text(errors="replace")
        if "FromDump" not in text and "FromDevice" not in text:
            continue
        for inp in inputs:
            for engine in ("interp", "jit"):
                d = tmp / f"{cfg.parent.name}-{cfg.stem}-{inp.stem}-{engine}"
                d.mkdir()
                body, outs = rewrite(text, inp, d)
                c = d / "cfg.nbc"
                c.write_text(body)
                where = f"{cfg.relative_to(src)} on {inp.name} --engine {engine}"
                extra = ["--packets", "20000"] if "LOOP true" in body else []
                p = subprocess.run([nbrun, str(c), "--engine", engine, "--stats", "json", "--quiet", "--no-control"]
                                   + extra, capture_output=True, text=True, timeout=120, cwd=src)
                if p.returncode != 0:
                    fail(f"{where}: nbrun exited {p.returncode}:\n{p.stderr}")
                    continue
                ran += 1
                st = json.loads(p.stdout)
                if check(where, st, outs):
                    t = st["totals"]
                    print(f"ok   {where}: rx {t['rx']} + generated {t['generated']} == tx {t['tx']} + "
                          f"dropped {t['dropped']}")

    # --packets N with N not a multiple of the burst, on a looping input: the last burst is cut
    # to what the limit leaves, nothing is taken from the driver and thrown away uncounted.
    for engine in ("interp", "jit"):
        d = tmp / f"packets-{engine}"
        d.mkdir()
        c = d / "cfg.nbc"
        c.write_text(f"FromDump({inputs[0]}, LOOP true) -> t :: Tee(2); t[0] -> ToDump({d}/a.pcap); "
                     f"t[1] -> Discard;\n")
        where = f"--packets 45 --burst 32 --engine {engine}"
        p = subprocess.run([nbrun, str(c), "--engine", engine, "--stats", "json", "--quiet", "--no-control",
                            "--packets", "45", "--burst", "32"], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            fail(f"{where}: nbrun exited {p.returncode}:\n{p.stderr}")
            continue
        ran += 1
        st = json.loads(p.stdout)
        ok = check(where, st, [d / "a.pcap"])
        if st["totals"]["rx"] != 45:
            fail(f"{where}: rx {st['totals']['rx']}, want 45")
        elif ok:
            print(f"ok   {where}: 45 received, 45 from the driver")

print(f"{ran} runs checked, {failures} failures")
if ran == 0:
    print("FAIL: nothing was run")
    sys.exit(1)
sys.exit(1 if failures else 0)

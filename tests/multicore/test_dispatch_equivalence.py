#!/usr/bin/env python3
"""1 worker against 4 (issue 16): the same output packets, in the same order within each flow.

Every pcap-driven config of configs/ and the differential corpus (tests/diff/) runs over two
traffic sets with `--workers 1 --engine interp` (the reference) and with `--workers 4` under
both engines. 4 workers on this 2-CPU machine are oversubscribed on purpose: preemption in the
middle of a burst must not lose, duplicate or reorder anything. FromDump has one receive queue,
so these runs go through software dispatch (one worker reads, rte_rings carry each flow to its
worker). Checked per output file: the same multiset of frames, and each flow's frames in the
same order; and the same totals, element counters, drop reasons and handler texts.

Left out, with the reason printed: graphs whose output depends on which worker saw a packet
first across flows (ARPQuerier learns from a reply while other flows' packets wait for it) or
on the worker (IPRewriter picks public ports per worker so replies come back to it).
Usage: test_dispatch_equivalence.py NBRUN NB-GEN-TRAFFIC SOURCE_DIR
"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from pcap_compare import compare, read_pcap  # noqa: E402

nbrun, gen, src = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
configs = [src / "configs" / f"{n}.nbc" for n in ("quickstart", "firewall", "monitor", "ids")] + sorted(
    src.glob("tests/diff/*.nbc"))
# Classes whose output legitimately depends on the workers (docs/multicore.md).
skip = {
    "ARPQuerier(": "ARPQuerier's answers depend on whether an ARP reply was learnt before another flow's packet",
    "IP6NDSolicitor(": "IP6NDSolicitor's answers depend on whether an advertisement was learnt before another "
    "flow's packet",
    "IPRewriter(": "IPRewriter chooses public ports per worker (so that replies return to it)",
    "RoundRobinSwitch": "RoundRobinSwitch keeps its turn per worker, so which output a packet takes depends on the worker",
    "RandomSample": "RandomSample draws from a sequence per worker, so which packets it samples depends on the worker",
    "IPEncap(": "IPEncap and UDPIPEncap number their packets per worker, so a packet's IP identification depends on it",
    "RED(": "RED reads the length of its worker's queues, so which packets it marks depends on how flows spread",
    "FastUDPSource(": "every worker runs FastUDPSource: N workers make N times its packets",
    "AddressTranslator(": "AddressTranslator's dynamic mappings are per worker: each binds its own pool addresses "
    "and hands out its own ports",
    "ToyTCP(": "ToyTCP draws its connection's port and sequence number per worker",
    "WebGen(": "WebGen numbers its packets' IP identification per worker",
    "IPFragmenter(": "IPFragmenter numbers the packets whose DF it ignores per worker, so their IP identification "
    "depends on it",
    "RadixIPsecLookup(": "an IPsec SA's sequence numbers are shared by the workers: which packet gets which, and "
    "whether one a preempted worker holds falls behind the receiver's replay window, depends on timing",
    " Rewriter(": "Click's first Rewriter numbers address pairs per worker, so a pair's fake address depends on it",
}
traffic = [("quickstart", 300, 1), ("flows", 3000, 5)]


def rewrite(text, inp, outdir):
    n = [0]

    def out(m):
        n[0] += 1
        return f"ToDump({outdir}/out{n[0]}.pcap"

    text = re.sub(r"FromDump\(\s*[^,)]*", f"FromDump({inp}", text)
    text = re.sub(r"ToDump\(\s*[^,)]*", out, text)
    text = re.sub(r"\b(configs|tests)/", lambda m: f"{src}/{m.group(1)}/", text)  # rules files
    return text


def comparable(stats):
    out = {"totals": stats["totals"], "elements": {}}
    for name, e in stats["elements"].items():
        e = dict(e)
        e.pop("rate", None)
        # A queue's high-water mark measures timing (how many bursts came in before its task
        # ran), not what happened to packets.
        if isinstance(e.get("handlers"), dict):
            e["handlers"] = {k: v for k, v in e["handlers"].items() if k != "highwater_length"}
        out["elements"][name] = e
    return out


def run(cfg_text, inp, d, workers, engine):
    d.mkdir()
    (d / "cfg.nbc").write_text(rewrite(cfg_text, inp, d))
    p = subprocess.run([nbrun, str(d / "cfg.nbc"), "--engine", engine, "--workers", str(workers), "--stats", "json",
                        "--quiet", "--no-control"], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return None, p.stderr
    stats = json.loads(p.stdout)
    return (stats, {f.name: read_pcap(f) for f in sorted(d.glob("out*.pcap"))}), ""


failures = ran = 0
with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    inputs = []
    for profile, count, seed in traffic:
        f = tmp / f"{profile}-{seed}.pcap"
        subprocess.run([gen, "--profile", profile, "--count", str(count), "--seed", str(seed), "-o", str(f)], check=True)
        inputs.append(f)
    for cfg in configs:
        text = cfg.read_text(errors="replace")
        why = [reason for cls, reason in skip.items() if cls in text]
        if why:
            print(f"skip {cfg.name}: {why[0]}")
            continue
        if "FromDump" not in text or "FromDevice" in text or "ToDevice" in text or "LOOP true" in text:
            continue
        for inp in inputs:
            tag = f"{cfg.name} on {inp.name}"
            ref, err = run(text, inp, tmp / f"{cfg.stem}-{inp.stem}-ref", 1, "interp")
            if ref is None:
                print(f"skip {tag}: not runnable as rewritten: {err.splitlines()[0] if err else ''}")
                continue
            for engine in ("jit", "interp"):
                got, err = run(text, inp, tmp / f"{cfg.stem}-{inp.stem}-w4-{engine}", 4, engine)
                ran += 1
                if got is None:
                    print(f"FAIL {tag}, 4 workers ({engine}): nbrun failed:\n{err}")
                    failures += 1
                    continue
                (rs, ro), (gs, go) = ref, got
                bad = []
                if sorted(ro) != sorted(go):
                    bad.append(f"output files {sorted(ro)} vs {sorted(go)}")
                for name in ro:
                    bad += [f"{name}: {line}" for line in compare(ro[name], go.get(name, []))]
                a, b = comparable(rs), comparable(gs)
                if a["totals"] != b["totals"]:
                    bad.append(f"totals: {a['totals']} with 1 worker, {b['totals']} with 4")
                for name in sorted(set(a["elements"]) | set(b["elements"])):
                    ea, eb = a["elements"].get(name, {}), b["elements"].get(name, {})
                    # A flow table's CAPACITY is per worker (docs/multicore.md): once the traffic
                    # overflows one table, what is kept or evicted depends on how many there are.
                    full = ea.get("overflow", 0) or ea.get("evictions", 0)
                    for k in sorted(set(ea) | set(eb)):
                        if full and k in ("flows", "overflow", "new_flows", "evictions", "handlers"):
                            continue
                        if ea.get(k) != eb.get(k):
                            bad.append(f"{name}.{k}: {json.dumps(ea.get(k))} with 1 worker, {json.dumps(eb.get(k))} with 4")
                procs = [w["processed"] for w in gs.get("workers", [])]
                if len(procs) != 4 or sum(procs) != gs["totals"]["rx"]:
                    bad.append(f"workers' processed {procs} do not add up to rx {gs['totals']['rx']}")
                if bad:
                    failures += 1
                    print(f"FAIL {tag}, 4 workers ({engine}):\n  " + "\n  ".join(bad))
                else:
                    busy = sum(1 for p in procs if p)
                    print(f"ok   {tag}, 4 workers ({engine}): {gs['totals']['rx']} packets on {busy} workers, "
                          f"{sum(len(v) for v in go.values())} frames out as with 1")

print(f"{ran} runs compared, {failures} failures")
if ran == 0:
    print("FAIL: nothing was compared")
    sys.exit(1)
sys.exit(1 if failures else 0)

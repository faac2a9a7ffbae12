#!/usr/bin/env python3
"""Push cycles run through a queue (docs/queues.md, "Push cycles"), both engines, with tshark as
the oracle for what comes out:
  - tests/diff/push_cycle.nbc mirrors every packet that is not for 10.0/16 back to the route
    table, with a DecIPTTL on the way: each packet that comes out is an input packet with its
    addresses swapped and its TTL one less, or an input packet already for 10.0/16, unchanged;
  - nothing is lost: rx == tx + dropped, the implicit queue `rt@cycle/queue` ends empty and its
    Unqueue pushed exactly the packets that went round;
  - Click's own urewrite.click shape (IPRewriter -> IPMirror -> IPRewriter) runs: the mirrored
    packets are rewritten back by the reverse mapping and leave through output 1.
Usage: test_push_cycle.py NBRUN NB-GEN-TRAFFIC SOURCE_DIR
"""
import collections
import json
import pathlib
import subprocess
import sys
import tempfile

nbrun, gen, src_dir = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
failures = 0


def check(cond, what):
    global failures
    print(("ok:   " if cond else "FAIL: ") + what)
    failures += 0 if cond else 1


def fields(path):
    """(src, dst, ttl, id, total length) of each IPv4 record, by tshark."""
    p = subprocess.run(["tshark", "-n", "-r", str(path), "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e",
                        "ip.ttl", "-e", "ip.id", "-e", "ip.len"], capture_output=True, text=True, check=True)
    return [tuple(line.split("\t")) for line in p.stdout.splitlines()]


def run(cfg, engine, cwd):
    p = subprocess.run([nbrun, str(cfg), "--engine", engine, "--stats", "json", "--quiet", "--no-control"],
                       capture_output=True, text=True, timeout=120, cwd=cwd)
    if p.returncode != 0:
        check(False, f"{cfg.name} ({engine}): nbrun exits 0 (got {p.returncode}): {p.stderr.strip()[:400]}")
        return None
    check("closes a push cycle" in p.stderr, f"{cfg.name} ({engine}): nbrun warns about the push cycle")
    return json.loads(p.stdout)


def in_10_0(addr):
    return addr.startswith("10.0.")


with tempfile.TemporaryDirectory() as tmp:
    d = pathlib.Path(tmp)
    subprocess.run([gen, "--profile", "quickstart", "-o", str(d / "in.pcap")], check=True, capture_output=True)
    (d / "cycle.nbc").write_text((src_dir / "tests/diff/push_cycle.nbc").read_text())
    inputs = collections.Counter()
    for s, dst, ttl, ident, length in fields(d / "in.pcap"):
        if s:
            inputs[(s, dst, ttl, ident, length)] += 1
    for engine in ("interp", "jit"):
        st = run(d / "cycle.nbc", engine, d)
        if st is None:
            continue
        out = fields(d / "out.pcap")
        unexplained = []
        went_round = 0
        for s, dst, ttl, ident, length in out:
            direct = (s, dst, ttl, ident, length)
            mirrored = (dst, s, str(int(ttl) + 1) if ttl else ttl, ident, length)
            if in_10_0(dst) and inputs[mirrored] > 0 and not in_10_0(s):
                went_round += 1
            elif not (in_10_0(dst) and inputs[direct] > 0):
                unexplained.append(direct)
        check(len(out) > 0 and not unexplained,
              f"{engine}: each of the {len(out)} packets out is an input packet, mirrored once or sent straight "
              f"(unexplained: {unexplained[:3]})")
        check(went_round > 0, f"{engine}: {went_round} packets went round the cycle")
        t = st["totals"]
        check(t["rx"] == t["tx"] + t["dropped"], f"{engine}: rx {t['rx']} == tx {t['tx']} + dropped {t['dropped']}")
        q = st["elements"].get("rt@cycle/queue", {})
        u = st["elements"].get("rt@cycle/unqueue", {})
        check(q.get("class") == "Queue" and q.get("handlers", {}).get("length") == "0",
              f"{engine}: the implicit queue rt@cycle/queue exists and ends empty ({q})")
        check(u.get("count", -1) >= went_round,
              f"{engine}: its Unqueue pushed at least the {went_round} mirrored packets (count {u.get('count')})")

    # Click's urewrite.click: rw[0] -> IPMirror -> [0]rw. The mirrored packets match the reverse
    # mapping and leave rw[1]; nothing loops.
    (d / "urewrite.nbc").write_text(
        "rw :: IPRewriter(pattern 8.0.0.2 1000-2000 - - 0 1);\n"
        "InfiniteSource(\\<00000000111111112222222233333333444444445555>, 3, STOP true)\n"
        "  -> UDPIPEncap(1.0.0.2, 50, 2.0.0.2, 100, 1) -> [0]rw;\n"
        "rw[0] -> IPMirror -> [0]rw;\n"
        "rw[1] -> EtherEncap(0x0800, 1:1:1:1:1:1, 2:2:2:2:2:2) -> ToDump(rw1.pcap);\n")
    for engine in ("interp", "jit"):
        st = run(d / "urewrite.nbc", engine, d)
        if st is None:
            continue
        out = fields(d / "rw1.pcap")
        check(len(out) == 3 and all(f[0] == "2.0.0.2" and f[1] == "1.0.0.2" for f in out),
              f"{engine}: the 3 packets come back out of rw[1], from 2.0.0.2 to 1.0.0.2 ({out})")
        t = st["totals"]
        check(t["generated"] == 3 and t["tx"] == 3, f"{engine}: 3 generated, 3 sent ({t})")

sys.exit(1 if failures else 0)

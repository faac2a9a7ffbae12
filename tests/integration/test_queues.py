#!/usr/bin/env python3
"""Queues and pull processing at run time (issue 18, item 1; docs/queues.md), both engines:
  - a full Queue drops at the tail and counts it (drop reason `full`), never blocks the worker;
    CAPACITY bounds it (its high-water mark never passes it);
  - when every input file was read to its end, the run waits until the queues are empty: every
    packet pushed into a queue leaves it (rx == tx + dropped, the output holds tx records);
  - a run stopped early (--duration) drops what the queues still hold as `flushed`, counted;
  - Unqueue's `active` handler stops and restarts its task, Queue's `length` reads what it holds,
    through nbctl on a running graph;
  - a ToDevice pulls from a Queue onto a DPDK device;
  - InfiniteSource and TimedSource run as tasks: LIMIT and STOP end the run, packets counted as
    generated;
  - several workers (more lcores than CPUs): each has its own queue and loses nothing.
tcpdump counts the output records (an oracle that is not nb).
Usage: test_queues.py NBRUN NB-GEN-TRAFFIC NBCTL
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import time

nbrun, gen, nbctl = sys.argv[1:4]
failures = 0


def check(cond, what):
    global failures
    print(("ok:   " if cond else "FAIL: ") + what)
    failures += 0 if cond else 1


def records(path):
    p = subprocess.run(["tcpdump", "-n", "-r", str(path)], capture_output=True, text=True)
    return len(p.stdout.splitlines())


def run(d, name, text, *args):
    cfg = d / f"{name}.nbc"
    cfg.write_text(text)
    p = subprocess.run([nbrun, str(cfg), "--stats", "json", "--quiet", "--no-control", *args], capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        check(False, f"{name}: nbrun exits 0 (got {p.returncode}): {p.stderr.strip()[:400]}")
        return None
    return json.loads(p.stdout)


with tempfile.TemporaryDirectory() as tmp:
    d = pathlib.Path(tmp)
    inp = d / "in.pcap"
    subprocess.run([gen, "--profile", "udp-seq", "--count", "1000", "-o", str(inp)], check=True, capture_output=True)

    for engine in ("interp", "jit"):
        # 32-packet bursts into a queue of 10 that a slow task drains: at least 22 of every burst
        # find it full, whatever the machine's speed.
        out = d / f"full-{engine}.pcap"
        st = run(d, f"full-{engine}", f"FromDump({inp}) -> q :: Queue(10) -> RatedUnqueue(2000) -> ToDump({out});\n",
                 "--engine", engine, "--burst", "32")
        if st:
            q, t = st["elements"]["q"], st["totals"]
            check(q["drop_reasons"]["full"] >= 22, f"{engine}: a full queue drops at the tail ({q['drop_reasons']})")
            check(int(q["handlers"]["highwater_length"]) == 10, f"{engine}: CAPACITY 10 bounds the queue "
                  f"(high-water mark {q['handlers']['highwater_length']})")
            check(t["rx"] == 1000 and t["rx"] == t["tx"] + t["dropped"], f"{engine}: nothing lost: {t}")
            check(records(out) == t["tx"], f"{engine}: the output holds the {t['tx']} packets sent")
            check(q["handlers"]["length"] == "0", f"{engine}: the run ended with the queue empty")

        # The input ends with packets queued behind a slow Shaper: the run waits for them.
        out = d / f"drain-{engine}.pcap"
        st = run(d, f"drain-{engine}", f"FromDump({inp}) -> Queue(2000) -> Shaper(4000) -> ToDump({out});\n",
                 "--engine", engine)
        if st:
            t = st["totals"]
            check(t["tx"] == 1000 and t["dropped"] == 0 and records(out) == 1000,
                  f"{engine}: a finished input's queued packets all leave ({t})")

        # Stopped early: what the queue holds is dropped as `flushed`, and counted.
        st = run(d, f"flush-{engine}", f"FromDump({inp}, LOOP true) -> q :: Queue(100000) -> Shaper(1000) -> Discard;\n",
                 "--engine", engine, "--duration", "0.5")
        if st:
            q, t = st["elements"]["q"], st["totals"]
            check(q["drop_reasons"]["flushed"] > 0, f"{engine}: queued packets are flushed at the end ({q['drop_reasons']})")
            check(t["rx"] == t["tx"] + t["dropped"], f"{engine}: rx == tx + dropped with packets flushed ({t})")

    # A ToDevice that pulls: through a JIT-compiled Counter, from a Queue, onto a DPDK device.
    for engine in ("interp", "jit"):
        out = d / f"dev-{engine}.pcap"
        st = run(d, f"dev-{engine}", f'FromDump({inp}) -> Queue(3000) -> Counter -> ToDevice("net_pcap5,tx_pcap={out}");\n',
                 "--engine", engine)
        if st:
            check(st["totals"]["tx"] == 1000 and records(out) == 1000,
                  f"{engine}: a ToDevice pulling from a Queue sends every packet ({st['totals']})")

    # Sources that make packets are tasks too: InfiniteSource's default frame passes
    # CheckIPHeader, LIMIT and STOP end the run, every packet counts as generated.
    for engine in ("interp", "jit"):
        out = d / f"src-{engine}.pcap"
        st = run(d, f"src-{engine}",
                 f"InfiniteSource(LIMIT 100, BURST 8, STOP true) -> CheckIPHeader(14) -> Queue -> ToDump({out});\n"
                 f"TimedSource(10ms, LIMIT 3) -> Discard;\n", "--engine", engine, "--duration", "30")
        if st:
            t = st["totals"]
            check(t["generated"] >= 100 and records(out) == 100 and t["rx"] + t["generated"] == t["tx"] + t["dropped"],
                  f"{engine}: InfiniteSource(LIMIT 100, STOP true) makes 100 valid IPv4 frames and ends the run ({t})")
            check(st.get("stop_reason", "").find("LIMIT") >= 0 if "stop_reason" in st else True,
                  f"{engine}: the run says why it stopped ({st.get('stop_reason')})")

    # A packet-making source that never ends, into queues and a scheduler: --duration ends the run
    # (nbrun used to keep running the source's task after it was told to stop, for ever).
    for engine in ("interp", "jit"):
        try:
            st = run(d, f"endless-{engine}",
                     "rr :: RoundRobinSched;\n"
                     "InfiniteSource -> Queue(20) -> [0] rr;\n"
                     "InfiniteSource -> Queue(20) -> [1] rr;\n"
                     "rr -> c :: Counter -> Discard;\n", "--engine", engine, "--duration", "0.5")
        except subprocess.TimeoutExpired:
            st = None
            check(False, f"{engine}: an endless InfiniteSource into queues stops at --duration")
        if st:
            t = st["totals"]
            check(t["generated"] > 0 and t["rx"] + t["generated"] == t["tx"] + t["dropped"],
                  f"{engine}: an endless InfiniteSource into queues stops at --duration, all counted ({t})")

    # Several workers, more lcores than CPUs: each worker its own queue, nothing lost or doubled.
    out = d / "workers.pcap"
    st = run(d, "workers", f"FromDump({inp}) -> Queue(4000) -> u :: Unqueue(5) -> ToDump({out});\n", "--workers", "3",
             "--", "--no-huge", "-m", "512", "--no-pci", "--lcores", "0@0,1@1,2@0,3@1")
    if st:
        check(st["totals"]["tx"] == 1000 and records(out) == 1000, f"3 workers: every packet out once ({st['totals']})")

    # A pipeline (StaticThreadSched): every worker pushes into one shared queue and worker 1 alone
    # empties it, so worker 1 sends every packet; nothing lost, and each flow leaves in its order.
    flows = d / "flows.pcap"
    subprocess.run([gen, "--profile", "flows", "--count", "2000", "-o", str(flows)], check=True, capture_output=True)
    for engine in ("interp", "jit"):
        out = d / f"pipe-{engine}.pcap"
        st = run(d, f"pipe-{engine}",
                 f"FromDump({flows}) -> q :: ThreadSafeQueue(4000) -> u :: Unqueue(5) -> ToDump({out});\n"
                 "StaticThreadSched(u 1);\n", "--engine", engine, "--workers", "3",
                 "--", "--no-huge", "-m", "512", "--no-pci", "--lcores", "0@0,1@1,2@0,3@1")
        if st:
            sent = [w["tx"] for w in st["workers"]]
            got = [w["processed"] for w in st["workers"]]
            check(st["totals"]["tx"] == 2000 and records(out) == 2000 and st["totals"]["dropped"] == 0,
                  f"{engine}: pipeline: every packet out once ({st['totals']})")
            check(sent[1] == 2000 and sent[0] == 0 and sent[2] == 0,
                  f"{engine}: pipeline: worker 1 alone sends (tx per worker {sent})")
            check(sum(1 for n in got if n > 0) >= 2, f"{engine}: pipeline: the flows came in on several workers "
                  f"(processed per worker {got})")
            check(st["elements"]["q"]["handlers"]["length"] == "0", f"{engine}: pipeline: the shared queue ends empty")
            lines = subprocess.run(["tcpdump", "-n", "-r", str(out)], capture_output=True, text=True).stdout
            src = subprocess.run(["tcpdump", "-n", "-r", str(flows)], capture_output=True, text=True).stdout

            def per_flow(text):
                seen = {}
                for line in text.splitlines():
                    parts = line.split()
                    key = " ".join(parts[2:5]) if len(parts) > 5 else line
                    seen.setdefault(key, []).append(line.split(" ", 1)[1] if " " in line else line)
                return seen

            check(per_flow(lines) == per_flow(src), f"{engine}: pipeline: each flow's packets leave in their order")

    # Click's other forms: a compound's name binds the tasks inside it; THREAD -1 binds nothing.
    out = d / "pipe-compound.pcap"
    st = run(d, "pipe-compound",
             "elementclass Pipe { input -> q :: ThreadSafeQueue(4000) -> u :: Unqueue(5) -> output }\n"
             f"FromDump({flows}) -> p :: Pipe -> ToDump({out});\nStaticThreadSched(p 2);\n", "--workers", "3",
             "--", "--no-huge", "-m", "512", "--no-pci", "--lcores", "0@0,1@1,2@0,3@1")
    if st:
        sent = [w["tx"] for w in st["workers"]]
        check(st["totals"]["tx"] == 2000 and records(out) == 2000 and sent == [0, 0, 2000],
              f"a compound's name binds its task: worker 2 alone sends every packet (tx per worker {sent})")
    out = d / "pipe-none.pcap"
    st = run(d, "pipe-none", f"FromDump({flows}) -> q :: Queue(4000) -> u :: Unqueue(5) -> ToDump({out});\n"
             "StaticThreadSched(u -1);\n", "--workers", "3",
             "--", "--no-huge", "-m", "512", "--no-pci", "--lcores", "0@0,1@1,2@0,3@1")
    if st:
        sent = [w["tx"] for w in st["workers"]]
        check(st["totals"]["tx"] == 2000 and records(out) == 2000 and sum(1 for n in sent if n > 0) >= 2,
              f"THREAD -1 binds nothing: each worker sends its own flows (tx per worker {sent})")

    # Handlers on a running graph: Unqueue's `active` stops its task, and the queue fills.
    sock = d / "nb.sock"
    cfg = d / "live.nbc"
    cfg.write_text(f"FromDump({inp}, LOOP true) -> q :: Queue(50) -> u :: Unqueue -> Discard;\n")
    proc = subprocess.Popen([nbrun, str(cfg), "--quiet", "--control", str(sock), "--duration", "60"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def ctl(*args):
        return subprocess.run([nbctl, "--socket", str(sock), *args], capture_output=True, text=True, timeout=30)

    try:
        for _ in range(300):
            if sock.exists() and ctl("ping").returncode == 0:
                break
            time.sleep(0.1)
        w = ctl("write", "u.active", "false")
        check(w.returncode == 0, f"nbctl write u.active false ({w.stderr.strip()})")
        length = ""
        for _ in range(100):  # the queue fills while nothing pulls; a source pass fills it at once
            length = ctl("read", "q.length").stdout.strip()
            if length == "50":
                break
            time.sleep(0.05)
        check(length == "50", f"with its Unqueue inactive, the queue fills to CAPACITY (length {length!r})")
        check(ctl("read", "u.active").stdout.strip() == "false", "u.active reads false")
        check(ctl("write", "u.active", "true").returncode == 0, "nbctl write u.active true")
        drops = ctl("read", "q.drops").stdout.strip()
        check(drops.isdigit() and int(drops) > 0, f"the full queue counted its drops ({drops!r})")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            check(False, "nbrun stops on SIGTERM")

print("== FAILED" if failures else "== all checks passed")
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""LookupIPRoute against a reference longest-prefix match.

Random routes (every length 1..32, many longer than /24 so rte_lpm's tbl8 groups are used, and
prefixes nested inside each other) go in a ROUTES file, with a few inline; a pcap holds packets
to random addresses and to addresses inside the routes. nbrun (interp and jit) routes them to
one ToDump per output; every packet must come out of the output the reference (a linear scan
for the longest matching prefix, later routes replacing earlier ones of the same prefix) picks,
and the packets no route matches must be counted as "no route". Frames cut short inside the IPv4
header (0 to 19 bytes of it) must be dropped and counted as "malformed", never routed.

Usage: lpm_check.py NBRUN
"""
import json
import random
import struct
import subprocess
import sys
import tempfile
import pathlib

nbrun = sys.argv[1]
rng = random.Random(20261122)
NOUT = 4


def ip_str(a):
    return ".".join(str(a >> s & 255) for s in (24, 16, 8, 0))


def mask(n):
    return 0 if n == 0 else (0xFFFFFFFF << (32 - n)) & 0xFFFFFFFF


routes = []  # (addr, len, port)
for _ in range(3000):
    n = rng.choice([rng.randint(9, 32), rng.randint(25, 32), rng.randint(12, 24)])
    if routes and rng.random() < 0.4:  # nested in an earlier route
        base = rng.choice(routes)[0]
        a = (base & mask(max(1, n - 4))) | (rng.getrandbits(32) & ~mask(max(1, n - 4)) & 0xFFFFFFFF)
    else:
        a = rng.getrandbits(32)
    routes.append((a & mask(n), n, rng.randrange(NOUT)))
routes += [(0x0A000000, 8, 1), (0x0A000000, 8, 2), (0xC0A80000, 16, 3), (0xC0A80100, 24, 0), (0xC0A80101, 32, 1)]
inline = routes[:5]
filed = routes[5:]
# The reference: the last route given for a prefix wins (inline routes are loaded first).
table = {}
for a, n, port in inline + filed:
    table[(a, n)] = port


def lookup(d):
    for n in range(32, 0, -1):
        p = table.get((d & mask(n), n))
        if p is not None:
            return p
    return None


dsts = [rng.getrandbits(32) for _ in range(1500)]
for a, n, _ in rng.sample(routes, 1500):
    dsts.append(a | (rng.getrandbits(32) & ~mask(n) & 0xFFFFFFFF))


def frame(i, d):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, i & 0xFFFF, 0, 64, 17, 0, bytes([10, 0, 0, 1]), d.to_bytes(4, "big"))
    s = sum(struct.unpack("!10H", ip))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    ip = ip[:10] + struct.pack("!H", ~s & 0xFFFF) + ip[12:]
    udp = struct.pack("!HHHH", 1000, 2000, 8, 0)
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp + bytes(18)


def read_pcap(path):
    data = pathlib.Path(path).read_bytes() if pathlib.Path(path).exists() else b""
    out, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out


failures = 0
with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    with open(tmp / "in.pcap", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, d in enumerate(dsts):
            fr = frame(i, d)
            f.write(struct.pack("<IIII", i, 0, len(fr), len(fr)) + fr)
        for k in range(20):  # truncated inside the IPv4 header: Strip(14) leaves k bytes
            fr = frame(len(dsts) + k, 0x0A000001)[:14 + k]
            f.write(struct.pack("<IIII", len(dsts) + k, 0, len(fr), len(fr)) + fr)
    with open(tmp / "routes.txt", "w") as f:
        f.write("# random routes for lpm_check.py\n")
        for a, n, port in filed:
            f.write(f"{ip_str(a)}/{n} {port}\n")
    inline_text = ", ".join(f"{ip_str(a)}/{n} {p}" for a, n, p in inline)
    cfg = [f'rt :: LookupIPRoute({inline_text}, ROUTES "{tmp}/routes.txt");',
           f'FromDump("{tmp}/in.pcap", STOP true) -> Strip(14) -> rt;']
    for o in range(NOUT):
        cfg.append(f'rt [{o}] -> Unstrip(14) -> ToDump("{tmp}/ENGINE-out{o}.pcap");')
    expected = [lookup(d) for d in dsts]
    for engine in ("interp", "jit"):
        (tmp / f"{engine}.nbc").write_text("\n".join(cfg).replace("ENGINE", engine) + "\n")
        r = subprocess.run([nbrun, str(tmp / f"{engine}.nbc"), "--engine", engine, "--stats", "json", "--quiet"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            print(f"FAIL: nbrun --engine {engine} exited {r.returncode}\n{r.stderr}")
            failures += 1
            continue
        stats = json.loads(r.stdout)["elements"]["rt"]
        got = {}
        for o in range(NOUT):
            for p in read_pcap(tmp / f"{engine}-out{o}.pcap"):
                i = struct.unpack_from("!H", p, 18)[0]
                got[i] = o
        bad = 0
        for i, d in enumerate(dsts):
            if got.get(i & 0xFFFF) != expected[i]:
                bad += 1
                if bad <= 5:
                    print(f"FAIL: {engine}: {ip_str(d)} went to {got.get(i)}, the reference says {expected[i]}")
        want_none = sum(1 for e in expected if e is None)
        malformed = stats.get("drop_reasons", {}).get("malformed")
        if malformed != 20 or sum(1 for p in got if p >= len(dsts)) or stats.get("routed") != len(dsts) - want_none:
            print(f"FAIL: {engine}: malformed {malformed} (want 20), routed {stats.get('routed')} (want {len(dsts) - want_none})")
            bad += 1
        if stats.get("no_route") != want_none or stats.get("routes") != len(routes):
            print(f"FAIL: {engine}: no_route {stats.get('no_route')} (want {want_none}), routes {stats.get('routes')} (want {len(routes)})")
            bad += 1
        if bad:
            failures += 1
        else:
            print(f"ok: {engine}: {len(dsts)} destinations ({want_none} unrouted) over {len(routes)} routes match the reference; 20 truncated headers counted malformed")
sys.exit(1 if failures else 0)

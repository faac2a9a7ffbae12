#!/usr/bin/env python3
"""IPRewriter (source NAT) over a pcap, both engines, checked by an independent model.

A pcap is written here (plain struct packing, no nb code): random TCP and UDP flows from inside
hosts 10.10.0.0/24 to outside hosts, a second packet per flow, and replies from the outside hosts
to the translated address and port the model predicts (ports are allocated sequentially, Click's
`#` suffix, from the pattern's 10-port range in the order flows first appear; a port serves several destinations, as
in Click). Also: more flows to one destination than the range has ports,
a UDP datagram without checksum, an unsolicited outside packet, a truncated TCP header, ICMP
and a non-first fragment.

Checks on nbrun's output (interp and jit, which must also agree byte for byte):
  - forward packets carry source 192.0.2.1 and the predicted port, destination unchanged;
  - replies carry the original inside address and port as destination;
  - the IP header and the TCP/UDP checksums equal a full recomputation (UDP 0 stays 0);
  - payloads are unchanged; the drop counters match (no free port, no mapping, malformed,
    not TCP/UDP).
Usage: nat_check.py NBRUN
"""
import json
import random
import struct
import subprocess
import sys
import tempfile
import pathlib

nbrun = str(pathlib.Path(sys.argv[1]).resolve())
NAT = (192 << 24) | (0 << 16) | (2 << 8) | 1
LO, HI = 50000, 50009  # 10 ports
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip_hdr(src, dst, proto, payload_len, frag=0, ident=1):
    h = struct.pack("!BBHHHBBHII", 0x45, 0, 20 + payload_len, ident, frag, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def l4(src, dst, proto, sport, dport, payload, zero_udp=False):
    if proto == 17:
        h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    else:
        h = struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32), random.getrandbits(32), 0x50, 0x18,
                        65535, 0, 0)
    seg = h + payload
    if proto == 17 and zero_udp:
        return seg
    pseudo = struct.pack("!IIBBH", src, dst, 0, proto, len(seg))
    c = csum(pseudo + seg)
    if proto == 17 and c == 0:
        c = 0xFFFF
    off = 6 if proto == 17 else 16
    return seg[:off] + struct.pack("!H", c) + seg[off + 2:]


def frame(src, dst, proto, sport, dport, payload, zero_udp=False):
    seg = l4(src, dst, proto, sport, dport, payload, zero_udp)
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip_hdr(src, dst, proto, len(seg)) + seg


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1, i, len(fr), len(fr)) + fr)


def read_pcap(path):
    data = pathlib.Path(path).read_bytes()
    out, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out


def check_sums(fr, what):
    ip = fr[14:34]
    if csum(ip) != 0:
        fail(f"{what}: IP header checksum wrong")
    src, dst = struct.unpack("!II", ip[12:20])
    proto = ip[9]
    seg = fr[34:]
    if proto == 17 and struct.unpack("!H", seg[6:8])[0] == 0:
        return "zero"
    pseudo = struct.pack("!IIBBH", src, dst, 0, proto, len(seg))
    if csum(pseudo + seg) != 0:
        fail(f"{what}: {'UDP' if proto == 17 else 'TCP'} checksum differs from a full recomputation")
    return "ok"


random.seed(9)
frames = []
flows = []  # (proto, inside ip, inside port, outside ip, outside port, payload)
for i in range(12):  # 12 flows to 12 different outside hosts
    proto = random.choice((6, 17))
    flows.append((proto, (10 << 24) | (10 << 16) | random.randint(2, 250), random.randint(1024, 65535),
                  (198 << 24) | (51 << 16) | (100 << 8) | (i + 1), random.randint(1, 65535),
                  bytes(random.getrandbits(8) for _ in range(random.randint(0, 300)))))
# Flow 0's UDP without checksum (a UDP flow of its own).
flows[0] = (17,) + flows[0][1:]
NPORTS = HI - LO + 1
# Ports go round-robin; a port is free when its reply tuple is (Click: a port may serve several
# destinations), so flows 10 and 11 wrap around to the first two ports.
ports = {k: LO + k % NPORTS for k in range(len(flows))}
# Then 11 UDP flows to one outside host and port: the range has 10 ports towards it, so the
# eleventh finds none ("no free port"). The cursor continues from flow 11.
D = (203 << 24) | (0 << 16) | (113 << 8) | 5
for j in range(NPORTS + 1):
    flows.append((17, (10 << 24) | (10 << 16) | 77, 20000 + j, D, 53, b"dns%d" % j))
    if j < NPORTS:
        ports[12 + j] = LO + (12 + j) % NPORTS
for k, (proto, s, sp, d, dp, pay) in enumerate(flows):
    frames.append(frame(s, d, proto, sp, dp, pay, zero_udp=(k == 0)))
expected_fwd = [(k, ports[k]) for k in range(len(flows)) if k in ports]  # (flow index, predicted port)
# Second packet of every flow that got a port, then a reply to it.
for k, port in list(expected_fwd):
    proto, s, sp, d, dp, pay = flows[k]
    frames.append(frame(s, d, proto, sp, dp, pay[::-1], zero_udp=(k == 0)))
    expected_fwd.append((k, port))
replies = []
for k in sorted(ports):
    proto, s, sp, d, dp, pay = flows[k]
    frames.append(frame(d, NAT, proto, dp, ports[k], b"reply" + pay))
    replies.append(k)
# Unsolicited from outside (a port with no flow): "no mapping".
frames.append(frame((198 << 24) | 99, NAT, 17, 53, HI + 5, b"unsolicited"))
# A TCP header cut short (the IP packet ends 10 bytes into it): "malformed".
frames.append(b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip_hdr(flows[1][1], flows[1][3], 6, 10) + b"\x04\x57" * 5)
# ICMP echo from inside: "not TCP/UDP". A non-first UDP fragment: "not TCP/UDP".
icmp = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"ping"
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
frames.append(b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip_hdr(flows[1][1], flows[1][3], 1, len(icmp)) + icmp)
frag_payload = b"y" * 16
frames.append(b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip_hdr(flows[1][1], flows[1][3], 17, 16, frag=0x0004) +
              frag_payload)

CONFIG = f"""
c :: Classifier(12/0800, -);
FromDump(in.pcap, STOP true) -> c;
c [1] -> Discard;
side :: IPClassifier(src net 10.10.0.0/16, -);
c [0] -> Strip(14) -> CheckIPHeader -> side;
rw :: IPRewriter(pattern 192.0.2.1 {LO}-{HI}# - - 0 1, drop);
side [0] -> [0] rw;
side [1] -> [1] rw;
rw [0] -> Unstrip(14) -> ToDump(fwd.pcap);
rw [1] -> Unstrip(14) -> ToDump(rev.pcap);
"""

results = {}
with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    write_pcap(tmp / "in.pcap", frames)
    (tmp / "nat.nbc").write_text(CONFIG)
    for engine in ("interp", "jit"):
        for f in ("fwd.pcap", "rev.pcap"):
            (tmp / f).unlink(missing_ok=True)
        p = subprocess.run([nbrun, "nat.nbc", "--engine", engine, "--stats", "json", "--quiet"], cwd=tmp,
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            fail(f"{engine}: nbrun exit {p.returncode}: {p.stderr.strip()}")
            continue
        results[engine] = (read_pcap(tmp / "fwd.pcap"), read_pcap(tmp / "rev.pcap"), json.loads(p.stdout))

for engine, (fwd, rev, stats) in results.items():
    if len(fwd) != len(expected_fwd):
        fail(f"{engine}: {len(fwd)} forward packets, want {len(expected_fwd)}")
    for fr, (k, port) in zip(fwd, expected_fwd):
        proto, s, sp, d, dp, _ = flows[k]
        src, dst = struct.unpack("!II", fr[26:34])
        nsp, ndp = struct.unpack("!HH", fr[34:38])
        if (src, nsp, dst, ndp) != (NAT, port, d, dp):
            fail(f"{engine}: flow {k} forward: {src:#x}:{nsp} -> {dst:#x}:{ndp}, want {NAT:#x}:{port} -> {d:#x}:{dp}")
        r = check_sums(fr, f"{engine} flow {k} forward")
        if (r == "zero") != (k == 0):
            fail(f"{engine}: flow {k}: UDP zero checksum {'lost' if k == 0 else 'appeared'}")
    if len(rev) != len(replies):
        fail(f"{engine}: {len(rev)} replies, want {len(replies)}")
    for fr, k in zip(rev, replies):
        proto, s, sp, d, dp, pay = flows[k]
        src, dst = struct.unpack("!II", fr[26:34])
        nsp, ndp = struct.unpack("!HH", fr[34:38])
        if (src, nsp, dst, ndp) != (d, dp, s, sp):
            fail(f"{engine}: flow {k} reply: {src:#x}:{nsp} -> {dst:#x}:{ndp}, want {d:#x}:{dp} -> {s:#x}:{sp}")
        hl = 8 if proto == 17 else 20
        if fr[34 + hl:] != b"reply" + pay:
            fail(f"{engine}: flow {k} reply payload changed")
        check_sums(fr, f"{engine} flow {k} reply")
    rw = stats["elements"]["rw"]
    drops = rw.get("drop_reasons", rw.get("drops", {}))
    want = {"no free port": 1, "no mapping": 1, "malformed": 1, "not TCP/UDP": 2}
    flat = json.dumps(rw)
    for reason, n in want.items():
        got = drops.get(reason) if isinstance(drops, dict) else None
        if got != n:
            fail(f"{engine}: drop reason '{reason}': {got}, want {n} (rw stats: {flat})")
    for counter, n in (("mapped", len(ports)), ("flows", len(ports)), ("reply", len(ports)), ("no_ports", 1)):
        if rw.get(counter) != n and rw.get("counters", {}).get(counter) != n:
            fail(f"{engine}: counter {counter} want {n} (rw stats: {flat})")

if len(results) == 2 and results["interp"][:2] != results["jit"][:2]:
    fail("interp and jit outputs differ")
if not failures:
    print(f"ok: {len(frames)} packets, {len(expected_fwd)} forward and {len(replies)} replies translated and "
          f"checksummed correctly by interp and jit")
sys.exit(1 if failures else 0)

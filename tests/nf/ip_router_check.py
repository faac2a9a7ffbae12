#!/usr/bin/env python3
"""Click's IPv4 router pieces through nbrun (both engines), with tshark -n as the oracle.

Pings: ICMPPingSource's echo requests must be what tshark calls echo requests, numbered 1, 2, 3
with good IP and ICMP checksums; one with ACTIVE false sends none. Router: hand-built packets go
through CheckIPHeader (BADSRC with GOODDST), ICMPPingResponder and IPFragmenter; tshark must put
the fragments of a long UDP datagram (with options) back together into one whose UDP checksum is
good, see echo replies, and see ICMP "fragmentation needed" errors from FixIPSrc's address about
the DF packet, which VERBOSE reports on stderr.
Usage: ip_router_check.py NBRUN
"""
import json
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

nbrun = sys.argv[1]
if not shutil.which("tshark"):
    print("SKIP: no tshark")
    sys.exit(77)

ETH = bytes.fromhex("020000000002") + bytes.fromhex("020000000001") + b"\x08\x00"


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def addr(a):
    return bytes(int(x) for x in a.split("."))


def ipv4(src, dst, proto, payload, frag=0, options=b""):
    hl = 20 + len(options)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, 0, hl + len(payload), 0x4242, frag, 64, proto, 0, addr(src),
                    addr(dst)) + options
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return ETH + h + payload


def udp(src, dst, n, **kw):
    data = bytes(i % 251 for i in range(n))
    u = struct.pack("!HHHH", 1111, 2222, 8 + n, 0) + data
    pseudo = addr(src) + addr(dst) + struct.pack("!BBH", 0, 17, len(u))
    u = u[:6] + struct.pack("!H", csum(pseudo + u) or 0xFFFF) + u[8:]
    return ipv4(src, dst, 17, u, **kw)


def echo(src, dst, seq):
    e = struct.pack("!BBHHH", 8, 0, 0, 77, seq) + b"nb ping data"
    e = e[:2] + struct.pack("!H", csum(e)) + e[4:]
    return ipv4(src, dst, 1, e)


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", i, 0, len(p), len(p)) + p)


def tshark(path, fields, *opts):
    cmd = ["tshark", "-n", "-r", str(path), "-o", "ip.check_checksum:TRUE",
           "-o", "udp.check_checksum:TRUE", *opts, "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return [l.split("|") for l in r.stdout.splitlines()]


# Record route (not copied into later fragments) and a copied option (0x82, security), padded.
OPTIONS = bytes([0x07, 7, 4, 0, 0, 0, 0, 0x82, 4, 0xAA, 0xBB, 0x00])
packets = [
    udp("10.0.0.5", "10.9.9.9", 1400, options=OPTIONS),        # fragmented: 3 fragments at MTU 576
    udp("10.0.0.6", "10.9.9.9", 1000, frag=0x4000),            # DF: fragmentation needed
    echo("10.0.0.7", "10.0.0.1", 5),                           # answered
    udp("10.0.0.255", "192.0.2.1", 20),                        # bad source, but to a GOODDST
    udp("10.0.0.255", "10.9.9.9", 20),                         # bad source
    udp("10.0.0.8", "10.9.9.9", 100),                          # short: passes whole
]
ROUTER = """
FromDump({d}/in.pcap) -> Strip(14) -> chk :: CheckIPHeader(BADSRC 10.0.0.255, GOODDST 192.0.2.1)
  -> cl :: IPClassifier(icmp type echo, -);
cl[0] -> ICMPPingResponder -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump({d}/replies.pcap);
cl[1] -> fr :: IPFragmenter(576, VERBOSE true) -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02)
  -> ToDump({d}/out.pcap);
fr[1] -> ICMPError(10.0.0.1, unreachable, needfrag) -> FixIPSrc(198.51.100.1)
  -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump({d}/needfrag.pcap);
chk[1] -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump({d}/bad.pcap);
"""
PINGS = """
ICMPPingSource(192.0.2.1, 192.0.2.2, INTERVAL 0.01, LIMIT 3, STOP true, DATA "abcdefgh")
  -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump({d}/pings.pcap);
quiet :: ICMPPingSource(192.0.2.1, 192.0.2.3, INTERVAL 0.001, ACTIVE false) -> Discard;
"""

failures = 0


def fail(msg):
    global failures
    print("FAIL:", msg)
    failures += 1


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    write_pcap(tmp / "in.pcap", packets)
    for engine in ("interp", "jit"):
        d = tmp / engine
        d.mkdir()
        (d / "router.nbc").write_text(ROUTER.replace("{d}/in.pcap", str(tmp / "in.pcap")).replace("{d}", str(d)))
        r = subprocess.run([nbrun, str(d / "router.nbc"), "--engine", engine, "--stats", "json"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"nbrun --engine {engine} exited {r.returncode}\n{r.stderr}")
            continue
        stats = json.loads(r.stdout)["elements"]
        if "DF set" not in r.stderr:
            fail(f"{engine}: VERBOSE said nothing about the DF packet: {r.stderr!r}")
        # Offsets in 8-byte units: 544 data bytes in the first (32-byte header), 552 in the second.
        frags = tshark(d / "out.pcap", ["ip.src", "ip.len", "ip.flags.mf", "ip.frag_offset", "ip.hdr_len",
                                        "ip.checksum.status"], "-o", "ip.defragment:FALSE")
        big = [f for f in frags if f[0] == "10.0.0.5"]
        if [(f[2], f[3], f[4]) for f in big] != [("1", "0", "32"), ("1", "68", "24"), ("0", "137", "24")] or \
                any(int(f[1]) > 576 or f[5] != "1" for f in big):
            fail(f"{engine}: fragments {big}")
        whole = tshark(d / "out.pcap", ["ip.src", "udp.length", "udp.checksum.status", "ip.fragment.count"],
                       "-o", "ip.defragment:TRUE", "-Y", "udp")
        got = sorted((w[0], w[1], w[2]) for w in whole)
        want = sorted([("10.0.0.5", "1408", "1"), ("10.0.0.255", "28", "1"), ("10.0.0.8", "108", "1")])
        if got != want:
            fail(f"{engine}: reassembled {got}, want {want}")
        rep = tshark(d / "replies.pcap", ["ip.src", "ip.dst", "icmp.type", "icmp.seq", "icmp.checksum.status",
                                          "ip.checksum.status", "ip.ttl"])
        if rep != [["10.0.0.1", "10.0.0.7", "0", "5", "1", "1", "255"]]:
            fail(f"{engine}: replies {rep}")
        nf = tshark(d / "needfrag.pcap", ["ip.src", "ip.dst", "icmp.type", "icmp.code", "icmp.checksum.status",
                                          "ip.checksum.status"])
        if nf != [["198.51.100.1", "10.0.0.6", "3", "4", "1", "1"]]:
            fail(f"{engine}: needfrag {nf}")
        bad = tshark(d / "bad.pcap", ["ip.src", "ip.dst"])
        if bad != [["10.0.0.255", "10.9.9.9"]]:
            fail(f"{engine}: bad {bad}")
        if stats["fr"].get("fragments") != 3 or stats["fr"].get("df_packets") != 1:
            fail(f"{engine}: IPFragmenter counters {stats['fr']}")

        (d / "pings.nbc").write_text(PINGS.replace("{d}", str(d)))
        r = subprocess.run([nbrun, str(d / "pings.nbc"), "--engine", engine, "--stats", "json"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"pings: nbrun --engine {engine} exited {r.returncode}\n{r.stderr}")
            continue
        if json.loads(r.stdout)["elements"]["quiet"].get("count") != 0:
            fail(f"{engine}: ICMPPingSource with ACTIVE false sent pings: {r.stdout}")
        # Replies into its input: a task with a pushed input; no reply is to a ping it sent yet.
        (d / "pingin.nbc").write_text(
            f"FromDump({tmp}/in.pcap) -> Strip(14) -> CheckIPHeader -> ping :: ICMPPingSource(10.0.0.1, 10.0.0.7, "
            f"INTERVAL 0.001, LIMIT 1) -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> "
            f"ToDump({d}/pings_in.pcap);\n")
        r = subprocess.run([nbrun, str(d / "pingin.nbc"), "--engine", engine, "--stats", "json"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"pingin: nbrun --engine {engine} exited {r.returncode}\n{r.stderr}")
        elif json.loads(r.stdout)["elements"]["ping"].get("received") != 0:
            fail(f"{engine}: pingin counted replies to pings it never sent: {r.stdout}")
        pings = tshark(d / "pings.pcap", ["ip.src", "ip.dst", "icmp.type", "icmp.seq", "icmp.ident",
                                          "icmp.checksum.status", "ip.checksum.status", "ip.ttl", "data.data"])
        want = [["192.0.2.1", "192.0.2.2", "8", str(s), "0", "1", "1", "200", b"abcdefgh".hex()] for s in (1, 2, 3)]
        if pings != want:
            fail(f"{engine}: pings {pings}, want {want}")
print("ip_router_check:", "FAIL" if failures else "ok")
sys.exit(1 if failures else 0)

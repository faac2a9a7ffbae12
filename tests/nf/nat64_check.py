#!/usr/bin/env python3
"""Click's GNAT elements through nbrun (both engines), with tshark as the oracle.

An inside IPv6 host (3ffe:1ce1:2::1) talks to IPv4 hosts through AddressTranslator (a static
mapping to ::18.26.4.17) and ProtocolTranslator64; the IPv4 replies come back through
ProtocolTranslator46 (MAPPED false: ::a.b.c.d, as conf/ip64-nat*.click expect) and the
translator's inward side. tshark -n must read IPv4 packets with the mapped addresses, TTL = hop
limit, and good IP/UDP/TCP/ICMP checksums; and IPv6 packets to the inside host with good
UDP/TCP/ICMPv6 checksums. Bad packets are dropped and counted, never written.
Usage: nat64_check.py NBRUN
"""
import ipaddress
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

MAC = bytes.fromhex("020000000002") + bytes.fromhex("020000000001")
INNER, MAPPED, OUTSIDE = "3ffe:1ce1:2::1", "::18.26.4.17", "::18.7.21.69"


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def tcp(sport, dport, data):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x18, 65535, 0, 0) + data


def icmp(type_, code, rest, data):
    return struct.pack("!BBH", type_, code, 0) + rest + data


def ip6(src, dst, next_header, payload, hlim=64, plen=None):
    hdr = struct.pack("!IHBB", 6 << 28, len(payload) if plen is None else plen, next_header, hlim)
    return MAC + b"\x86\xdd" + hdr + ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed + payload


def ip4(src, dst, proto, payload, ttl=50, frag=0x4000):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 7, frag, ttl, proto, 0,
                      ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed)
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    hdr = hdr[:10] + struct.pack("!H", ~s & 0xFFFF) + hdr[12:]
    return MAC + b"\x08\x00" + hdr + payload


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", i, 0, len(p), len(p)) + p)


out6 = [  # inside -> outside: (packet, protocol expected in IPv4)
    (ip6(INNER, OUTSIDE, 17, udp(1000, 53, b"query"), hlim=33), "17"),
    (ip6(INNER, OUTSIDE, 6, tcp(40000, 80, b"GET / HTTP/1.0\r\n\r\n")), "6"),
    (ip6(INNER, OUTSIDE, 58, icmp(128, 0, struct.pack("!HH", 7, 1), b"ping")), "1"),
]
bad6 = [
    ip6(INNER, OUTSIDE, 17, udp(1000, 53, b"x"), plen=200),    # payload length past the end
    ip6("3ffe::99", OUTSIDE, 17, udp(1000, 53, b"x")),         # no mapping
    ip6(INNER, "2001:db8::1", 17, udp(1000, 53, b"x")),        # no IPv4 inside the destination
]
in4 = [  # outside -> inside
    (ip4("18.7.21.69", "18.26.4.17", 17, udp(53, 1000, b"answer")), "17"),
    (ip4("18.7.21.69", "18.26.4.17", 6, tcp(80, 40000, b"HTTP/1.0 200 OK\r\n")), "6"),
    (ip4("18.7.21.69", "18.26.4.17", 1, icmp(0, 0, struct.pack("!HH", 7, 1), b"pong")), "58"),
]
bad4 = [
    ip4("18.7.21.69", "18.26.4.17", 17, udp(53, 1000, b"frag"), frag=0x2000),  # a fragment
    ip4("18.7.21.69", "18.26.4.99", 17, udp(53, 1000, b"x")),                 # no mapping inward
]
config = """
at :: AddressTranslator(1, 0, 3ffe:1ce1:2::1 ::18.26.4.17, 0);
pt64 :: ProtocolTranslator64;
pt46 :: ProtocolTranslator46(MAPPED false);
FromDump({d}/in6.pcap) -> Strip(14) -> CheckIP6Header -> [0] at;
at[0] -> pt64 -> CheckIPHeader -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump({d}/out4.pcap);
FromDump({d}/in4.pcap) -> Strip(14) -> CheckIPHeader -> pt46 -> [1] at;
at[1] -> EtherEncap(0x86dd, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump({d}/out6.pcap);
"""
PREFS = ["-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"]


def tshark(path, fields):
    cmd = ["tshark", "-n", "-r", str(path)] + PREFS + ["-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return [l.split("|") for l in r.stdout.splitlines()]


failures = 0


def fail(msg):
    global failures
    print("FAIL:", msg)
    failures += 1


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    write_pcap(tmp / "in6.pcap", [p for p, _ in out6] + bad6)
    write_pcap(tmp / "in4.pcap", [p for p, _ in in4] + bad4)
    for engine in ("interp", "jit"):
        d = tmp / engine
        d.mkdir()
        (d / "cfg.nbc").write_text(config.replace("{d}/in", str(tmp / "in")).replace("{d}", str(d)))
        r = subprocess.run([nbrun, str(d / "cfg.nbc"), "--engine", engine, "--stats", "json", "--quiet"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"nbrun --engine {engine} exited {r.returncode}\n{r.stderr}")
            continue
        stats = json.loads(r.stdout)["elements"]
        rows = tshark(d / "out4.pcap", ["ip.src", "ip.dst", "ip.proto", "ip.ttl", "ip.flags.df", "ip.checksum.status",
                                        "udp.checksum.status", "tcp.checksum.status", "icmp.type",
                                        "icmp.checksum.status", "frame.len"])
        if len(rows) != len(out6):
            fail(f"{engine}: out4 holds {len(rows)} packets, want {len(out6)}")
        for (pkt, proto), row in zip(out6, rows):
            hlim = str(pkt[14 + 7])
            l4_ok = {"17": row[6], "6": row[7], "1": row[9]}[proto]
            want_len = len(pkt) - 20
            if (row[0], row[1], row[2], row[3], row[4], row[5], l4_ok) != ("18.26.4.17", "18.7.21.69", proto, hlim,
                                                                           "1", "1", "1") or int(row[10]) != want_len:
                fail(f"{engine}: out4 {row}: want 18.26.4.17 -> 18.7.21.69 proto {proto} ttl {hlim} DF, "
                     f"good checksums (1), {want_len} bytes")
            if proto == "1" and row[8] != "8":
                fail(f"{engine}: echo request became ICMP type {row[8]}")
        rows = tshark(d / "out6.pcap", ["ipv6.src", "ipv6.dst", "ipv6.nxt", "ipv6.hlim", "udp.checksum.status",
                                        "tcp.checksum.status", "icmpv6.type", "icmpv6.checksum.status", "frame.len"])
        if len(rows) != len(in4):
            fail(f"{engine}: out6 holds {len(rows)} packets, want {len(in4)}")
        for (pkt, nxt), row in zip(in4, rows):
            l4_ok = {"17": row[4], "6": row[5], "58": row[7]}[nxt]
            want_len = len(pkt) + 20
            if (row[0], row[1], row[2], row[3], l4_ok) != (OUTSIDE, INNER, nxt, "50", "1") or int(row[8]) != want_len:
                fail(f"{engine}: out6 {row}: want {OUTSIDE} -> {INNER} next {nxt} hlim 50, good checksum (1), "
                     f"{want_len} bytes")
            if nxt == "58" and row[6] != "129":
                fail(f"{engine}: echo reply became ICMPv6 type {row[6]}")
        at, pt64, pt46 = stats["at"], stats["pt64"], stats["pt46"]
        # CheckIP6Header drops the first bad IPv6 packet; the translator, the next and the IPv4
        # one to 18.26.4.99 (no mapping); ProtocolTranslator64, the one to 2001:db8::1; and
        # ProtocolTranslator46, the fragment.
        if at.get("outward") != 4 or at.get("inward") != 3 or pt64.get("translated") != 3 or \
                pt46.get("translated") != 4 or at.get("drops") != 2 or pt46.get("drops") != 1 or pt64.get("drops") != 1:
            fail(f"{engine}: counters at {at} pt64 {pt64} pt46 {pt46}")
print("nat64_check:", "FAIL" if failures else "ok")
sys.exit(1 if failures else 0)

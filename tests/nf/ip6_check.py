#!/usr/bin/env python3
"""Click's IPv6 basics through nbrun (both engines), with tshark as the oracle.

Hand-built Ethernet/IPv6/UDP packets to several destinations and hop limits, plus bad headers,
go through CheckIP6Header -> DecIP6HLIM -> LookupIP6Route, with ICMP6Error answering expired
and unroutable packets. tshark -n must see each packet on its route's output with its hop limit
decremented, and ICMPv6 errors with good checksums quoting the packets they are about.
Usage: ip6_check.py NBRUN
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


def ip6(src, dst, hlim, payload_len=12, next_header=17, version=6, plen=None):
    payload = struct.pack("!HHHH", 1000, 2000, 8 + payload_len - 8, 0) + bytes(i % 256 for i in range(payload_len - 8))
    hdr = struct.pack("!IHBB", version << 28, len(payload) if plen is None else plen, next_header, hlim)
    return MAC + b"\x86\xdd" + hdr + ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed + payload


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", i, 0, len(p), len(p)) + p)


# (packet, expected output name, expected hop limit there)
SRC = "2001:db8:99::5"
cases = [
    (ip6(SRC, "2001:db8:1::1", 64), "out0", 63),
    (ip6(SRC, "2001:db8:1:2::1", 10), "out1", 9),     # the longer /64 wins over the /48
    (ip6(SRC, "2001:db8:1:2:3::1", 2), "out1", 1),
    (ip6(SRC, "2001:db8:2::7", 255), "out2", 254),   # ADDR/MASK form
    (ip6(SRC, "2001:db8:2::7", 1), "expired", 255),  # ICMPv6 time exceeded, hop limit 255
    (ip6(SRC, "2001:db8:1::1", 0), "expired", 255),
    (ip6(SRC, "3ffe::1", 64), "unreach", 255),       # no route but the default: unreachable
    (ip6(SRC, "2001:db8:1::1", 64, plen=200), "bad", 64),          # payload length too long
    (ip6(SRC, "2001:db8:1::1", 64, version=4), "bad", 64),
    (ip6("2001:db8::bad", "2001:db8:1::1", 64), "bad", 64),         # on BADADDRS
    (ip6(SRC, "2001:db8:1::1", 64, payload_len=1400), "out0", 63),  # long: the error would quote 1232
    (ip6(SRC, "3ffe::2", 64, payload_len=1400), "unreach", 255),
]
config = """
chk :: CheckIP6Header(2001:db8::bad, 14);
hl :: DecIP6HLIM;
rt :: LookupIP6Route(2001:db8:1::/48 0, 2001:db8:1:2::/64 fe80::1 1,
                     2001:db8:2::/ffff:ffff:ffff:: 2, ::/0 3);
FromDump({d}/in.pcap) -> chk -> hl -> rt;
rt[0] -> ToDump({d}/out0.pcap);
rt[1] -> ToDump({d}/out1.pcap);
rt[2] -> ToDump({d}/out2.pcap);
rt[3] -> ICMP6Error(2001:db8::1, 1, 0) -> EtherEncap(0x86dd, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump({d}/unreach.pcap);
hl[1] -> ICMP6Error(2001:db8::1, 3, 0) -> EtherEncap(0x86dd, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump({d}/expired.pcap);
chk[1] -> ToDump({d}/bad.pcap);
"""


def tshark(path):
    r = subprocess.run(["tshark", "-n", "-r", str(path), "-T", "fields", "-E", "separator=|", "-E", "occurrence=f", "-e", "ipv6.hlim", "-e", "ipv6.src", "-e", "ipv6.dst",
                        "-e", "icmpv6.type", "-e", "icmpv6.code", "-e", "icmpv6.checksum.status", "-e", "frame.len"],
                       capture_output=True, text=True, check=True)
    return [l.split("|") for l in r.stdout.splitlines()]


failures = 0
with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    write_pcap(tmp / "in.pcap", [c[0] for c in cases])
    for engine in ("interp", "jit"):
        d = tmp / engine
        d.mkdir()
        (d / "cfg.nbc").write_text(config.replace("{d}/in.pcap", str(tmp / "in.pcap")).replace("{d}", str(d)))
        r = subprocess.run([nbrun, str(d / "cfg.nbc"), "--engine", engine, "--stats", "json", "--quiet"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            print(f"FAIL: nbrun --engine {engine} exited {r.returncode}\n{r.stderr}")
            failures += 1
            continue
        stats = json.loads(r.stdout)["elements"]
        got = {name: tshark(d / f"{name}.pcap") for name in ("out0", "out1", "out2", "unreach", "expired", "bad")}
        for name in got:
            want = [(c[0], c[2]) for c in cases if c[1] == name]
            if len(got[name]) != len(want):
                print(f"FAIL: {engine}: {name} holds {len(got[name])} packets, want {len(want)}")
                failures += 1
                continue
            for (pkt, hlim), row in zip(want, got[name]):
                orig_src = str(ipaddress.IPv6Address(pkt[22:38]))
                if name != "bad" and row[0] != str(hlim):
                    print(f"FAIL: {engine}: {name}: hop limit {row[0]}, want {hlim}: {row}")
                    failures += 1
                if name in ("unreach", "expired"):
                    want_type = "1" if name == "unreach" else "3"
                    quote = min(len(pkt) - 14, 1280 - 48)
                    if (row[1], row[2], row[3], row[4], row[5]) != ("2001:db8::1", orig_src, want_type, "0", "1") \
                            or int(row[6]) != 14 + 48 + quote:
                        print(f"FAIL: {engine}: {name}: {row} (want from 2001:db8::1 to {orig_src}, type {want_type}, "
                              f"checksum good (1), {14 + 48 + quote} bytes)")
                        failures += 1
        if stats["chk"].get("bad") != 3 or stats["hl"].get("expired") != 2 or stats["rt"].get("routes") != 4 \
                or stats["rt"].get("routed") != 7:
            print(f"FAIL: {engine}: counters {stats['chk']} {stats['hl']} {stats['rt']}")
            failures += 1
print("ip6_check:", "FAIL" if failures else "ok")
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""Click's IPv6 neighbour discovery through nbrun (both engines), with tshark as the oracle.

A host's neighbor solicitation for the router must get IP6NDAdvertiser's advertisement; IPv6
packets routed by LookupIP6Route (GetIP6Address before it, as Click's ip601.click writes it) to
a next hop IP6NDSolicitor does not know must become solicitations for that next hop (the route's
gateway when it has one), and after the next hops' advertisements the same packets must leave
in Ethernet frames to the advertised addresses. tshark -n decodes every frame and checks the
ICMPv6 checksums. Usage: ip6_nd_check.py NBRUN
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

ROUTER_MAC = "02:00:00:00:00:01"
ROUTER_IP = "2001:db8:1::1"
HOST_MAC, HOST_IP = "02:00:00:00:00:05", "2001:db8:1::5"
GW_MAC, GW_IP = "02:00:00:00:00:fe", "2001:db8:1::fe"
FAR_IP = "2001:db8:99::1"


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def a6(s):
    return ipaddress.IPv6Address(s).packed


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(dst_mac, src_mac, src, dst, next_header, hlim, payload):
    hdr = struct.pack("!IHBB", 6 << 28, len(payload), next_header, hlim) + a6(src) + a6(dst)
    return mac(dst_mac) + mac(src_mac) + b"\x86\xdd" + hdr + payload


def icmp6(src, dst, mtype, body):
    msg = bytes([mtype, 0, 0, 0]) + body
    pseudo = a6(src) + a6(dst) + struct.pack("!IxxxB", len(msg), 58)
    c = csum(pseudo + msg)
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def solicitation(src_mac, src, target):
    group = "ff02::1:ff" + ipaddress.IPv6Address(target).exploded[-7:]
    body = b"\0" * 4 + a6(target) + bytes([1, 1]) + mac(src_mac)
    gmac = "33:33:" + ":".join(f"{b:02x}" for b in a6(group)[12:])
    return frame(gmac, src_mac, src, group, 58, 255, icmp6(src, group, 135, body))


def advertisement(src_mac, target):
    body = bytes([0x60, 0, 0, 0]) + a6(target) + bytes([2, 1]) + mac(src_mac)
    return frame(ROUTER_MAC, src_mac, target, ROUTER_IP, 58, 255, icmp6(target, ROUTER_IP, 136, body))


def udp(dst):
    payload = struct.pack("!HHHH", 1000, 2000, 16, 0) + bytes(range(8))
    return frame(ROUTER_MAC, HOST_MAC, "2001:db8:7::7", dst, 17, 64, payload)


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", i, 0, len(p), len(p)) + p)


packets = [
    solicitation(HOST_MAC, HOST_IP, ROUTER_IP),  # -> advertisement for the router
    udp(HOST_IP),                                # unknown next hop -> solicitation for the host
    udp(FAR_IP),                                 # via the gateway -> solicitation for the gateway
    advertisement(HOST_MAC, HOST_IP),            # learnt
    udp(HOST_IP),                                # -> to HOST_MAC
    advertisement(GW_MAC, GW_IP),                # learnt
    udp(FAR_IP),                                 # -> to GW_MAC
    solicitation(HOST_MAC, HOST_IP, "2001:db8:1::77"),  # not ours: dropped
]
config = """
c :: Classifier(12/86dd 20/3aff 54/87, 12/86dd 20/3aff 54/88, 12/86dd, -);
FromDump({d}/in.pcap) -> c;
c[0] -> nda :: IP6NDAdvertiser(2001:db8:1::1/128 02:00:00:00:00:01) -> ToDump({d}/adv.pcap);
nds :: IP6NDSolicitor(2001:db8:1::1, 02:00:00:00:00:01);
c[1] -> [1] nds;
c[2] -> Strip(14) -> CheckIP6Header -> GetIP6Address(24)
     -> rt :: LookupIP6Route(2001:db8:1::/64 0, ::/0 2001:db8:1::fe 0) -> [0] nds;
nds -> ToDump({d}/out.pcap);
c[3] -> Discard;
"""
FIELDS = ["eth.dst", "eth.src", "ipv6.src", "ipv6.dst", "ipv6.hlim", "icmpv6.type", "icmpv6.checksum.status",
          "icmpv6.nd.ns.target_address", "icmpv6.nd.na.target_address", "icmpv6.nd.na.flag.r",
          "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o", "icmpv6.opt.linkaddr", "udp.dstport"]


def tshark(path):
    args = ["tshark", "-n", "-r", str(path), "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
    for f in FIELDS:
        args += ["-e", f]
    r = subprocess.run(args, capture_output=True, text=True, check=True)
    return [dict(zip(FIELDS, l.split("|"))) for l in r.stdout.splitlines()]


def expect(row, **want):
    bad = {k: (row.get(k), v) for k, v in want.items() if row.get(k) != v}
    return bad


def solicited(target):
    group = "ff02::1:ff" + ipaddress.IPv6Address(target).exploded[-7:]
    gmac = "33:33:" + ":".join(f"{b:02x}" for b in a6(group)[12:])
    return dict(**{"eth.dst": gmac, "eth.src": ROUTER_MAC, "ipv6.src": ROUTER_IP,
                   "ipv6.dst": str(ipaddress.IPv6Address(group)), "ipv6.hlim": "255", "icmpv6.type": "135",
                   "icmpv6.checksum.status": "1", "icmpv6.nd.ns.target_address": target,
                   "icmpv6.opt.linkaddr": ROUTER_MAC})


want_out = [
    solicited(HOST_IP),
    solicited(GW_IP),
    {"eth.dst": HOST_MAC, "eth.src": ROUTER_MAC, "ipv6.dst": HOST_IP, "ipv6.hlim": "64", "udp.dstport": "2000"},
    {"eth.dst": GW_MAC, "eth.src": ROUTER_MAC, "ipv6.dst": FAR_IP, "ipv6.hlim": "64", "udp.dstport": "2000"},
]
want_adv = [
    {"eth.dst": HOST_MAC, "eth.src": ROUTER_MAC, "ipv6.src": ROUTER_IP, "ipv6.dst": HOST_IP, "ipv6.hlim": "255",
     "icmpv6.type": "136", "icmpv6.checksum.status": "1", "icmpv6.nd.na.target_address": ROUTER_IP,
     "icmpv6.nd.na.flag.r": "1", "icmpv6.nd.na.flag.s": "1", "icmpv6.nd.na.flag.o": "0",
     "icmpv6.opt.linkaddr": ROUTER_MAC},
]

failures = 0
with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    write_pcap(tmp / "in.pcap", packets)
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
        for name, want in (("out", want_out), ("adv", want_adv)):
            got = tshark(d / f"{name}.pcap")
            if len(got) != len(want):
                print(f"FAIL: {engine}: {name}.pcap holds {len(got)} frames, want {len(want)}: {got}")
                failures += 1
                continue
            for i, (row, w) in enumerate(zip(got, want)):
                bad = expect(row, **w)
                if bad:
                    print(f"FAIL: {engine}: {name}.pcap frame {i + 1}: (got, want) {bad}")
                    failures += 1
        nds, nda = stats["nds"], stats["nda"]
        if (nds.get("queries"), nds.get("learnt"), nds.get("encapsulated"), nda.get("replies"),
                nda.get("drop_reasons", {}).get("not ours")) != (2, 2, 2, 1, 1):
            print(f"FAIL: {engine}: counters nds {nds} nda {nda}")
            failures += 1
print("ip6_nd_check:", "FAIL" if failures else "ok")
sys.exit(1 if failures else 0)

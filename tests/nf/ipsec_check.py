#!/usr/bin/env python3
"""Click's IPsec elements through nbrun (both engines), against independent ESP implementations.

Out of the tunnel (nb -> oracle): UDP packets routed into RadixIPsecLookup's tunnel output go
through IPsecESPEncap, IPsecAuthHMACSHA1(0), IPsecAES(1), IPsecEncap(50) in Click's order; tshark,
given the SA, must verify every ICV (HMAC-SHA1-96) and decrypt every packet (AES-128-CBC) to the
packet that went in, with SPI 7 and sequence numbers counting from REPLAY.

Into the tunnel (oracle -> nb): ESP packets made here with Python's `cryptography` (AES) and
hmac modules, and, where network namespaces work, by the Linux kernel's xfrm from pings (captured
with tcpdump), go through StripIPHeader, IPsecAES(0), IPsecAuthHMACSHA1(1), IPsecESPUnencap: nb
must give back exactly the inner packets, and drop and count the truncated, forged, replayed and
badly padded ones, each for its reason. Where xfrm works, the kernel must also accept nb's own ESP
packets (its SA's counters: every packet, no integrity or replay failure).
With Click's source tree (or a git directory of it), Click's own conf/ipsec-router.click runs too,
its devices replaced by pcap files: tshark decrypts what it tunnels, and what it takes out of the
tunnel is routed on.
Usage: ipsec_check.py NBRUN [CLICK_SOURCE]
"""
import hashlib
import hmac
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

nbrun = sys.argv[1]
click_source = sys.argv[2] if len(sys.argv) > 2 else None
if not shutil.which("tshark"):
    print("SKIP: no tshark")
    sys.exit(77)
try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
except ImportError:
    Cipher = None

ENC = bytes(range(16))
AUTH = bytes(range(16, 32))
SA = f"7 {ENC.hex()} {AUTH.hex()}"
ETH = bytes.fromhex("020000000002") + bytes.fromhex("020000000001") + b"\x08\x00"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def addr(a):
    return bytes(int(x) for x in a.split("."))


def ipv4(src, dst, proto, payload, ident=0x4242):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, 64, proto, 0, addr(src), addr(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def udp(src, dst, n, ident):
    data = bytes((i * 7 + ident) % 251 for i in range(n))
    u = struct.pack("!HHHH", 40000, 40001, 8 + n, 0) + data  # ports no dissector claims
    pseudo = addr(src) + addr(dst) + struct.pack("!BBH", 0, 17, len(u))
    u = u[:6] + struct.pack("!H", csum(pseudo + u) or 0xFFFF) + u[8:]
    return ipv4(src, dst, 17, u, ident)


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(frames):
            f.write(struct.pack("<IIII", i, 0, len(p), len(p)) + p)


def read_pcap(path):
    data = pathlib.Path(path).read_bytes()
    magic = struct.unpack_from("<I", data)[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack_from(end + "I", data, 20)[0]
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack_from(end + "IIII", data, off)
        frame = data[off + 16:off + 16 + caplen]
        out.append(frame[16:] if link == 113 else frame[14:])  # Linux cooked capture, or Ethernet
        off += 16 + caplen
    return out


def esp(seq, inner, next_header=4, pad_fix=None, iv=None):
    """An ESP packet (no outer header) as RFC 4303 and 3602 make it, by the `cryptography` module."""
    pad = (16 - (len(inner) + 2) % 16) % 16
    trailer = bytes(range(1, pad + 1)) + bytes([pad, next_header])
    if pad_fix:
        trailer = pad_fix(trailer)
    iv = iv or os.urandom(16)
    e = Cipher(algorithms.AES(ENC), modes.CBC(iv)).encryptor()
    body = struct.pack("!II", 7, seq) + iv + e.update(inner + trailer) + e.finalize()
    return body + hmac.new(AUTH, body, hashlib.sha1).digest()[:12]


def run(cfg, d, engine):
    (d / "cfg.nbc").write_text(cfg)
    r = subprocess.run([nbrun, str(d / "cfg.nbc"), "--engine", engine, "--stats", "json", "--quiet"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        fail(f"nbrun --engine {engine} exited {r.returncode}\n{r.stderr}")
        return None
    return json.loads(r.stdout)


def drop_reasons(stats, element):
    e = stats["elements"].get(element, {})
    return {k: v for k, v in e.get("drop_reasons", {}).items() if v}


GATEWAY = """
FromDump({inp}, STOP true) -> Strip(14) -> CheckIPHeader
  -> rt :: RadixIPsecLookup(192.0.2.1/32 0, 10.9.0.0/16 192.0.2.2 1 {sa} {replay} 64, 192.0.2.0/24 3, 0.0.0.0/0 4);
rt[0] -> StripIPHeader -> aes0 :: IPsecAES(0) -> auth1 :: IPsecAuthHMACSHA1(1) -> unencap :: IPsecESPUnencap
      -> CheckIPHeader -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump({dec});
auth1[1] -> ToDump({forged});
rt[1] -> esp :: IPsecESPEncap -> IPsecAuthHMACSHA1(0) -> IPsecAES(1) -> IPsecEncap(50) -> FixIPSrc(192.0.2.1) -> rt;
rt[2] -> ToDump({local});
rt[3] -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02) -> ToDump({out});
rt[4] -> Discard;
"""


def gateway(d, inp, replay=1):
    files = {k: d / f"{k}.pcap" for k in ("dec", "forged", "local", "out")}
    return GATEWAY.format(inp=inp, sa=SA, replay=replay, **files), files


def tshark_esp(path):
    sa = (f'"IPv4","192.0.2.1","192.0.2.2","0x00000007","AES-CBC [RFC3602]","0x{ENC.hex()}",'
          f'"HMAC-SHA-1-96 [RFC2404]","0x{AUTH.hex()}"')
    r = subprocess.run(["tshark", "-n", "-r", str(path), "-o", "esp.enable_encryption_decode:TRUE", "-o",
                        "esp.enable_authentication_check:TRUE", "-o", f"uat:esp_sa:{sa}", "-T", "fields", "-E",
                        "separator=|", "-e", "esp.spi", "-e", "esp.sequence", "-e", "esp.icv_good", "-e",
                        "esp.protocol", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.id", "-e", "udp.length", "-e",
                        "data.data"], capture_output=True, text=True, check=True)
    return [l.split("|") for l in r.stdout.splitlines()]


def out_of_tunnel(tmp, engine):
    """nb encrypts; tshark verifies and decrypts."""
    d = tmp / f"out-{engine}"
    d.mkdir()
    sizes = [0, 1, 13, 14, 15, 30, 100, 255, 1000, 1400]
    inner = [udp("10.1.0.1", f"10.9.0.{i + 1}", n, 100 + i) for i, n in enumerate(sizes)]
    write_pcap(d / "in.pcap", [ETH + p for p in inner])
    cfg, files = gateway(d, d / "in.pcap", replay=300)
    stats = run(cfg, d, engine)
    if stats is None:
        return
    rows = tshark_esp(files["out"])
    before = len(failures)
    if len(rows) != len(inner):
        fail(f"{engine}: {len(rows)} ESP packets out, {len(inner)} in")
        return
    for i, (row, p) in enumerate(zip(rows, inner)):
        spi, seq, good, nh, src, dst, ident, ulen, data = row
        want = (src.split(",")[-1], dst.split(",")[-1], int(ident.split(",")[-1], 16 if "x" in ident else 10))
        if spi != "0x00000007" or int(seq) != 300 + i or good != "1" or nh != "0x04":
            fail(f"{engine}: packet {i}: tshark says SPI {spi}, sequence {seq}, ICV good {good!r}, next header {nh}")
        if src.split(",")[0] != "192.0.2.1" or dst.split(",")[0] != "192.0.2.2":
            fail(f"{engine}: packet {i}: outer header {src} -> {dst}")
        if want != ("10.1.0.1", f"10.9.0.{i + 1}", 100 + i) or int(ulen) != 8 + sizes[i] or \
                bytes.fromhex(data) != p[28:]:
            fail(f"{engine}: packet {i}: decrypted to {row[4:]} (sent {sizes[i]} bytes of UDP payload)")
    if len(failures) == before:
        print(f"ok   {engine}: tshark verified and decrypted nb's {len(rows)} ESP packets")


def into_tunnel(tmp, engine):
    """Python's cryptography encrypts (and forges); nb verifies and decrypts."""
    d = tmp / f"in-{engine}"
    d.mkdir()
    outer = lambda body: ETH + ipv4("192.0.2.2", "192.0.2.1", 50, body)
    inner = [udp("10.9.0.5", "10.1.0.1", n, 7 + n) for n in (0, 20, 40, 700)]
    good = [esp(i + 1, p) for i, p in enumerate(inner)]
    forged = bytearray(esp(10, inner[1]))
    forged[40] ^= 1
    frames = [outer(b) for b in good] + [
        outer(good[0]),  # replayed
        outer(bytes(forged)),  # forged: output 1
        outer(good[1][:30]),  # truncated below header + IV + block + ICV
        outer(good[2][:-5]),  # cut inside its last block
        outer(esp(11, inner[0], pad_fix=lambda t: t[:-2] + bytes([250, 4]))),  # pad length past the payload
        outer(esp(12, inner[0], next_header=59)),  # a dummy packet
        outer(esp(0, inner[0])),  # sequence number 0
        outer(good[1][:3]),  # too short for its SPI
        ETH + udp("10.9.0.5", "192.0.2.1", 10, 1),  # for this host, not ESP: output 2
    ]
    write_pcap(d / "in.pcap", frames)
    cfg, files = gateway(d, d / "in.pcap")
    stats = run(cfg, d, engine)
    if stats is None:
        return
    got = read_pcap(files["dec"])
    before = len(failures)
    if got != inner:
        fail(f"{engine}: nb decrypted {len(got)} packets, not the {len(inner)} sent")
    if len(read_pcap(files["forged"])) != 1 or len(read_pcap(files["local"])) != 1:
        fail(f"{engine}: forged to output 1: {len(read_pcap(files['forged']))}, local: {len(read_pcap(files['local']))}")
    want = {
        "unencap": {"replay": 2, "bad padding": 1, "not ip": 1},
        "aes0": {"malformed": 2},
        "rt": {"malformed": 1},
    }
    for element, reasons in want.items():
        have = drop_reasons(stats, element)
        if have != reasons:
            fail(f"{engine}: {element} dropped {have}, expected {reasons}")
    if len(failures) == before:
        print(f"ok   {engine}: nb decrypted {len(got)} packets from an independent encrypter, dropped the bad ones")


def click_router(tmp, click_src, engine):
    """Click's own conf/ipsec-router.click, its devices replaced by pcap files: packets for 18.26.8/24
    leave eth0 as ESP to the gateway 18.26.4.1 (tshark verifies and decrypts them with the SA the
    configuration writes), ESP from 18.26.4.1 leaves eth1 decrypted, routed, its TTL decremented."""
    src = pathlib.Path(click_src)
    if (src / "conf" / "ipsec-router.click").is_file():
        text = (src / "conf" / "ipsec-router.click").read_text()
    else:
        r = subprocess.run(["git", "-C", str(src), "show", "HEAD:conf/ipsec-router.click"], capture_output=True,
                           text=True)
        if r.returncode != 0:
            print(f"skip ipsec-router.click: not in {src}")
            return
        text = r.stdout
    d = tmp / f"click-{engine}"
    d.mkdir()
    text = re.sub(r"FromDevice\(eth([01])\)", lambda m: f"FromDump({d}/eth{m.group(1)}.pcap)", text)
    text = re.sub(r"ToDevice\(eth([01])\)", lambda m: f"ToDump({d}/out{m.group(1)}.pcap)", text)
    text = text.replace("ToHost()", "Discard")
    enc, auth = bytes.fromhex("ABCDEFFF001DEFD2354550FE40CD708E"), bytes.fromhex("112233EE556677888877665544332211")
    eth0, eth1 = bytes.fromhex("0050BF010C91"), bytes.fromhex("0050BF010C5D")
    gw_mac, host_mac = bytes.fromhex("020000000401"), bytes.fromhex("020000000705")

    def arp_reply(sha, spa, tha, tpa):
        return tha + sha + b"\x08\x06" + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, sha, addr(spa), tha,
                                                        addr(tpa))

    def router_esp(seq, inner):
        pad = (16 - (len(inner) + 2) % 16) % 16
        iv = os.urandom(16)
        e = Cipher(algorithms.AES(enc), modes.CBC(iv)).encryptor()
        body = struct.pack("!II", 234, seq) + iv + e.update(inner + bytes(range(1, pad + 1)) + bytes([pad, 4]))
        body += e.finalize()
        return body + hmac.new(auth, body, hashlib.sha1).digest()[:12]

    out_inner = [udp("18.26.7.5", "18.26.8.5", n, 10 + n) for n in (5, 50, 500)]
    in_inner = [udp("18.26.8.9", "18.26.7.5", n, 20 + n) for n in (7, 70, 700)]
    frames = [arp_reply(gw_mac, "18.26.4.1", eth0, "18.26.4.24"), arp_reply(host_mac, "18.26.7.5", eth1, "18.26.7.1")]
    frames += [eth0 + gw_mac + b"\x08\x00" + p for p in out_inner]
    frames += [eth0 + gw_mac + b"\x08\x00" + ipv4("18.26.4.1", "18.26.4.24", 50, router_esp(300 + i, p))
               for i, p in enumerate(in_inner)]
    write_pcap(d / "eth0.pcap", frames)
    write_pcap(d / "eth1.pcap", [eth1 + host_mac + b"\x88\xb5" + bytes(46)])
    stats = run(text, d, engine)
    if stats is None:
        return
    before = len(failures)
    sa = (f'"IPv4","18.26.4.24","18.26.4.1","0x000000ea","AES-CBC [RFC3602]","0x{enc.hex()}",'
          f'"HMAC-SHA-1-96 [RFC2404]","0x{auth.hex()}"')
    r = subprocess.run(["tshark", "-n", "-r", str(d / "out0.pcap"), "-Y", "esp", "-o",
                        "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE", "-o",
                        f"uat:esp_sa:{sa}", "-T", "fields", "-E", "separator=|", "-e", "eth.dst", "-e", "esp.sequence",
                        "-e", "esp.icv_good", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.ttl", "-e", "data.data"],
                       capture_output=True, text=True, check=True)
    rows = [l.split("|") for l in r.stdout.splitlines()]
    want = [["02:00:00:00:04:01", str(300 + i), "1", "18.26.4.24,18.26.7.5", "18.26.4.1,18.26.8.5", "249,64",
             p[28:].hex()] for i, p in enumerate(out_inner)]
    if rows != want:
        fail(f"ipsec-router.click ({engine}): eth0's ESP, as tshark decrypts it:\n  {rows}\nexpected\n  {want}")
    got = read_pcap(d / "out1.pcap")
    r1 = subprocess.run(["tshark", "-n", "-r", str(d / "out1.pcap"), "-T", "fields", "-E", "separator=|", "-e",
                         "eth.dst", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.ttl", "-e", "data.data"],
                        capture_output=True, text=True, check=True)
    rows1 = [l.split("|") for l in r1.stdout.splitlines()]
    want1 = [["02:00:00:00:07:05", "18.26.8.9", "18.26.7.5", "63", p[28:].hex()] for p in in_inner]
    if rows1 != want1:
        fail(f"ipsec-router.click ({engine}): eth1 got {len(got)} frames:\n  {rows1}\nexpected\n  {want1}")
    if len(failures) == before:
        print(f"ok   {engine}: Click's ipsec-router.click tunnels 3 packets (tshark decrypts them) and takes 3 out")


def sh(*cmd, check=True):
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check)


def with_xfrm(tmp):
    """The Linux kernel as the peer: its ESP decrypted by nb, nb's ESP accepted by it."""
    ns = f"nbipsec{os.getpid()}"
    if sh("ip", "netns", "add", ns, check=False).returncode != 0:
        print("skip xfrm: no network namespaces here")
        return
    try:
        x = lambda *a: sh("ip", "netns", "exec", ns, *a)
        x("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb")
        x("ip", "addr", "add", "192.0.2.2/24", "dev", "va")
        x("ip", "addr", "add", "10.9.0.1/32", "dev", "lo")
        for dev in ("lo", "va", "vb"):
            x("ip", "link", "set", dev, "up")
        x("ip", "neigh", "add", "192.0.2.1", "lladdr", "02:00:00:00:00:01", "dev", "va")
        x("ip", "route", "add", "10.1.0.0/16", "via", "192.0.2.1", "dev", "va", "src", "10.9.0.1")
        keys = ["enc", "cbc(aes)", "0x" + ENC.hex(), "auth-trunc", "hmac(sha1)", "0x" + AUTH.hex(), "96"]
        probe = sh("ip", "netns", "exec", ns, "ip", "xfrm", "state", "add", "src", "192.0.2.2", "dst", "192.0.2.1",
                   "proto", "esp", "spi", "7", "mode", "tunnel", "replay-window", "64", *keys, check=False)
        if probe.returncode != 0:
            print(f"skip xfrm: this kernel takes no ESP state ({probe.stderr.strip()})")
            return
        x("ip", "xfrm", "state", "add", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "spi", "7", "mode",
          "tunnel", "replay-window", "64", *keys)
        x("ip", "xfrm", "policy", "add", "src", "10.9.0.0/16", "dst", "10.1.0.0/16", "dir", "out", "tmpl", "src",
          "192.0.2.2", "dst", "192.0.2.1", "proto", "esp", "mode", "tunnel")
        x("ip", "xfrm", "policy", "add", "src", "10.1.0.0/16", "dst", "10.9.0.0/16", "dir", "in", "tmpl", "src",
          "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "mode", "tunnel")
        # Linux -> nb: pings the kernel encrypts, captured on the far end of the veth pair.
        cap = tmp / "linux-esp.pcap"
        tcpdump = subprocess.Popen(["ip", "netns", "exec", ns, "tcpdump", "-n", "-Z", "root", "-i", "vb", "-U", "-w", str(cap),
                                    "esp"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)
        sh("ip", "netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W", "1", "-I", "10.9.0.1", "10.1.0.1",
           check=False)
        time.sleep(0.5)
        tcpdump.terminate()
        tcpdump.wait()
        linux = read_pcap(cap)
        if len(linux) != 3:
            fail(f"xfrm: the kernel sent {len(linux)} ESP packets for 3 pings")
            return
        for engine in ("jit", "interp"):
            d = tmp / f"xfrm-in-{engine}"
            d.mkdir()
            cfg, files = gateway(d, cap)
            stats = run(cfg, d, engine)
            if stats is None:
                continue
            got = read_pcap(files["dec"])
            if len(got) != 3 or any(g[9] != 1 or g[12:20] != addr("10.9.0.1") + addr("10.1.0.1") for g in got):
                fail(f"xfrm: nb ({engine}) decrypted {len(got)} of the kernel's 3 ESP pings to {[g[:20].hex() for g in got]}")
            else:
                print(f"ok   {engine}: nb decrypted the Linux kernel's 3 ESP pings")
        # nb -> Linux: nb's ESP packets handed to the kernel on the veth pair.
        d = tmp / "xfrm-out"
        d.mkdir()
        inner = [udp("10.1.0.1", "10.9.0.1", n, 50 + n) for n in (10, 100, 1000)]
        write_pcap(d / "in.pcap", [ETH + p for p in inner])
        cfg, files = gateway(d, d / "in.pcap")
        if run(cfg, d, "jit") is None:
            return
        mac = bytes.fromhex(x("cat", "/sys/class/net/va/address").stdout.strip().replace(":", ""))
        frames = read_pcap(files["out"])
        sender = f"""
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vb", 0))
for h in sys.argv[1:]:
    s.send(bytes.fromhex(h))
"""
        hexes = [(mac + bytes.fromhex("020000000001") + b"\x08\x00" + f).hex() for f in frames]
        sh("ip", "netns", "exec", ns, sys.executable, "-c", sender, *hexes)
        time.sleep(0.5)
        state = x("ip", "-s", "xfrm", "state", "get", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "spi",
                  "7").stdout
        m = re.search(r"lifetime current:\s*\n\s*(\d+)\(bytes\), (\d+)\(packets\)", state)
        errs = re.search(r"replay-window (\d+) replay (\d+) failed (\d+)", state)
        if not m or int(m.group(2)) != 3 or not errs or errs.group(2) != "0" or errs.group(3) != "0":
            fail(f"xfrm: the kernel did not accept nb's 3 ESP packets:\n{state}")
        else:
            print("ok   the Linux kernel's xfrm accepted nb's 3 ESP packets (no replay or integrity failure)")
    finally:
        sh("ip", "netns", "del", ns, check=False)


with tempfile.TemporaryDirectory() as t:
    tmp = pathlib.Path(t)
    for engine in ("jit", "interp"):
        out_of_tunnel(tmp, engine)
        if Cipher:
            into_tunnel(tmp, engine)
            if click_source:
                click_router(tmp, click_source, engine)
    if os.geteuid() == 0 and shutil.which("tcpdump"):
        with_xfrm(tmp)
    else:
        print("skip xfrm: needs root and tcpdump")

if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)
print("all ESP checks passed")

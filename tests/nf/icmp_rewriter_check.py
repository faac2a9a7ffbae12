#!/usr/bin/env python3
"""ICMPRewriter and Rewriter over pcaps, both engines, checked with tshark as the independent
oracle, against what Click's documented behaviour gives:
  - ICMPRewriter (Click's test/icmp/ICMPRewriter-01/-02): every packet IPRewriter or
    ICMPPingRewriter translated gets a time-exceeded error (ICMPError); after ICMPRewriter the error
    goes to the packet's original source and quotes the original packet again - addresses, ports
    or identifier, and the quoted bytes themselves; tshark finds every checksum right.
  - Rewriter (Click's rewriter.cc of January 2000): each address pair gets 10.0.0.N, N counting
    from 1 in the order pairs first appear, and LOCALADDR as destination; mirrored back through
    input 1, each packet has its original addresses swapped; tshark finds the checksums right.
Usage: icmp_rewriter_check.py NBRUN NB-GEN-TRAFFIC
"""
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

nbrun, gen = sys.argv[1], sys.argv[2]
if not shutil.which("tshark"):
    print("tshark is not installed")
    sys.exit(77)
failures = 0


def fail(msg):
    global failures
    print("FAIL:", msg)
    failures += 1


def frames(path):
    data = pathlib.Path(path).read_bytes()
    out, at = [], 24
    while at + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, at + 8)[0]
        out.append(data[at + 16:at + 16 + caplen])
        at += 16 + caplen
    return out


def same_sums(b):
    """b with an IP header checksum (and a TCP checksum) of 0xffff written 0x0000: one's complement
    has two zeros, and an incremental update (RFC 1624, as Click's) may give either."""
    b = bytearray(b)
    ihl = (b[0] & 15) * 4
    for at in [10] + ([ihl + 16] if b[9] == 6 else []):
        if at + 2 <= len(b) and b[at:at + 2] == b"\xff\xff":
            b[at:at + 2] = b"\x00\x00"
    return bytes(b)


def tshark(path, fields):
    """One row per frame: the fields' values, each a list (an ICMP error has two IP headers)."""
    args = ["tshark", "-n", "-r", str(path), "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=;",
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]
    for f in fields:
        args += ["-e", f]
    p = subprocess.run(args, capture_output=True, text=True, check=True)
    return [[v.split(";") if v else [] for v in line.split("\t")] for line in p.stdout.splitlines()]


ICMP_CONF = """
FromDump(IN, STOP true) -> c :: Classifier(12/0800, -);
c [1] -> Discard;
c [0] -> Strip(14) -> CheckIPHeader -> cls :: IPClassifier(tcp or udp, icmp type echo, -);
cls [2] -> Discard;
orig :: Unstrip(14) -> ToDump(DIR/orig.pcap);
rw :: IPRewriter(pattern 21.0.0.1 1024-65535# - - 0 0, drop, CAPACITY 4096);
irw :: ICMPPingRewriter(pattern 2.0.0.2 1-65535# - - 0 0, drop, CAPACITY 4096);
cls [0] -> t0 :: Tee -> orig;
t0 [1] -> rw;
cls [1] -> t1 :: Tee -> orig;
t1 [1] -> irw;
err :: ICMPError(19.19.19.19, timeexceeded);
rw -> err;
irw -> err;
err -> ierw :: ICMPRewriter(rw irw) -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02)
    -> ToDump(DIR/errors.pcap);
ierw [1] -> Discard;
"""

OLD_CONF = """
FromDump(IN, STOP true) -> c :: Classifier(12/0800, -);
c [1] -> Discard;
c [0] -> Strip(14) -> CheckIPHeader -> ip :: IPClassifier(tcp or udp or icmp, -);
ip [1] -> Discard;
ip [0] -> t0 :: Tee -> Unstrip(14) -> ToDump(DIR/orig.pcap);
rw :: Rewriter(10.0.0.0, 18.26.4.47, 10);
t0 [1] -> [0] rw [0] -> t :: Tee -> Unstrip(14) -> ToDump(DIR/fake.pcap);
t [1] -> IPMirror -> [1] rw [1] -> Unstrip(14) -> ToDump(DIR/back.pcap);
"""


def run(conf, d, inp, engine):
    cfg = d / "cfg.nbc"
    cfg.write_text(conf.replace("DIR", str(d)).replace("IN", str(inp)))
    p = subprocess.run([nbrun, str(cfg), "--engine", engine, "--quiet"], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail(f"nbrun --engine {engine}: {p.stderr}")
        return False
    return True


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    inp = tmp / "in.pcap"
    subprocess.run([gen, "--profile", "quickstart", "--count", "300", "--seed", "5", "-o", str(inp)], check=True)
    for engine in ("interp", "jit"):
        d = tmp / f"icmp-{engine}"
        d.mkdir()
        if not run(ICMP_CONF, d, inp, engine):
            continue
        fields = ["ip.src", "ip.dst", "icmp.type", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
                  "icmp.ident", "ip.checksum.status", "icmp.checksum.status"]
        orig, errs = tshark(d / "orig.pcap", fields), tshark(d / "errors.pcap", fields)
        raw_orig, raw_errs = frames(d / "orig.pcap"), frames(d / "errors.pcap")
        if len(orig) < 50 or len(errs) != len(orig):
            fail(f"{engine}: {len(orig)} packets translated, {len(errs)} errors back (want the same, at least 50)")
            continue
        for i, (o, e) in enumerate(zip(orig, errs)):
            src, dst = o[0][0], o[1][0]
            want = {"outer src": ["19.19.19.19"], "outer dst": [src], "type": ["11"]}
            got = {"outer src": e[0][:1], "outer dst": e[1][:1], "type": e[2][:1]}
            if got != want or e[0][1:] != [src] or e[1][1:] != [dst]:
                fail(f"{engine} error {i}: {e[0]} > {e[1]} type {e[2]}, original {src} > {dst}")
            # The quoted ports (tshark decodes the 8 quoted bytes) or echo identifier are the original's.
            for k in (3, 4, 5, 6):
                if o[k] and e[k] != o[k]:
                    fail(f"{engine} error {i}: quoted port {e[k]}, original {o[k]}")
            if o[7] and e[7][-1:] != o[7][:1]:
                fail(f"{engine} error {i}: quoted identifier {e[7]}, original {o[7]}")
            if any(s != "1" for s in e[8]) or e[9][:1] != ["1"]:  # tshark's 1: good
                fail(f"{engine} error {i}: checksum status ip {e[8]} icmp {e[9]} (1 is good)")
            # Click's d~ line: the quote is the original packet's IP header and 8 bytes, unchanged.
            # (nb's ICMPError quotes as much of the packet as RFC 1812 allows: at least that.)
            quote = raw_errs[i][14 + 28:]
            ihl = (raw_orig[i][14] & 15) * 4
            if len(quote) < ihl + 8 or same_sums(quote) != same_sums(raw_orig[i][14:14 + len(quote)]):
                fail(f"{engine} error {i}: the quote {quote.hex()} differs from the original packet "
                     f"{raw_orig[i][14:14 + len(quote)].hex()}")
        print(f"ok   ICMPRewriter, --engine {engine}: {len(errs)} errors rewritten back")

    # Click's Rewriter: the mix (more pairs than its 63 slots) and a flow of one pair.
    seq = tmp / "seq.pcap"
    subprocess.run([gen, "--profile", "udp-seq", "--count", "200", "--seed", "3", "-o", str(seq)], check=True)
    for engine, traffic in (("interp", inp), ("jit", inp), ("interp", seq), ("jit", seq)):
        d = tmp / f"old-{engine}-{traffic.stem}"
        d.mkdir()
        if not run(OLD_CONF, d, traffic, engine):
            continue
        f2 = ["ip.src", "ip.dst", "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status"]
        orig, fake, back = tshark(d / "orig.pcap", f2), tshark(d / "fake.pcap", f2), tshark(d / "back.pcap", f2)
        # Click's table holds 63 pairs: the packets of later pairs are dropped ("table full"), and
        # no mapping is idle for GC_SECONDS in so short a run.
        pairs = {}
        mapped = []
        for o in orig:
            pair = (o[0][0], o[1][0])
            if pair not in pairs and len(pairs) < 63:
                pairs[pair] = len(pairs) + 1
            if pair in pairs:
                mapped.append(pair)
        if not (len(mapped) == len(fake) == len(back)) or not mapped:
            fail(f"old Rewriter {engine}: {len(mapped)} packets of {len(pairs)} mapped pairs, {len(fake)} fake, "
                 f"{len(back)} back")
            continue
        for i, (pair, f, b) in enumerate(zip(mapped, fake, back)):
            want = f"10.0.0.{pairs[pair]}"
            if f[0] != [want] or f[1] != ["18.26.4.47"]:
                fail(f"old Rewriter {engine} packet {i}: {pair} became {f[0]} > {f[1]}, want {want} > 18.26.4.47")
            if b[0] != [pair[1]] or b[1] != [pair[0]]:
                fail(f"old Rewriter {engine} packet {i}: back as {b[0]} > {b[1]}, want {pair[1]} > {pair[0]}")
            for row in (f, b):
                if any(s != "1" for s in row[2] + row[3] + row[4]):
                    fail(f"old Rewriter {engine} packet {i}: checksum status {row[2:]} (1 is good)")
        print(f"ok   Rewriter, --engine {engine}: {len(mapped)} packets, {len(pairs)} address pairs")

print(f"{failures} failures")
sys.exit(1 if failures else 0)

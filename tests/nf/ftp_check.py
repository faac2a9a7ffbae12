#!/usr/bin/env python3
"""FTPPortMapper with TCPRewriter and IPRewriter as Click's conf/mazu-nat.click wires them, over a
pcap of an active-mode FTP control session (and its data connection's first packets) built here,
both engines, checked with tshark -n (checksum validation on) as the independent oracle:
  - the PORT command leaves with the NAT's address and the data mapping's port;
  - the client's later segments have their seq shifted by the command's change in length, the
    server's acks (and SACK edges) are shifted back, so the client sees its own numbers again;
  - the data connection from the server to the announced address and port reaches the client;
  - every IP and TCP checksum is good;
  - the JIT's packets are the interpreter's, byte for byte.
Usage: ftp_check.py NBRUN
"""
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

nbrun = sys.argv[1]
if not shutil.which("tshark"):
    print("tshark is not installed")
    sys.exit(77)
failures = 0


def fail(msg):
    global failures
    print("FAIL:", msg)
    failures += 1


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip(a):
    return bytes(int(x) for x in a.split("."))


def frame(src, sport, dst, dport, seq, ack, flags, payload=b"", options=b""):
    thl = 20 + len(options)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (thl // 4) << 4, flags, 65535, 0, 0) + options + payload
    pseudo = ip(src) + ip(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, ip(src), ip(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + hdr + tcp


CLIENT, SERVER, EXTERN = "10.0.0.5", "198.51.100.7", "209.6.198.213"
SYN, ACK, PSH = 2, 16, 8
PORT = b"PORT 10,0,0,5,4,210\r\n"  # 10.0.0.5:1234; the NAT makes it 209.6.198.213:50000 (6 longer)
GROW = 6


def session():
    """The frames as they arrive at the NAT: the client's from inside, the server's from outside
    (addressed to the NAT's control mapping 209.6.198.213:50000 and numbered as a server that got
    the rewritten PORT command would number them)."""
    c, s = 1000, 5000
    f = []
    f.append(frame(CLIENT, 40000, SERVER, 21, c, 0, SYN))
    f.append(frame(SERVER, 21, EXTERN, 50000, s, c + 1, SYN | ACK))
    c, s = c + 1, s + 1
    f.append(frame(CLIENT, 40000, SERVER, 21, c, s, ACK))
    f.append(frame(SERVER, 21, EXTERN, 50000, s, c, PSH | ACK, b"220 hi\r\n"))
    s += 8
    f.append(frame(CLIENT, 40000, SERVER, 21, c, s, PSH | ACK, PORT))
    port_seq = c
    c += len(PORT)
    # The server acks what it got: the command 6 bytes longer.
    f.append(frame(SERVER, 21, EXTERN, 50000, s, c + GROW, PSH | ACK, b"200 PORT ok\r\n"))
    s += 13
    f.append(frame(CLIENT, 40000, SERVER, 21, c, s, PSH | ACK, b"RETR f\r\n"))
    retr = c
    c += 8
    # The data connection: the server connects from port 20 to the announced 209.6.198.213:50000.
    f.append(frame(SERVER, 20, EXTERN, 50000, 9000, 0, SYN))
    f.append(frame(CLIENT, 1234, SERVER, 20, 7000, 9001, SYN | ACK))
    # An ack with a SACK block (NOP NOP SACK, one block) in the rewritten numbers.
    sack = b"\x01\x01\x05\x0a" + struct.pack("!II", c + GROW, c + GROW + 4)
    f.append(frame(SERVER, 21, EXTERN, 50000, s, c + GROW, ACK, b"", sack))
    f.append(frame(CLIENT, 40000, SERVER, 21, c, s, PSH | ACK, b"QUIT\r\n"))
    return f, dict(port_seq=port_seq, retr=retr, quit=c, acked=c)


def write_pcap(path, frames):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for i, fr in enumerate(frames):
        out += struct.pack("<IIII", 1000 + i, 0, len(fr), len(fr)) + fr
    pathlib.Path(path).write_bytes(out)


def records(path):
    """A pcap's records, header (timestamps) included: callers compare record[16:]."""
    data, out, at = pathlib.Path(path).read_bytes(), [], 24
    while at + 16 <= len(data):
        n = struct.unpack_from("<I", data, at + 8)[0]
        out.append(data[at:at + 16 + n])
        at += 16 + n
    return out


CONF = """
IPRewriterPatterns(to_world EXTERN 50000-65535# - -);
rw :: IPRewriter(pattern to_world 0 1, pass 0);
tcp_rw :: TCPRewriter(pattern to_world 0 1, drop);
FromDump(IN, STOP true) -> Strip(14) -> CheckIPHeader
  -> from :: IPClassifier(src host CLIENT and dst tcp port ftp, src host CLIENT, dst tcp port ftp or src tcp port ftp, -);
from [0] -> FTPPortMapper(tcp_rw, rw, 0) -> [0] tcp_rw;
from [1] -> [0] rw;
from [2] -> [1] tcp_rw;
from [3] -> [1] rw;
out :: Unstrip(14) -> ToDump(DIR/to_server.pcap);
in :: Unstrip(14) -> ToDump(DIR/to_client.pcap);
tcp_rw [0] -> out;
rw [0] -> out;
tcp_rw [1] -> in;
rw [1] -> in;
"""


def tshark(path, fields):
    args = ["tshark", "-n", "-r", str(path), "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=;",
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "tcp.relative_sequence_numbers:FALSE"]
    for f in fields:
        args += ["-e", f]
    p = subprocess.run(args, capture_output=True, text=True, check=True)
    return [line.split("\t") for line in p.stdout.splitlines()]


FIELDS = ["ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.seq", "tcp.ack", "ip.checksum.status",
          "tcp.checksum.status", "ftp.request.command", "ftp.request.arg", "tcp.options.sack_le", "tcp.options.sack_re",
          "tcp.len"]

with tempfile.TemporaryDirectory() as t:
    tmp = pathlib.Path(t)
    frames, n = session()
    inp = tmp / "in.pcap"
    write_pcap(inp, frames)
    for engine in ("interp", "jit"):
        d = tmp / engine
        d.mkdir()
        cfg = d / "ftp.nbc"
        cfg.write_text(CONF.replace("IN", str(inp)).replace("DIR", str(d)).replace("EXTERN", EXTERN)
                       .replace("CLIENT", CLIENT))
        p = subprocess.run([nbrun, str(cfg), "--engine", engine, "--quiet"], capture_output=True, text=True,
                           timeout=120)
        if p.returncode != 0:
            fail(f"nbrun --engine {engine}: {p.stderr}")
            continue
        out = tshark(d / "to_server.pcap", FIELDS)
        back = tshark(d / "to_client.pcap", FIELDS)
        if len(out) != 6 or len(back) != 5:
            fail(f"{engine}: {len(out)} packets to the server, {len(back)} to the client (want 6 and 5)")
            continue
        bad_sums = [r for r in out + back if r[6] != "1" or r[7] != "1"]
        if bad_sums:
            fail(f"{engine}: checksum status not good (ip, tcp): {[(r[6], r[7]) for r in bad_sums]}")
        ctl = [r for r in out if r[3] == "21"]
        if any(r[0] != EXTERN or r[2] != "50000" for r in ctl):
            fail(f"{engine}: control packets not from {EXTERN}:50000: {[(r[0], r[2]) for r in ctl]}")
        port = [r for r in out if r[8] == "PORT"]
        if len(port) != 1 or port[0][9] != "209,6,198,213,195,80":
            fail(f"{engine}: PORT command to the server: {[(r[8], r[9]) for r in port]} (want 209,6,198,213,195,80)")
        elif int(port[0][4]) != n["port_seq"] or int(port[0][12]) != len(PORT) + GROW:
            fail(f"{engine}: PORT segment seq {port[0][4]} length {port[0][12]}")
        seqs = {int(r[4]): r for r in ctl}
        if n["retr"] + GROW not in seqs or n["quit"] + GROW not in seqs:
            fail(f"{engine}: client seqs after PORT not shifted by {GROW}: {sorted(seqs)}")
        # The server's acks, back at the client: in the client's own numbers again.
        c_ctl = [r for r in back if r[2] == "21"]
        acks = [int(r[5]) for r in c_ctl]
        want_acks = [1001, 1001, n["port_seq"] + len(PORT), n["acked"]]
        if acks != want_acks:
            fail(f"{engine}: server acks at the client {acks}, want {want_acks}")
        if any(r[1] != CLIENT or r[3] != "40000" for r in c_ctl):
            fail(f"{engine}: server's control packets not to {CLIENT}:40000")
        sacked = [r for r in c_ctl if r[10]]
        if len(sacked) != 1 or (int(sacked[0][10]), int(sacked[0][11])) != (n["acked"], n["acked"] + 4):
            fail(f"{engine}: SACK edges at the client {[(r[10], r[11]) for r in sacked]}, want "
                 f"{(n['acked'], n['acked'] + 4)}")
        # The data connection: the server's SYN to 209.6.198.213:50000 reaches 10.0.0.5:1234, the
        # client's answer leaves from 209.6.198.213:50000.
        d_in = [r for r in back if r[2] == "20"]
        d_out = [r for r in out if r[3] == "20"]
        if len(d_in) != 1 or (d_in[0][1], d_in[0][3]) != (CLIENT, "1234"):
            fail(f"{engine}: data SYN at the client {[(r[1], r[3]) for r in d_in]}")
        if len(d_out) != 1 or (d_out[0][0], d_out[0][2]) != (EXTERN, "50000"):
            fail(f"{engine}: data SYN-ACK to the server {[(r[0], r[2]) for r in d_out]}")
        if engine == "jit" and (d / "to_server.pcap").read_bytes()[24:] and (
                [f[16:] for f in records(d / "to_server.pcap")] != [f[16:] for f in records(tmp / "interp" / "to_server.pcap")]
                or [f[16:] for f in records(d / "to_client.pcap")] != [f[16:] for f in records(tmp / "interp" / "to_client.pcap")]):
            fail("the JIT's packets differ from the interpreter's")
        if not failures:
            print(f"ok   --engine {engine}: PORT rewritten to 209,6,198,213,195,80, seq +{GROW} after it, acks and "
                  f"SACK back, data connection through, checksums good")

print("FAIL" if failures else "PASS")
sys.exit(1 if failures else 0)

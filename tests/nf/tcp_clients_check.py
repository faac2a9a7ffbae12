#!/usr/bin/env python3
"""Click's toy TCP clients against the Linux kernel as the real TCP peer (issue 18).

A veth pair in a network namespace of its own: nbrun drives one end through net_af_packet,
the other end holds the server's address, and a real server listens there. The configurations
are Click's conf/webgen.click and conf/test-toytcp.click with the devices named (and, for
ToyTCP, which floods its peer by design, a RatedUnqueue before the device).

WebGen: python3 -m http.server answers the requests; its access log (GET /spec/D/D-C-F from
7.1.x.x, status 200) and tshark -n over a capture taken on the server's side (handshakes,
HTTP requests and 200 responses, good TCP checksums, FIN both ways) are the oracles.
ToyTCP: a listener accepts the connection; tshark -n sees the SYN, the kernel's SYN-ACK,
ToyTCP's ACK of it with the right acknowledgement number and a good checksum, and the kernel's
duplicate ACKs for its out-of-order bytes.
Skips (77) without network namespaces, net_af_packet or tshark. Usage: tcp_clients_check.py NBRUN
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

nbrun = sys.argv[1]
engines = sys.argv[2:] or ["interp", "jit"]
if not shutil.which("tshark") or not shutil.which("tcpdump"):
    print("SKIP: no tshark or tcpdump")
    sys.exit(77)
ns = f"nbtcp{os.getpid() % 100000}"
if subprocess.run(["ip", "netns", "add", ns], capture_output=True).returncode != 0:
    print("SKIP: cannot make a network namespace (needs CAP_NET_ADMIN)")
    sys.exit(77)

failures = 0


def check(ok, what):
    global failures
    print(("ok:   " if ok else "FAIL: ") + what)
    failures += 0 if ok else 1


def in_ns(*cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True, **kw)


def popen_ns(*cmd, **kw):
    return subprocess.Popen(["ip", "netns", "exec", ns, *cmd], **kw)


def setup_server(addr, mac):
    """vnb0 (nb's, no address) and vsrv0 (the server's: addr/24, mac)."""
    in_ns("ip", "link", "del", "vnb0")
    r = in_ns("ip", "link", "add", "vnb0", "type", "veth", "peer", "name", "vsrv0")
    if r.returncode != 0:
        return r.stderr.strip()
    in_ns("ip", "link", "set", "vsrv0", "address", mac)
    in_ns("ip", "addr", "add", f"{addr}/24", "dev", "vsrv0")
    for i in ("vnb0", "vsrv0", "lo"):
        in_ns("ip", "link", "set", i, "up")
    return ""


def tshark(path, filt, fields):
    # checksum.status: 1 good, 0 bad, 2 not checked.
    cmd = ["tshark", "-n", "-r", str(path), "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
           "-o", "tcp.relative_sequence_numbers:FALSE", "-Y", filt, "-T", "fields", "-E", "separator=|"]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return [l.split("|") for l in r.stdout.splitlines() if l]


def capture(path):
    p = popen_ns("tcpdump", "-n", "-U", "-i", "vsrv0", "-w", str(path), "tcp", stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return p


def stop(p):
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def run_nb(cfg, engine, duration):
    r = in_ns(nbrun, str(cfg), "--engine", engine, "--duration", str(duration), "--quiet", "--no-control",
              "--stats", "json", timeout=120)
    if r.returncode != 0:
        check(False, f"nbrun ({engine}) exits {r.returncode}: {r.stderr.strip()[:600]}")
        return None
    try:
        return json.loads(r.stdout), r.stderr
    except json.JSONDecodeError:
        check(False, f"nbrun ({engine}) prints its statistics as JSON: {r.stdout[:200]}")
        return None


DEV = "\"net_af_packet0,iface=vnb0\""
WEBGEN = f"""
// Click's conf/webgen.click, its device named for this test's veth (Click's names it by
// Ethernet address), fewer connections: 20 a second, 20 in all.
fd :: FromDevice({DEV});
td :: ToDevice({DEV});
out :: Queue(1024) -> td;

fd -> cl :: Classifier(12/0800, 12/0806);

cl[0]
   -> Strip(14)
   -> wg :: WebGen(7.1.0.0/16, 1.0.0.1, 20, LIMIT 20)
   -> EtherEncap(0x0800, 00:00:5A:98:F9:28, 00:03:47:0D:39:57)
   -> out;

cl[1]
   -> ARPResponder(1.0.0.2 00:00:5A:98:F9:28)
   -> out;
"""

TOYTCP = f"""
// Click's conf/test-toytcp.click, its device named for this test's veth. ToyTCP answers every
// segment and every sixth twice, so it floods a real peer: a RatedUnqueue keeps it polite.
FromDevice({DEV})
  -> cl :: Classifier(12/0800 23/06, 12/0806 20/0001)
  -> Strip(34)
  -> toy :: ToyTCP(5432)
  -> IPEncap(6, 18.26.4.106, 18.26.4.123)
  -> SetTCPChecksum
  -> EtherEncap(0x0800, 0:e0:29:5:e5:6f, 00:90:27:e0:23:1f)
  -> q :: Queue(64) -> RatedUnqueue(200) -> td :: ToDevice({DEV});

cl[1]
  -> ARPResponder(18.26.4.106 0:e0:29:5:e5:6f)
  -> q;
"""

LISTENER = r"""
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("18.26.4.123", 5432))
s.listen(8)
s.settimeout(20)
c, a = s.accept()
print("accepted", a[0], a[1], flush=True)
c.settimeout(5)
try:
    c.recv(100)
except OSError:
    pass
"""


def webgen(tmp, engine):
    err = setup_server("1.0.0.1", "00:03:47:0d:39:57")
    if err:
        check(False, f"a veth pair in the namespace: {err}")
        return
    # Back to 7.1.0.0/16 through nb, which answers ARP for 1.0.0.2.
    in_ns("ip", "route", "add", "7.1.0.0/16", "via", "1.0.0.2", "dev", "vsrv0")
    root = tmp / "www"
    for d in range(10):
        (root / "spec" / str(d)).mkdir(parents=True, exist_ok=True)
        for c in range(3):
            for f in range(9):
                (root / "spec" / str(d) / f"{d}-{c}-{f}").write_text(f"page {d}-{c}-{f}\n" * 20)
    log = open(tmp / "http.log", "w")
    server = popen_ns(sys.executable, "-m", "http.server", "80", "--bind", "1.0.0.1", "--directory", str(root),
                      stdout=log, stderr=log)
    cap = tmp / f"webgen_{engine}.pcap"
    dump = capture(cap)
    cfg = tmp / "webgen.click"
    cfg.write_text(WEBGEN)
    res = run_nb(cfg, engine, 5)
    time.sleep(0.5)
    stop(dump)
    stop(server)
    log.close()
    if not res:
        return
    stats, _ = res
    wg = stats["elements"]["wg"]
    check(wg["initiated"] == 20, f"WebGen ({engine}) started LIMIT 20 connections ({wg['initiated']})")
    check(wg["completed"] >= 18, f"WebGen ({engine}) completed its connections: both FINs ({wg['completed']})")
    lines = [l for l in (tmp / "http.log").read_text().splitlines() if "GET /spec/" in l]
    good = [l for l in lines if l.startswith("7.1.") and '" 200 ' in l]
    check(len(good) >= 18, f"the kernel's web server answered WebGen's requests from 7.1.x.x with 200 "
          f"({len(good)} of {len(lines)}: {lines[:1]})")
    syns = tshark(cap, "tcp.flags == 0x002 && ip.src == 7.1.0.0/16 && tcp.dstport == 80", ["ip.src", "tcp.srcport"])
    synacks = tshark(cap, "tcp.flags == 0x012 && ip.src == 1.0.0.1", ["ip.dst"])
    check(len({tuple(s) for s in syns}) == 20, f"tshark sees 20 connections' SYNs from 7.1.0.0/16 ({len(syns)} SYNs)")
    check(len(synacks) >= 20, f"tshark sees the kernel's SYN-ACKs ({len(synacks)})")
    reqs = tshark(cap, "http.request.method == \"GET\" && ip.src == 7.1.0.0/16", ["http.request.uri", "tcp.flags"])
    check(len(reqs) >= 18 and all(r[0].startswith("/spec/") for r in reqs),
          f"tshark sees the HTTP requests, with FIN ({len(reqs)}: {reqs[:1]})")
    resp = tshark(cap, "http.response.code == 200 && ip.src == 1.0.0.1", ["ip.dst"])
    check(len(resp) >= 18, f"tshark sees the server's 200 responses ({len(resp)})")
    bad = tshark(cap, "ip.src == 7.1.0.0/16 && (tcp.checksum.status != 1 || ip.checksum.status != 1)", ["frame.number"])
    check(not bad, f"every segment of WebGen has good IP and TCP checksums ({len(bad)} bad)")
    resets = tshark(cap, "tcp.flags.reset == 1", ["ip.src"])
    check(len(resets) <= 2, f"almost no RSTs either way ({len(resets)})")


def toytcp(tmp, engine):
    err = setup_server("18.26.4.123", "00:90:27:e0:23:1f")
    if err:
        check(False, f"a veth pair in the namespace: {err}")
        return
    listener = popen_ns(sys.executable, "-c", LISTENER, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cap = tmp / f"toytcp_{engine}.pcap"
    dump = capture(cap)
    cfg = tmp / "toytcp.click"
    cfg.write_text(TOYTCP)
    res = run_nb(cfg, engine, 4)
    time.sleep(0.5)
    stop(dump)
    try:
        accepted = listener.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        listener.kill()
        accepted = listener.communicate()[0]
    if not res:
        return
    stats, _ = res
    toy = stats["elements"]["toy"]
    check("accepted 18.26.4.106" in accepted, f"the kernel's listener accepted ToyTCP's connection ({accepted.strip()})")
    syn = tshark(cap, "tcp.flags == 0x002 && ip.src == 18.26.4.106 && tcp.dstport == 5432",
                 ["tcp.srcport", "tcp.seq", "tcp.checksum.status"])
    check(len(syn) >= 1 and syn[0][2] == "1", f"tshark sees ToyTCP's SYN with a good checksum ({syn[:1]})")
    if not syn:
        return
    sport, iss = syn[0][0], int(syn[0][1])
    synack = tshark(cap, f"tcp.flags == 0x012 && tcp.dstport == {sport}", ["tcp.seq", "tcp.ack"])
    check(len(synack) >= 1 and int(synack[0][1]) == iss + 1, f"the kernel answers with a SYN-ACK of it ({synack[:1]})")
    if not synack:
        return
    irs = int(synack[0][0])
    acks = tshark(cap, f"tcp.flags == 0x010 && ip.src == 18.26.4.106 && tcp.srcport == {sport}",
                  ["tcp.ack", "tcp.len", "tcp.checksum.status"])
    check(len(acks) >= 2 and all(int(a[0]) == irs + 1 and a[1] == "1" and a[2] == "1" for a in acks),
          f"ToyTCP's segments acknowledge the kernel's SYN, carry 1 byte, have good checksums ({len(acks)}: {acks[:1]})")
    dup = tshark(cap, f"tcp.flags == 0x010 && ip.src == 18.26.4.123 && tcp.dstport == {sport}", ["tcp.ack"])
    check(len(dup) >= 2 and all(int(d[0]) == iss + 1 for d in dup),
          f"the kernel acknowledges up to the hole before ToyTCP's bytes ({len(dup)} ACKs of {iss + 1})")
    check(toy["good"] >= len(dup) // 2 and toy["bad"] == 0 and toy["sent"] >= len(acks),
          f"ToyTCP ({engine}) counted the peer's segments ({toy['good']} good, {toy['bad']} bad, {toy['sent']} sent)")


def fresh_namespace(name):
    """A namespace of its own for each engine's run: ToyTCP's SEED makes the same connection each
    time, and the kernel still holds the last run's (its listener closed it with nb gone)."""
    global ns
    ns = name
    if subprocess.run(["ip", "netns", "add", ns], capture_output=True).returncode != 0:
        return "cannot make a network namespace (needs CAP_NET_ADMIN)"
    in_ns("ip", "link", "set", "lo", "up")
    in_ns("sysctl", "-w", "net.ipv6.conf.all.disable_ipv6=1")
    in_ns("sysctl", "-w", "net.ipv6.conf.default.disable_ipv6=1")
    probe = in_ns("ip", "link", "add", "vprobe0", "type", "veth", "peer", "name", "vprobe1")
    if probe.returncode != 0:
        return f"cannot make a veth pair: {probe.stderr.strip()}"
    in_ns("ip", "link", "del", "vprobe0")
    return ""


subprocess.run(["ip", "netns", "del", ns], capture_output=True)
with tempfile.TemporaryDirectory() as t:
    tmp = pathlib.Path(t)
    os.chmod(tmp, 0o755)
    for k, engine in enumerate(engines):
        try:
            why = fresh_namespace(f"nbtcp{os.getpid() % 100000}_{k}")
            if why:
                print(f"SKIP: {why}")
                sys.exit(77)
            webgen(tmp, engine)
            toytcp(tmp, engine)
        finally:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

print("FAIL" if failures else "PASS")
sys.exit(1 if failures else 0)

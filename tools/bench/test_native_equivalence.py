#!/usr/bin/env python3
"""nb-bench-native must do the work nb's elements do, or the jit/native ratio means nothing.

For each benchmark workload (ids: the same signatures, alerts counted), over nb-gen-traffic's quickstart and random traces (malformed
headers, bad checksums, TTLs 0 and 1, padding, short frames, ARP, IPv6), this runs nbrun's
interpreter and nb-bench-native --once and compares what they send, packet for packet, and what
they drop. For classify, whose outputs all go to one port in the benchmark, it compares how many
packets each rule took. No timing.

usage: test_native_equivalence.py NBRUN NB_GEN_TRAFFIC NB_BENCH_NATIVE
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

TTL = ["Strip(14)", "CheckIPHeader", "DecIPTTL", "Unstrip(14)"]
RULES = ("12/0806 20/0001, 12/0806 20/0002, 12/0800 23/06 36/0050, 12/0800 23/06 34/0050, "
         "12/0800 23/11 36/0035, 12/0800 23/11, 12/0800 23/01, 12/0800 14/4?%f0, 12/86dd, -")


def firewall_rules():
    """nbbench's firewall rules (tools/bench/main.cpp), which nb-bench-native scans linearly."""
    rules = []
    for i in range(100):
        rules.append([f"deny src net 172.16.{i}.0/24 and tcp dst port {1000 + i}",
                      f"deny dst host 192.168.{i}.1 and udp",
                      f"deny tcp src net 10.{i}.0.0/16 and dst port 22",
                      f"deny udp dst port {2000 + i}"][i % 4])
    return ", ".join(rules + ["allow all"])


NAT = ["Strip(14)", "CheckIPHeader(CHECKSUM false)", "IPRewriter(pattern 192.0.2.1 1024-65535# - - 0 0, drop)",
       "Unstrip(14)"]
# nbbench's maglev and monitor graphs (tools/bench/main.cpp).
MAGLEV = ["CheckIPHeader(14, CHECKSUM false)",
          "MaglevLB(10.2.0.1, 10.2.0.2, 10.2.0.3, 10.2.0.4, 10.2.0.5, 10.2.0.6, 10.2.0.7, 10.2.0.8, CACHE_SIZE 128)"]
MONITOR = ["CheckIPHeader(14, CHECKSUM false)", "FlowMonitor"]
FIREWALL = ["Strip(14)", "CheckIPHeader(CHECKSUM false)", f"IPFilter({firewall_rules()})", "Unstrip(14)"]
FIREWALL_BASE = ["Strip(14)", "CheckIPHeader(CHECKSUM false)", "IPFilter(allow all)", "Unstrip(14)"]


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    packets, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        packets.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return packets


def dpdk_runtime_dir():
    if os.getuid() == 0:
        return "/var/run/dpdk"
    return os.path.join(os.environ.get("XDG_RUNTIME_DIR") or "/tmp", "dpdk")


def run(cmd, eal_prefix):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=120)
    # EAL leaves its runtime directory behind (nbrun's is nb-PID).
    shutil.rmtree(os.path.join(dpdk_runtime_dir(), f"{eal_prefix}{p.pid}"), ignore_errors=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited with {p.returncode}\n{err}")
    return json.loads(out)


def ids_rules():
    """nbbench's ids rules (tools/bench/main.cpp ids_rules()), which nb-bench-native compiles too."""
    lines = [f'{i + 1} lit-{i:02d} literal "nb-bench-sig-{i:02d}"' for i in range(20)]
    lines += [f"{100 + k} re-{k} regex /evil[0-9]{{{k}}}x/i" for k in range(2, 7)]
    return "\n".join(lines) + "\n"


def main():
    nbrun, gen, native = sys.argv[1:4]
    failures = []
    with tempfile.TemporaryDirectory(prefix="nbbench-eq-") as d:
        for profile in ("quickstart", "random"):
            trace = os.path.join(d, f"{profile}.pcap")
            subprocess.run([gen, "--profile", profile, "-o", trace], check=True, stdout=subprocess.DEVNULL)
            for w in ("fwd", "ttl", "chain5", "classify", "firewall", "firewall-base", "lpm", "nat", "maglev", "monitor", "ids"):
                nb_out = os.path.join(d, f"{profile}-{w}-nb.pcap")
                native_out = os.path.join(d, f"{profile}-{w}-native.pcap")
                cfg = os.path.join(d, f"{profile}-{w}.nbc")
                src = f'FromDump("{trace}")'
                extra = []
                if w == "lpm":
                    # Some routes (one longer than /24, one with a gateway), no default: the
                    # unrouted and the too-short packets are dropped by both.
                    routes = os.path.join(d, "routes.txt")
                    with open(routes, "w") as f:
                        f.write("# test\n10.0.0.0/8 0\n10.1.0.0/16 10.0.0.254 1\n10.1.0.128/25 2\n"
                                "192.168.0.0/16 3\n10.0.0.5/32 1\n")
                    extra = ["--routes", routes]
                    text = (f'{src} -> Strip(14) -> rt :: LookupIPRoute(ROUTES "{routes}");\n'
                            f'out :: Unstrip(14) -> ToDump("{nb_out}");\n'
                            + "".join(f"rt [{i}] -> out;\n" for i in range(4)))
                elif w == "classify":
                    outs = [os.path.join(d, f"{profile}-{w}-nb{i}.pcap") for i in range(10)]
                    text = f"{src} -> c :: Classifier({RULES});\n" + "".join(
                        f'c [{i}] -> ToDump("{o}");\n' for i, o in enumerate(outs))
                elif w == "ids":
                    # Both outputs (clean, alerts) to one Unstrip, as nbbench wires it.
                    rules = os.path.join(d, "ids.rules")
                    with open(rules, "w") as f:
                        f.write(ids_rules())
                    text = (f'{src} -> Strip(14) -> ids :: SignatureMatcher("{rules}");\nu :: Unstrip(14);\n'
                            f'ids [0] -> u;\nids [1] -> u;\nu -> ToDump("{nb_out}");\n')
                else:
                    chain = {"fwd": [], "ttl": TTL, "chain5": TTL * 5, "firewall": FIREWALL, "firewall-base": FIREWALL_BASE, "nat": NAT,
                             "maglev": MAGLEV, "monitor": MONITOR}[w]
                    text = " -> ".join([src] + chain + [f'ToDump("{nb_out}")']) + ";\n"
                with open(cfg, "w") as f:
                    f.write(text)
                nb = run([nbrun, cfg, "--engine", "interp", "--stats", "json", "--quiet"], "nb-")
                nat = run([native, w, "--pcap", trace, "--once", "--out", native_out] + extra, "nb-native-")
                where = f"{profile} {w}"
                if nat["packets"] != nb["totals"]["rx"]:
                    failures.append(f"{where}: native received {nat['packets']}, nbrun {nb['totals']['rx']}")
                if w == "classify":
                    counts = [len(read_pcap(o)) for o in outs]
                    if counts != nat["hits"]:
                        failures.append(f"{where}: packets per rule: nb {counts}, native {nat['hits']}")
                    if read_pcap(native_out) != read_pcap(trace):
                        failures.append(f"{where}: native did not forward every packet unchanged")
                    else:
                        print(f"{where}: packets per rule {counts} in both")
                    continue
                if w == "ids" and nat["expired"] != nb["elements"]["ids"]["alerts"]:
                    failures.append(f"{where}: alerts: nb {nb['elements']['ids']['alerts']}, native {nat['expired']}")
                if nat["dropped"] != nb["totals"]["dropped"]:
                    failures.append(f"{where}: dropped: nb {nb['totals']['dropped']}, native {nat['dropped']}")
                a, b = read_pcap(nb_out), read_pcap(native_out)
                if a != b:
                    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                    failures.append(f"{where}: outputs differ ({len(a)} packets from nb, {len(b)} from native; "
                                    f"first difference at packet {first})")
                else:
                    print(f"{where}: {len(a)} packets identical, {nat['dropped']} dropped by both")
    if failures:
        sys.exit("nb-bench-native differs from nb:\n  " + "\n  ".join(failures))


if __name__ == "__main__":
    main()

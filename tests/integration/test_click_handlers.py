#!/usr/bin/env python3
"""Handlers every element has, as in Click (issue 18, item 5; docs/control.md): `name`, `class`,
`config`, `ports` and `handlers` read on a running graph, and `config` written: the element is
reconfigured through the hot-reload path with every State kept, and a configuration the element
refuses leaves the running graph as it was.
Usage: test_click_handlers.py NBRUN NB-GEN-TRAFFIC NBCTL
"""
import pathlib
import subprocess
import sys
import tempfile
import time

nbrun, gen, nbctl = sys.argv[1:4]
failures = 0


def check(cond, what):
    global failures
    print(("ok:   " if cond else "FAIL: ") + what)
    failures += 0 if cond else 1


with tempfile.TemporaryDirectory() as tmp:
    d = pathlib.Path(tmp)
    inp = d / "in.pcap"
    subprocess.run([gen, "--profile", "udp-seq", "--count", "200", "-o", str(inp)], check=True, capture_output=True)
    cfg = d / "h.nbc"
    cfg.write_text(f"""src :: FromDump({inp}, LOOP true);
src -> all :: Counter -> p :: Paint(1) -> cp :: CheckPaint(1);
cp[0] -> one :: Counter -> Discard;
cp[1] -> other :: Counter -> Discard;
""")
    sock = d / "nb.sock"
    for engine in ("interp", "jit"):
        if sock.exists():
            sock.unlink()
        proc = subprocess.Popen([nbrun, str(cfg), "--quiet", "--engine", engine, "--control", str(sock),
                                 "--duration", "60"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def ctl(*args):
            return subprocess.run([nbctl, "--socket", str(sock), *args], capture_output=True, text=True, timeout=60)

        def read(h):
            return ctl("read", h).stdout

        try:
            for _ in range(300):
                if sock.exists() and ctl("ping").returncode == 0:
                    break
                time.sleep(0.1)
            check(read("p.name") == "p\n", f"{engine}: p.name")
            check(read("p.class") == "Paint\n", f"{engine}: p.class")
            check(read("p.config") == "1\n", f"{engine}: p.config reads the configuration ({read('p.config')!r})")
            ports = read("cp.ports")
            check(ports == "1 input\npush\tp [0]\n2 outputs\npush\t[0] one\npush\t[0] other\n",
                  f"{engine}: cp.ports lists each port's processing and connection ({ports!r})")
            hs = read("p.handlers").splitlines()
            check("config\trw" in hs and "name\tr" in hs and "class\tr" in hs,
                  f"{engine}: p.handlers lists the handlers with r/w ({hs})")
            before = int(read("all.count"))
            check(read("other.count") == "0\n", f"{engine}: every packet has colour 1 at first")
            w = ctl("write", "p.config", "2")
            check(w.returncode == 0, f"{engine}: writing p.config reconfigures it ({w.stderr.strip()})")
            check(read("p.config") == "2\n", f"{engine}: p.config reads the new configuration")
            time.sleep(0.3)
            check(int(read("other.count")) > 0, f"{engine}: packets now carry colour 2")
            check(int(read("all.count")) >= before, f"{engine}: the Counters' State was kept through the change")
            bad = ctl("write", "p.config", "999")
            check(bad.returncode != 0 and "999" in bad.stderr,
                  f"{engine}: a configuration Paint refuses is an error naming it ({bad.stderr.strip()[:200]})")
            check(read("p.config") == "2\n", f"{engine}: after a refused write the running graph is as it was")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                check(False, f"{engine}: nbrun stops on SIGTERM")

print("== FAILED" if failures else "== all checks passed")
sys.exit(1 if failures else 0)

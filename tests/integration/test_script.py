#!/usr/bin/env python3
"""Click's Script on a running nbrun (issue 18): a Script writes handlers of other elements
through the control thread, as nbctl does, and the effect is read back with `nbctl read`.
The Script is driven by its `step` handler (no assertion depends on how long anything takes);
one timer-driven Script is waited for by polling. AddressInfo, ScheduleInfo and ClickyInfo,
elements without packet code, run in the same graph. Both engines.
Usage: test_script.py NBRUN NBCTL
"""
import pathlib
import subprocess
import sys
import tempfile
import time

nbrun, nbctl = sys.argv[1:3]
failures = 0


def check(cond, what):
    global failures
    print(("ok:   " if cond else "FAIL: ") + what)
    failures += 0 if cond else 1


CONFIG = """AddressInfo(gw 10.0.0.1);
s :: RatedSource(RATE 1000) -> c :: Counter -> Discard;
t :: RatedSource(RATE 10) -> Discard;
sc :: Script(pause, write s.rate 0, pause, write c.reset, pause, write s.rate $(add 2 5), set n $(s.rate),
             pause, print "rate is $n", stop);
Script(wait 0.05s, write t.rate 5);
total :: Script(TYPE PASSIVE, return $(add $(c.count) 0));
ScheduleInfo(s 2);
ClickyInfo(STYLE #c { decorations: activity });
"""

with tempfile.TemporaryDirectory() as tmp:
    d = pathlib.Path(tmp)
    cfg = d / "script.nbc"
    cfg.write_text(CONFIG)
    sock = d / "nb.sock"
    for engine in ("interp", "jit"):
        if sock.exists():
            sock.unlink()
        proc = subprocess.Popen([nbrun, str(cfg), "--quiet", "--engine", engine, "--control", str(sock),
                                 "--duration", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def ctl(*args):
            return subprocess.run([nbctl, "--socket", str(sock), *args], capture_output=True, text=True, timeout=60)

        def read(h):
            return ctl("read", h).stdout.strip()

        def eventually(h, want):
            for _ in range(200):
                v = read(h)
                if (want(v) if callable(want) else v == want):
                    return True
                time.sleep(0.05)
            return False

        def positive(v):
            return v.isdigit() and int(v) > 0

        try:
            for _ in range(300):
                if sock.exists() and ctl("ping").returncode == 0:
                    break
                time.sleep(0.1)
            check(read("s.rate") == "1000", f"{engine}: s.rate reads RATE before the Script's first write")
            check(eventually("t.rate", "5"), f"{engine}: a Script's wait ended and it wrote t.rate")
            check(eventually("c.count", positive), f"{engine}: s makes packets")
            w = ctl("write", "sc.step", "")
            check(w.returncode == 0, f"{engine}: sc.step is written ({w.stderr.strip()})")
            check(read("s.rate") == "0", f"{engine}: the Script wrote s.rate 0")
            a = int(read("c.count"))
            time.sleep(0.2)
            check(int(read("c.count")) == a, f"{engine}: at rate 0 s makes no packets ({a})")
            check(read("total.run") == str(a), f"{engine}: a PASSIVE Script's run returns what it read")
            ctl("write", "sc.step", "")
            check(read("c.count") == "0", f"{engine}: the Script reset the Counter")
            ctl("write", "sc.step", "")
            check(read("s.rate") == "7", f"{engine}: the Script wrote the value of $(add 2 5)")
            check(eventually("c.count", positive), f"{engine}: s makes packets again")
            hs = read("sc.handlers").splitlines()
            check("step\tw" in hs and "run\trw" in hs, f"{engine}: sc's handlers are listed ({hs})")
            bad = ctl("read", "sc.nothing")
            check(bad.returncode != 0 and "no handler 'nothing'" in bad.stderr,
                  f"{engine}: an unknown handler of a Script is an error ({bad.stderr.strip()})")
            ctl("write", "sc.step", "")
            out, err = proc.communicate(timeout=60)
            check(proc.returncode == 0, f"{engine}: the Script's stop ended the run (exit {proc.returncode})")
            check("rate is 7" in out, f"{engine}: print wrote to standard output ({out.strip()!r})")
            check("error" not in err, f"{engine}: no error on stderr ({err.strip()[:300]!r})")
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    check(False, f"{engine}: nbrun stops on SIGTERM")

sys.exit(1 if failures else 0)

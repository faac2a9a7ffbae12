#!/usr/bin/env python3
"""Click's control elements on a running nbrun (issue 18):
- conf/schedorder1.click (tests/click/schedorder.click): SchedOrderTest's tasks record the order
  of the worker's passes, each run as often as its ScheduleInfo share says, s1 fills the order and stops the run, DriverManager's wait_stop takes that
  stop event, prints s1.order and stops; the order is checked exactly;
- DriverManager over an InfiniteSource(LIMIT, STOP true): the source's stop is a stop event;
- ControlSocket over TCP and a UNIX socket, talked to with a plain Python socket as a Click user's
  tool would: the greeting, READ, WRITE, WRITEDATA, CHECKREAD/CHECKWRITE, globals, errors,
  READONLY, LLRPC, QUIT, and `WRITE stop` ending the run; a port in use fails the start.
Nothing asserts on timing: every wait polls for a state, with a generous bound.
Usage: test_control_socket.py NBRUN SOURCE_DIR
"""
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

nbrun, source_dir = sys.argv[1:3]
failures = 0


def check(cond, what):
    global failures
    print(("ok:   " if cond else "FAIL: ") + what)
    failures += 0 if cond else 1


def run(cfg, engine, timeout=120):
    return subprocess.run([nbrun, str(cfg), "--quiet", "--engine", engine, "--no-control", "--duration", "100"],
                          capture_output=True, text=True, timeout=timeout)


class Client:
    """Click's ControlSocket protocol, read as a client does: message lines, then DATA."""

    def __init__(self, sock):
        self.s = sock
        self.buf = b""
        self.s.settimeout(30)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(4096)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode()

    def bytes(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(4096)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data.decode()

    def send(self, text):
        self.s.sendall(text.encode())

    def reply(self):
        """(code, [message lines]) up to the line with a space after the code."""
        lines = []
        while True:
            line = self.line()
            lines.append(line[4:])
            if line[3] == " ":
                return int(line[:3]), lines

    def read(self, handler):
        self.send(f"READ {handler}\r\n")
        code, msg = self.reply()
        if code != 200:
            return code, msg
        data = self.line()
        assert data.startswith("DATA "), data
        return code, self.bytes(int(data[5:]))

    def command(self, text):
        self.send(text)
        return self.reply()

    def closed(self):
        try:
            return self.s.recv(1) == b""
        except OSError:
            return True


with tempfile.TemporaryDirectory() as tmp:
    d = pathlib.Path(tmp)

    # ---- schedorder1.click, word for word -------------------------------------------------
    # ScheduleInfo(s1 1, s2 2, s3 3): per pass s1 once, s2 twice (its LIMIT 10 after 5 passes),
    # s3 three times; the order holds 100 IDs.
    want = " ".join(["1 2 2 3 3 3"] * 5 + ["1 3 3 3"] * 17 + ["1 3"])
    for engine in ("interp", "jit"):
        r = run(pathlib.Path(source_dir) / "tests" / "click" / "schedorder.click", engine)
        check(r.returncode == 0, f"{engine}: schedorder1.click runs and stops (exit {r.returncode}, {r.stderr[-300:]!r})")
        check(r.stdout.strip() == want,
              f"{engine}: DriverManager printed s1.order, each task as often as its share, s2 gone after LIMIT 10 "
              f"({r.stdout.strip()[:80]!r}...)")

    # ---- DriverManager takes a source's stop --------------------------------------------------
    out = d / "before.txt"
    cfg = d / "driver.nbc"
    cfg.write_text(f"""s :: InfiniteSource(LIMIT 500, STOP true) -> c :: Counter -> Discard;
DriverManager(save s.active {out}, wait_stop, print "count $(c.count)", stop);
""")
    for engine in ("interp", "jit"):
        r = run(cfg, engine)
        check(r.returncode == 0, f"{engine}: the DriverManager run ends (exit {r.returncode}, {r.stderr[-300:]!r})")
        check(r.stdout.strip() == "count 500",
              f"{engine}: the source's stop stepped past wait_stop, all 500 packets counted ({r.stdout.strip()!r})")
        check(out.exists() and out.read_text() == "true\n", f"{engine}: save wrote the handler's value to a file")

    # ---- ControlSocket ------------------------------------------------------------------------
    portfile = d / "port"
    unix_path = d / "click.sock"
    cfg = d / "cs.nbc"
    cfg.write_text(f"""cs :: ControlSocket(TCP, 41930+, LOCALHOST true, VERBOSE true);
us :: ControlSocket(UNIX, FILENAME {unix_path}, READONLY true);
s :: RatedSource(RATE 1000) -> c :: Counter -> Discard;
Script(save cs.port {portfile});
""")
    for engine in ("interp", "jit"):
        for p in (portfile, unix_path):
            if p.exists():
                p.unlink()
        proc = subprocess.Popen([nbrun, str(cfg), "--quiet", "--engine", engine, "--no-control", "--duration", "100"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for _ in range(600):
                if portfile.exists() and portfile.read_text().strip():
                    break
                time.sleep(0.05)
            port = int(portfile.read_text())
            check(41930 <= port <= 41940, f"{engine}: cs.port names the port bound ({port})")
            try:  # LOCALHOST: bound to 127.0.0.1 alone, so another loopback address is refused
                socket.create_connection(("127.0.0.2", port), timeout=10).close()
                refused = False
            except OSError:
                refused = True
            check(refused, f"{engine}: LOCALHOST true listens on 127.0.0.1 only")
            c = Client(socket.create_connection(("127.0.0.1", port)))
            check(c.line() == "Click::ControlSocket/1.3", f"{engine}: the greeting is Click's")
            for _ in range(600):
                code, count = c.read("c.count")
                if code == 200 and count.isdigit() and int(count) > 0:
                    break
                time.sleep(0.05)
            check(code == 200 and count.isdigit() and int(count) > 0, f"{engine}: READ c.count ({code} {count!r})")
            check(c.command("WRITE s.rate 0\r\n") == (200, ["Write handler 's.rate' OK"]), f"{engine}: WRITE s.rate 0")
            check(c.read("s.rate") == (200, "0"), f"{engine}: READ s.rate reads what was written")
            check(c.command("WRITEDATA s.rate 3\r\n250") == (200, ["Write handler 's.rate' OK"]),
                  f"{engine}: WRITEDATA passes the bytes after the line")
            check(c.read("s.rate") == (200, "250"), f"{engine}: READ s.rate after WRITEDATA")
            check(c.command("CHECKREAD c.count\r\n")[0] == 200, f"{engine}: CHECKREAD c.count is 200")
            check(c.command("CHECKWRITE c.count\r\n") == (511, ["Handler 'c.count' not writable"]),
                  f"{engine}: CHECKWRITE c.count is 511")
            code, lst = c.read("list")
            names = lst.splitlines()
            check(code == 200 and names[0] == str(len(names) - 1) and {"cs", "us", "s", "c"} <= set(names),
                  f"{engine}: READ list gives Click's count and names ({names})")
            code, hs = c.read("c.handlers")
            check(code == 200 and "count\tr" in hs.splitlines(), f"{engine}: READ c.handlers")
            check(c.read("nosuch.count")[0] == 510, f"{engine}: an unknown element is 510")
            check(c.read("c.nosuch")[0] == 511, f"{engine}: an unknown handler is 511")
            check(c.command("LLRPC c#4004C005\r\n")[0] == 501, f"{engine}: LLRPC is 501")
            check(c.command("FROB\r\n") == (501, ["Command 'FROB' unimplemented"]), f"{engine}: an unknown command")
            check(c.command("QUIT\r\n") == (200, ["Goodbye!"]) and c.closed(), f"{engine}: QUIT closes")

            u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            u.connect(str(unix_path))
            uc = Client(u)
            check(uc.line() == "Click::ControlSocket/1.3", f"{engine}: the UNIX socket greets too")
            check(uc.read("s.rate") == (200, "250"), f"{engine}: READ over the UNIX socket")
            check(uc.command("WRITE s.rate 5\r\n") == (530, ["Permission denied for 's.rate'"]),
                  f"{engine}: READONLY refuses a write")
            check(uc.read("us.filename") == (200, str(unix_path)), f"{engine}: us.filename")
            u.close()

            c = Client(socket.create_connection(("127.0.0.1", port)))
            c.line()
            check(c.command("WRITE stop\r\n") == (200, ["Write handler 'stop' OK"]), f"{engine}: WRITE stop")
            out, err = proc.communicate(timeout=60)
            check(proc.returncode == 0, f"{engine}: the global stop handler ended the run (exit {proc.returncode})")
            check("ControlSocket: opened connection" in err and " from 127.0.0.1." in err,
                  f"{engine}: VERBOSE said when connections opened ({err[-300:]!r})")
            check(not unix_path.exists(), f"{engine}: the UNIX socket's file is removed at the end")
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    check(False, f"{engine}: nbrun stops on SIGTERM")

    # ---- a port in use fails the start (RETRIES 0) ---------------------------------------------
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    cfg = d / "busy.nbc"
    cfg.write_text(f"ControlSocket(TCP, {busy.getsockname()[1]}, LOCALHOST true);\n"
                   "s :: RatedSource(RATE 10) -> Discard;\n")
    r = run(cfg, "interp")
    check(r.returncode != 0 and "bind: Address already in use" in r.stderr,
          f"a ControlSocket whose port is taken fails nbrun's start ({r.returncode}, {r.stderr.strip()[-200:]!r})")
    busy.close()

sys.exit(1 if failures else 0)

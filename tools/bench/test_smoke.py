#!/usr/bin/env python3
"""Smoke test of nbbench: runs `nbbench --quick --json fwd` with tiny durations and checks the
shape of its JSON. It never judges timing: numbers only have to be positive."""
import json
import subprocess
import sys


def main():
    nbbench = sys.argv[1]
    cmd = [nbbench, "--quick", "--json", "--rounds", "1", "--duration", "0.1", "--compile-reps", "1", "fwd"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=240)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited with {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    try:
        j = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        sys.exit(f"not JSON ({e}):\n{p.stdout}")
    errors = []
    if set(j) != {"workloads", "compile_ms"}:
        errors.append(f"top-level keys {sorted(j)}, expected compile_ms and workloads")
    w = j.get("workloads", {})
    if list(w) != ["fwd"]:
        errors.append(f"workloads {list(w)}, expected ['fwd']")
    engines = w.get("fwd", {})
    if sorted(engines) != ["interp", "jit", "native"]:
        errors.append(f"fwd engines {sorted(engines)}, expected interp, jit, native")
    for e, v in engines.items():
        if sorted(v) != ["cycles_per_packet", "mpps"]:
            errors.append(f"fwd.{e} keys {sorted(v)}")
            continue
        for k in ("mpps", "cycles_per_packet"):
            if not isinstance(v[k], (int, float)) or not v[k] > 0:
                errors.append(f"fwd.{e}.{k} = {v[k]!r}, expected a positive number")
    c = j.get("compile_ms", {})
    if sorted(c, key=int) != ["20", "50", "200"]:
        errors.append(f"compile_ms keys {list(c)}, expected 20, 50, 200")
    for k, v in c.items():
        if not isinstance(v, (int, float)) or not v > 0:
            errors.append(f"compile_ms.{k} = {v!r}, expected a positive number")
    if errors:
        sys.exit("nbbench --json:\n  " + "\n  ".join(errors) + "\n" + p.stdout)
    print("nbbench --quick --json fwd: shape OK")


if __name__ == "__main__":
    main()

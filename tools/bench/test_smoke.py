#!/usr/bin/env python3
"""Smoke test of nbbench: runs `nbbench --quick --json fwd` with tiny durations and checks the
shape of its JSON. It never judges timing: numbers only have to be positive. Where dpdk-testpmd is
installed, fwd must have the io engine (testpmd's io forwarding); where it is not, nbbench must say
that it skipped it. A testpmd that is not there (--testpmd) must be a clear line, not a failure.
`--workers 1,2` must give the scaling tables where nbrun has --workers, and say it skipped them
where it has not.

Then `nbbench --configs-only` (every workload): each WORKLOAD.nbc must be the graph of that
workload (it uses the workload's defining element, so a configuration written for the wrong
workload is caught) and pass `nbc check`."""
import json
import os
import shutil
import subprocess
import sys

# The element each workload measures (tools/bench/main.cpp, docs/performance.md).
DEFINING = {"fwd": "ToDevice", "ttl": "DecIPTTL", "chain5": "DecIPTTL", "classify": "Classifier",
            "firewall": "IPFilter", "firewall-base": "IPFilter", "lpm": "LookupIPRoute", "nat": "IPRewriter", "nat-new": "IPRewriter",
            "maglev": "MaglevLB", "monitor": "FlowMonitor", "ids": "SignatureMatcher"}
# Elements that belong to one workload only: no other workload's graph may contain them.
EXCLUSIVE = {"Classifier", "IPFilter", "LookupIPRoute", "IPRewriter", "MaglevLB", "FlowMonitor",
             "SignatureMatcher"}


def check_configs(nbbench):
    nbc = os.path.join(os.path.dirname(os.path.abspath(nbbench)), "nbc")
    p = subprocess.run([nbbench, "--configs-only"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=120)
    if p.returncode != 0:
        return [f"nbbench --configs-only exited {p.returncode}: {p.stderr}"]
    d = p.stdout.strip()
    errors = []
    try:
        for w, element in DEFINING.items():
            path = os.path.join(d, f"{w}.nbc")
            if not os.path.exists(path):
                errors.append(f"no {w}.nbc")
                continue
            text = open(path).read()
            if element not in text:
                errors.append(f"{w}.nbc does not use {element}:\n{text}")
            others = [e for e in EXCLUSIVE if e != element and e + "(" in text]
            if others:
                errors.append(f"{w}.nbc uses {others}, which belong to other workloads")
            c = subprocess.run([nbc, "check", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=60)
            if c.returncode != 0:
                errors.append(f"nbc check {w}.nbc failed:\n{c.stdout}")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return errors


def run(cmd, timeout=240):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)


def check_missing_testpmd(nbbench):
    """A testpmd that is not there: one line on stderr, the other engines still run, exit 0."""
    missing = "/nonexistent/dpdk-testpmd"
    cmd = [nbbench, "--json", "--rounds", "1", "--duration", "0.1", "--no-compile", "--engines", "jit,io",
           "--testpmd", missing, "fwd"]
    p = run(cmd)
    if p.returncode != 0:
        return [f"{' '.join(cmd)} exited with {p.returncode}\n{p.stderr}"]
    errors = []
    line = f"io reference skipped: {missing} not found (apt-get install dpdk-dev)"
    if line not in p.stderr:
        errors.append(f"{' '.join(cmd)}: stderr does not say '{line}':\n{p.stderr}")
    try:
        engines = json.loads(p.stdout)["workloads"]["fwd"]
        if sorted(engines) != ["jit"]:
            errors.append(f"{' '.join(cmd)}: fwd engines {sorted(engines)}, expected jit alone")
    except (json.JSONDecodeError, KeyError) as e:
        errors.append(f"{' '.join(cmd)}: bad JSON ({e}):\n{p.stdout}")
    return errors


def check_scaling(nbbench):
    """--workers 1,2: the scaling tables where nbrun has --workers, else a line saying they were skipped."""
    nbrun = os.path.join(os.path.dirname(os.path.abspath(nbbench)), "nbrun")
    has_workers = "--workers" in run([nbrun, "--help"], 60).stdout
    cmd = [nbbench, "--json", "--rounds", "1", "--duration", "0.1", "--no-compile", "--engines", "jit",
           "--workers", "1,2", "ttl"]
    p = run(cmd)
    if p.returncode != 0:
        return [f"{' '.join(cmd)} exited with {p.returncode}\n{p.stderr}"]
    try:
        j = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        return [f"{' '.join(cmd)}: not JSON ({e}):\n{p.stdout}"]
    errors = []
    if not has_workers:
        if "scaling skipped: this nbrun has no --workers" not in p.stderr:
            errors.append(f"{' '.join(cmd)}: nbrun has no --workers, but nbbench does not say so:\n{p.stderr}")
        if "scaling" in j:
            errors.append(f"{' '.join(cmd)}: \"scaling\" without an nbrun that has --workers")
        return errors
    for key in ("scaling", "scaling_dispatch"):
        t = j.get(key, {}).get("ttl", {})
        if sorted(t) != ["1", "2"] or not all(isinstance(v, (int, float)) and v > 0 for v in t.values()):
            errors.append(f"{' '.join(cmd)}: {key}.ttl = {t!r}, expected positive Mpps for \"1\" and \"2\"")
    return errors


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
    if set(j) != {"workloads", "compile_ms", "start_ms"}:
        errors.append(f"top-level keys {sorted(j)}, expected compile_ms, start_ms and workloads")
    w = j.get("workloads", {})
    if list(w) != ["fwd"]:
        errors.append(f"workloads {list(w)}, expected ['fwd']")
    engines = w.get("fwd", {})
    have_testpmd = shutil.which("dpdk-testpmd") is not None
    expected = ["interp", "io", "jit", "native"] if have_testpmd else ["interp", "jit", "native"]
    if sorted(engines) != expected:
        errors.append(f"fwd engines {sorted(engines)}, expected {', '.join(expected)}")
    skipped = "io reference skipped: dpdk-testpmd not found (apt-get install dpdk-dev)"
    if not have_testpmd and skipped not in p.stderr:
        errors.append(f"no dpdk-testpmd, but stderr does not say '{skipped}':\n{p.stderr}")
    for e, v in engines.items():
        if e == "io":
            # The contract is {"mpps": X}; cycles_per_packet may come along.
            if "mpps" not in v or not isinstance(v["mpps"], (int, float)) or not v["mpps"] > 0:
                errors.append(f"fwd.io = {v!r}, expected {{\"mpps\": a positive number}}")
            continue
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
    # Start-up (issue 17, "Fast start"): per chain size, nbrun's first packet, JIT code ready,
    # and the same from a warm cache, in ms from the file being read.
    st = j.get("start_ms", {})
    if sorted(st, key=int) != ["20", "50", "200"]:
        errors.append(f"start_ms keys {list(st)}, expected 20, 50, 200")
    for k, v in st.items():
        if not isinstance(v, dict) or list(v) != ["first_packet", "jit_ready", "cached"]:
            errors.append(f"start_ms.{k} = {v!r}, expected first_packet, jit_ready, cached")
            continue
        for f, x in v.items():
            if not isinstance(x, (int, float)) or not x > 0:
                errors.append(f"start_ms.{k}.{f} = {x!r}, expected a positive number")
    if errors:
        sys.exit("nbbench --json:\n  " + "\n  ".join(errors) + "\n" + p.stdout)
    print(f"nbbench --quick --json fwd: shape OK ({'with' if have_testpmd else 'without'} dpdk-testpmd)")
    errors = check_missing_testpmd(nbbench) + check_scaling(nbbench)
    if errors:
        sys.exit("\n".join(errors))
    errors = check_configs(nbbench)
    if errors:
        sys.exit("nbbench --configs-only:\n  " + "\n  ".join(errors))
    print(f"nbbench --configs-only: {len(DEFINING)} workload graphs, each its own, all check")


if __name__ == "__main__":
    main()

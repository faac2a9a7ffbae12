#!/usr/bin/env python3
"""Every parameter of every built-in element is covered by a test of its effect (issue 15, item 12).

Walks the registry through `nbc doc` (every class, then each class's PARAMETERS) and reads
coverage.txt beside this script, one line per parameter:

    Class.PARAM  CTEST NAME  # what that test checks about the parameter's effect

(the CTest name may contain spaces: it runs up to the ' # '). Fails for
  - a parameter of a built-in element that the list does not name,
  - a list entry whose element or parameter no longer exists (or is listed twice),
  - an entry whose CTest does not exist (names taken from `ctest --show-only=json-v1`),
  - an entry without its ' # what it checks' note.

Usage: check_coverage.py NBC BUILD_DIR [LIST]
"""
import json
import os
import re
import subprocess
import sys


def registry(nbc):
    """{Class: [PARAM, ...]} of every built-in element, from `nbc doc`."""
    out = subprocess.run([nbc, "doc"], check=True, capture_output=True, text=True).stdout
    classes = [line.split()[0] for line in out.splitlines() if line.strip()]
    params = {}
    for cls in classes:
        doc = subprocess.run([nbc, "doc", cls], check=True, capture_output=True, text=True).stdout
        names, inside = [], False
        for line in doc.splitlines():
            if line == "PARAMETERS":
                inside = True
                continue
            if inside and (line and not line.startswith(" ")):
                break
            m = re.match(r"^  ([A-Z][A-Z0-9_]*) \(", line) if inside else None
            if m:
                names.append(m.group(1))
        params[cls] = names
    return params


def ctest_names(build):
    out = subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1"], check=True,
                         capture_output=True, text=True).stdout
    return {t["name"] for t in json.loads(out).get("tests", [])}


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    nbc, build = sys.argv[1], sys.argv[2]
    path = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                               "coverage.txt")
    params = registry(nbc)
    tests = ctest_names(build)
    problems = []
    listed = {}
    missing_tests = {}
    for lineno, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^([A-Za-z][A-Za-z0-9_]*)\.([A-Z][A-Z0-9_]*)\s+(.+?)\s+#\s*(.*)$", line)
        if not m:
            problems.append(f"{path}:{lineno}: expected 'Class.PARAM  CTEST NAME  # what it checks'")
            continue
        cls, param, test, what = m.groups()
        where = f"{path}:{lineno}"
        key = f"{cls}.{param}"
        if key in listed:
            problems.append(f"{where}: {key} is listed twice (first on line {listed[key]})")
        listed[key] = lineno
        if cls not in params:
            problems.append(f"{where}: {key}: there is no element class {cls}")
        elif param not in params[cls]:
            problems.append(f"{where}: {key}: {cls} has no parameter {param} (it has: {', '.join(params[cls]) or 'none'})")
        if test not in tests:
            missing_tests.setdefault(test, []).append(key)
        if not what.strip():
            problems.append(f"{where}: {key}: say what {test} checks about its effect after '#'")
    for cls, names in sorted(params.items()):
        for p in names:
            if f"{cls}.{p}" not in listed:
                problems.append(f"{cls}.{p} is not covered: add a test of its effect and list it in {path}")
    for test, keys in sorted(missing_tests.items()):
        problems.append(f"no CTest named '{test}' (listed for {', '.join(keys)})")
    if missing_tests:
        problems.append("missing CTests: " + ", ".join(sorted(missing_tests)))
    for p in problems:
        print("FAIL: " + p)
    total = sum(len(v) for v in params.values())
    if not problems:
        print(f"ok: {total} parameters of {len(params)} element classes, each covered by a test of its effect")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

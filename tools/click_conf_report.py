#!/usr/bin/env python3
"""Measure how many of Click's own example configurations (conf/*.click) pass `nbc check`.

    tools/click_conf_report.py CLICK [--nbc PATH] [--update-docs FILE] [--check-docs FILE]
                               [--host-interfaces eth0,eth1]

CLICK is Click's source: a checkout (with conf/ in it) or a bare git directory such as the one
`fetch github:kohler/click` leaves under /work/.mirror. Every conf/*.click but grid.click (an m4
template) is checked with `nbc check --max-errors 0`, each error is put in a class (an element
class nb lacks, a Click argument nb lacks, a Click semantics nb rejects, ...) and the report says
which configurations pass, why each other one does not, and which missing pieces block the most
configurations.

--host-interfaces also measures on a host that has the interfaces the configurations name (a
network namespace with those interfaces, addresses and a default route; NAME=MAC gives one an
Ethernet address, for configurations that name a device by it), since `nbc check` reads device
addresses from the kernel as Click does.

--update-docs rewrites the section between the markers in FILE (docs/language.md) with the
report; --check-docs fails (exit 1) when fewer configurations pass than FILE says (a regression).
Exit status 77 (CTest's "skipped") when CLICK is not there.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

BEGIN = "<!-- BEGIN click_conf_report (tools/click_conf_report.py --update-docs) -->"
END = "<!-- END click_conf_report -->"
# A template for m4, not a configuration (its own comment says so): the issue leaves it aside.
EXCLUDED = {"grid.click": "an m4 template, not a configuration (its comment says so)"}

# What a reader needs beyond the error messages, per configuration.
NOTES = {
    "demo.click": "Click says \"value has less than 2 hex digits\"",
    "simple-dsdv.click": "a template: OFFSET_GRID_PROTO and the like are filled in by Click's "
    "tools/build-grid-config.sh",
    "simple-dsdv-userlevel.click": "a template: OFFSET_GRID_PROTO and the like are filled in by Click's "
    "tools/build-grid-config.sh",
    "ip601.click": "Click says \"duplicate writer for device 'eth0'\", and nds[0] pushes into ToDevice's pull "
    "input",
    "ip6ndadvertiser02.click": "Click says \"unknown element class 'NDAdv'\"",
    "ip64-nat3.click": "Click says \"'nda' output 0 unused\": IP6NDAdvertiser's output 0 goes nowhere",
    "schedorder1.click": "SchedOrderTest is a test element of Click's own scheduler",
}

ERROR = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.*)$")

# (pattern, category, key) in order; the first that matches an error message classifies it.
# The key names the missing piece; {n} is replaced by the pattern's group n.
RULES = [
    (r"unknown element class 'NDAdv'", "click", "NDAdv (IP6NDAdvertiser's name in Click's first IPv6 code)"),
    (r"device '[^']+' already has a ToDevice", "click", "two ToDevices on one device"),
    (r"unknown element class 'BufferConverter'", "click",
     "BufferConverter (in no version of Click's public source: Click says \"unknown element class\")"),
    (r"unknown element class '([^']+)'", "element", "{1}"),
    (r"undefined variable '(\$[^']+)'", "semantics", "an undefined $variable is an error (Click leaves it as is)"),
    (r"invalid [^:]* for \w+ of \w+: expected [^,]*, found '\$'", "language",
     "a define whose value uses another $variable (Click expands it there)"),
    (r"is not an IPv4 address like|is not a network like|invalid IPv4 address for|invalid Ethernet address for|"
     r"invalid IPv4 prefix for",
     "semantics", "symbolic addresses (AddressInfo names, eth0:gw)"),
    (r"unknown address name '[^']+'.*\(argument", "semantics",
     "device addresses of an interface this host lacks (nb reads them from the host, as Click)"),
    (r"no network interface of this host has the Ethernet address", "semantics",
     "devices named by an Ethernet address no interface of this host has (nb looks it up, as Click)"),
    (r"invalid PATTERN of IPClassifier: unknown word '([^']+)'", "argument", "IPClassifier primitive `{1}`"),
    (r"invalid PATTERN of IPFilter: unknown word '([^']+)'", "argument", "IPFilter primitive `{1}`"),
    (r"too many arguments for (\w+)", "argument", "{1}'s positional arguments"),
    (r"unknown keyword '([^']+)' for (\w+)", "argument", "{2}'s {1}"),
    (r"invalid unsigned integer for RATE of (\w+).*found 'B'", "argument", "{1}'s RATE in Click's bandwidth units"),
    (r"invalid unsigned integer for OFFSET of CheckIPHeader.*found 'I'", "argument", "CheckIPHeader's INTERFACES"),
    (r"invalid (INPUTSPEC) of (\w+)", "argument", "{2}'s {1} forms"),
    (r"invalid (?:byte pattern|unsigned integer) for \w+ of \w+: expected a (?:decimal offset|digit|hex digit), "
     r"found '[A-Z]'",
     "template", "macro names left for a preprocessor"),
    (r"invalid byte pattern for PATTERN of Classifier: value has 1 hex digits", "click", "Classifier(9/6)"),
    # Click refuses an unused port too ("'nda' output 0 unused"): ip64-nat3's IP6NDAdvertiser.
    (r"output \d+ of '[^']+' \(\w+\) is not connected: packets sent there would be lost", "click",
     "an unconnected output (Click: \"output 0 unused\")"),
    (r"is not connected|useless at end of chain", "graph", "graph rules"),
]
CATEGORIES = {
    "element": "element classes nb does not have",
    "argument": "Click arguments nb does not take",
    "semantics": "Click semantics nb rejects",
    "language": "Click language nb does not parse",
    "template": "templates for a preprocessor",
    "click": "errors in Click too",
    "graph": "graph rules (mostly after other errors)",
}


def classify(msg):
    for pattern, category, key in RULES:
        m = re.search(pattern, msg)
        if m:
            return category, re.sub(r"\{(\d)\}", lambda g: m.group(int(g.group(1))), key)
    if "expected" in msg and " for " not in msg:
        return "language", msg
    return "other", msg


def list_confs(click):
    """[(name, text)] of conf/*.click, from a checkout or a git directory."""
    conf = os.path.join(click, "conf")
    if os.path.isdir(conf):
        names = sorted(n for n in os.listdir(conf) if n.endswith(".click"))
        out = []
        for n in names:
            with open(os.path.join(conf, n), encoding="utf-8", errors="replace") as f:
                out.append((n, f.read()))
        return out
    git = ["git", "--git-dir", click]
    tree = subprocess.run(git + ["ls-tree", "--name-only", "HEAD", "conf/"], capture_output=True, text=True,
                          check=True).stdout.split()
    out = []
    for path in sorted(tree):
        if path.endswith(".click"):
            text = subprocess.run(git + ["show", "HEAD:" + path], capture_output=True, check=True).stdout
            out.append((os.path.basename(path), text.decode("utf-8", errors="replace")))
    return out


class HostInterfaces:
    """A network namespace with the interfaces Click's configurations name (eth0, eth1, ...), each
    with an IPv4 address and eth0 with the default route: the host those configurations were
    written for, where `nbc check` reads device addresses (eth1:ip, ARPQuerier(X, eth1)) from the
    kernel as Click does. Needs CAP_NET_ADMIN."""

    def __init__(self, names):
        self.names = names
        self.ns = f"nbclick{os.getpid()}"

    def __enter__(self):
        subprocess.run(["ip", "netns", "add", self.ns], check=True, capture_output=True)
        ex = ["ip", "netns", "exec", self.ns]
        for k, entry in enumerate(self.names):
            name, _, mac = entry.partition("=")
            peer = f"nbcp{k}"
            subprocess.run(ex + ["ip", "link", "add", name, "type", "veth", "peer", "name", peer], check=True,
                           capture_output=True)
            if mac:
                subprocess.run(ex + ["ip", "link", "set", name, "address", mac], check=True)
            subprocess.run(ex + ["ip", "addr", "add", f"10.{k}.0.2/24", "dev", name], check=True)
            for dev in (name, peer):
                subprocess.run(ex + ["ip", "link", "set", dev, "up"], check=True)
        subprocess.run(ex + ["ip", "route", "add", "default", "via", "10.0.0.1", "dev", self.names[0].partition("=")[0]],
                       check=True)
        return ex

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)


def measure(nbc, confs, prefix=()):
    """{name: [(category, key, line, message)]}: an empty list for a configuration that passes.
    `prefix` runs nbc under it (ip netns exec NS)."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in confs:
            if name in EXCLUDED:
                continue
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            p = subprocess.run([*prefix, nbc, "check", "--color", "never", "--max-errors", "0", name], cwd=tmp,
                               capture_output=True, text=True)
            errors = []
            for line in p.stderr.splitlines():
                m = ERROR.match(line)
                if m:
                    category, key = classify(m.group("msg"))
                    errors.append((category, key, int(m.group("line")), m.group("msg")))
            if p.returncode != 0 and not errors:
                errors.append(("other", "nbc check failed: " + p.stderr.strip()[:200], 0, ""))
            results[name] = errors
    return results


def blockers(errors):
    """The distinct missing pieces of one configuration; graph-rule errors count only when alone."""
    keys = collections.OrderedDict()
    for category, key, _, _ in errors:
        keys.setdefault((category, key), None)
    real = [k for k in keys if k[0] != "graph"]
    return real if real else list(keys)


def greedy(results):
    """[(pieces added, configurations that then pass)]: each step adds what the configuration
    closest to passing still lacks, preferring the step that lets the most configurations pass.

    A configuration counts once every piece it lacks is there; this is an upper bound, since
    the checks after elaboration (ports, push/pull) run only once every class is known."""
    failing = {n: set(blockers(e)) for n, e in results.items() if e}
    have = set()
    steps = []
    while any(s - have for s in failing.values()):
        best = None
        for s in failing.values():
            need = s - have
            if not need:
                continue
            gain = sum(1 for t in failing.values() if (t - have) and (t - have) <= need)
            score = (len(need), -gain, sorted(need))
            if best is None or score < best[0]:
                best = (score, need, gain)
        _, need, gain = best
        have |= need
        steps.append((sorted(need, key=lambda k: k[1]), gain))
    return steps


def fmt_key(k):
    category, key = k
    return f"`{key}`" if category == "element" else key


def report(results, commit, on_interfaces=None):
    passed = sorted(n for n, e in results.items() if not e)
    total = len(results)
    lines = []
    lines.append(f"Measured by `tools/click_conf_report.py` over Click's conf/*.click (commit {commit}), "
                 "grid.click (an m4 template) aside, with `nbc check` as the configurations are written "
                 "(`FromDevice(eth0)` passes the checker; see the devices paragraph below for running them).")
    lines.append("")
    lines.append(f"**{len(passed)} of {total} pass** `nbc check` on this host.")
    # Configurations Click itself refuses as written: an error Click gives too, or a template.
    refused = sorted(n for n, e in results.items() if any(c in ("click", "template") for c, _, _, _ in e))
    if refused:
        valid = total - len(refused)
        lines.append(f"{len(refused)} fail for a reason Click's own checker gives too ({', '.join(refused)}: an error "
                     f"in Click too, or a template for a preprocessor); of the other {valid}, {len(passed)} pass "
                     f"({100 * len(passed) // valid}%).")
    if on_interfaces is not None:
        names, ires = on_interfaces
        ipassed = sorted(n for n, e in ires.items() if not e)
        more = sorted(set(ipassed) - set(passed))
        lines.append(f"On a host with the interfaces the configurations name ({', '.join(names)}: "
                     f"`--host-interfaces`, a network namespace the tool makes), {len(ipassed)} of {total} pass"
                     + (f" ({', '.join(more)} too)" if more else "") + ".")
    if passed:
        lines.append("Passing: " + ", ".join(passed) + ".")
    lines.append("")
    lines.append("| configuration | errors | what is missing |")
    lines.append("|---|---|---|")
    for name in sorted(results):
        errors = results[name]
        if not errors:
            continue
        groups = collections.OrderedDict()
        for k in blockers(errors):
            groups.setdefault(k[0], []).append(fmt_key(k))
        parts = [f"{CATEGORIES.get(c, c)}: {', '.join(keys)}" for c, keys in groups.items()]
        if name in NOTES:
            parts.append(NOTES[name])
        lines.append(f"| {name} | {len(errors)} | {'; '.join(parts)} |")
    lines.append("")
    counts = collections.Counter(k for e in results.values() for k in blockers(e))
    lines.append("What blocks the most configurations (how many each piece appears in):")
    lines.append("")
    lines.append("| missing piece | kind | configurations |")
    lines.append("|---|---|---|")
    for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1])):
        if n < 2:
            continue
        lines.append(f"| {fmt_key(k)} | {CATEGORIES.get(k[0], k[0])} | {n} |")
    lines.append("")
    lines.append("Pieces in the order that makes the most configurations pass (an upper bound: the checks that "
                 "follow elaboration, such as push/pull, run only once every class is known):")
    lines.append("")
    running = len(passed)
    lines.append("| add | configurations passing |")
    lines.append("|---|---|")
    for need, gain in greedy(results):
        running += gain
        if running > total * 0.9 + 1:
            break
        lines.append(f"| {', '.join(fmt_key(k) for k in need)} | {running} (+{gain}) |")
    return "\n".join(lines) + "\n", len(passed), total


def docs_pass_count(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text:
        sys.exit(f"{path}: no '{BEGIN}' marker")
    section = text.split(BEGIN, 1)[1].split(END, 1)[0]
    m = re.search(r"\*\*(\d+) of (\d+) pass\*\*", section)
    if not m:
        sys.exit(f"{path}: the click_conf_report section has no '**N of M pass**'")
    return int(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("click", help="Click's source: a checkout or a git directory")
    ap.add_argument("--nbc", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "bin",
                                                  "nbc"))
    ap.add_argument("--update-docs", metavar="FILE")
    ap.add_argument("--check-docs", metavar="FILE")
    ap.add_argument("--host-interfaces", metavar="LIST",
                    help="also measure in a network namespace with these interfaces: NAME or NAME=MAC, e.g. "
                    "eth0,eth1,nic0=00:00:5a:98:f9:28 (the first gets the default route)")
    args = ap.parse_args()
    if not os.path.isdir(args.click):
        print(f"click_conf_report: {args.click} is not there: skipped")
        return 77
    confs = list_confs(args.click)
    if not confs:
        print(f"click_conf_report: no conf/*.click in {args.click}: skipped")
        return 77
    commit = "?"
    if not os.path.isdir(os.path.join(args.click, "conf")):
        commit = subprocess.run(["git", "--git-dir", args.click, "rev-parse", "--short=10", "HEAD"],
                                capture_output=True, text=True).stdout.strip() or "?"
    results = measure(os.path.abspath(args.nbc), confs)
    on_interfaces = None
    if args.host_interfaces:
        names = [n for n in args.host_interfaces.split(",") if n]
        with HostInterfaces(names) as prefix:
            on_interfaces = (names, measure(os.path.abspath(args.nbc), confs, prefix))
    text, passed, total = report(results, commit, on_interfaces)
    print(text, end="")
    if args.update_docs:
        with open(args.update_docs, encoding="utf-8") as f:
            doc = f.read()
        if BEGIN not in doc or END not in doc:
            sys.exit(f"{args.update_docs}: markers '{BEGIN}' and '{END}' not found")
        head, rest = doc.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        with open(args.update_docs, "w", encoding="utf-8") as f:
            f.write(head + BEGIN + "\n" + text + END + tail)
    if args.check_docs:
        want = docs_pass_count(args.check_docs)
        if passed < want:
            print(f"click_conf_report: FAIL: {passed} of {total} pass, {args.check_docs} says {want}")
            return 1
        print(f"click_conf_report: {passed} of {total} pass ({args.check_docs} says {want})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

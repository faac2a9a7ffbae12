#!/usr/bin/env python3
"""Compare two pcap captures the way nb's multi-worker guarantee reads (docs/multicore.md):
the same multiset of frames, and within each flow the same order.

    pcap_compare.py [--no-order] [--unkeyed-order] A.pcap B.pcap

Only the frames' bytes count (timestamps are ignored). A flow is what the runtime keeps on one
worker: an IPv4 or IPv6 packet's protocol and its two endpoints (address, plus TCP/UDP/SCTP port
when the packet is not a fragment), either direction. Frames without such a key (ARP, malformed
IPv4 whose version or header length is wrong, truncated headers) have no order between them
unless --unkeyed-order puts them all in one flow (what software dispatch gives: they all go to
one worker; a device that spreads by its own hash may hand them to several, and re-steering can
then reorder them). Frames of different flows may interleave in any way.

Exit status: 0 equal, 1 different (the differences on stdout), 2 unreadable input.
Reads classic pcap (micro- or nanosecond, either byte order) with the standard library only, so
the oracle shares no code with nb.
"""

import argparse
import collections
import struct
import sys


def read_pcap(path):
    """The frames of a classic pcap file, as bytes, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError(f"{path}: too short for a pcap header ({len(data)} bytes)")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a classic pcap file (magic {magic.hex()})")
    frames = []
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from(endian + "IIII", data, off)
        off += 16
        if off + incl > len(data):
            raise ValueError(f"{path}: record {len(frames) + 1} is cut short")
        frames.append(data[off:off + incl])
        off += incl
    if off != len(data):
        raise ValueError(f"{path}: {len(data) - off} stray bytes at the end")
    return frames


def flow_key(frame):
    """The frame's flow, or None: the fields nb's symmetric flow hash reads, direction-free."""
    off = 12
    if len(frame) < off + 2:
        return None
    etype = struct.unpack_from("!H", frame, off)[0]
    tags = 0
    while tags < 2 and etype in (0x8100, 0x88A8):
        off += 4
        if len(frame) < off + 2:
            return None
        etype = struct.unpack_from("!H", frame, off)[0]
        tags += 1
    off += 2
    if etype == 0x0800:
        if len(frame) < off + 20:
            return None
        ihl = (frame[off] & 0x0F) * 4
        if frame[off] >> 4 != 4 or ihl < 20:
            return None
        proto = frame[off + 9]
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        fragment = struct.unpack_from("!H", frame, off + 6)[0] & 0x3FFF
        sport = dport = None
        if not fragment and proto in (6, 17, 132) and len(frame) >= off + ihl + 4:
            sport, dport = struct.unpack_from("!HH", frame, off + ihl)
        ends = sorted([(src, sport or 0), (dst, dport or 0)])
        return ("ip4", proto, sport is not None, ends[0], ends[1])
    if etype == 0x86DD:
        if len(frame) < off + 40:
            return None
        nxt = frame[off + 6]
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        sport = dport = None
        if nxt in (6, 17, 132) and len(frame) >= off + 44:
            sport, dport = struct.unpack_from("!HH", frame, off + 40)
        ends = sorted([(src, sport or 0), (dst, dport or 0)])
        return ("ip6", nxt, sport is not None, ends[0], ends[1])
    return None


def describe_key(key):
    if key is None:
        return "frames without a flow key"
    fam, proto, ports, a, b = key
    def end(e):
        addr, port = e
        text = ".".join(str(x) for x in addr) if fam == "ip4" else addr.hex()
        return f"{text}:{port}" if ports else text
    return f"{fam} proto {proto} {end(a)} <-> {end(b)}"


def compare(a_frames, b_frames, order=True, unkeyed_order=False, limit=10):
    """The differences between the two captures, as lines (empty: equal)."""
    problems = []
    ca, cb = collections.Counter(a_frames), collections.Counter(b_frames)
    if ca != cb:
        only_a = ca - cb
        only_b = cb - ca
        problems.append(f"different frames: {sum(only_a.values())} only in A (or more often), "
                        f"{sum(only_b.values())} only in B (or more often); "
                        f"A has {len(a_frames)} frames, B {len(b_frames)}")
        for name, extra in (("A", only_a), ("B", only_b)):
            for frame, n in list(extra.items())[:limit]:
                problems.append(f"  {n}x only in {name}: {len(frame)} bytes, {describe_key(flow_key(frame))}, "
                                f"{frame[:48].hex()}")
    if not order:
        return problems

    def by_flow(frames):
        flows = collections.defaultdict(list)
        for f in frames:
            k = flow_key(f)
            if k is None and not unkeyed_order:
                continue
            flows[k].append(f)
        return flows

    fa, fb = by_flow(a_frames), by_flow(b_frames)
    misordered = 0
    for key in fa.keys() | fb.keys():
        sa, sb = fa.get(key, []), fb.get(key, [])
        if sa == sb:
            continue
        if collections.Counter(sa) != collections.Counter(sb):
            continue  # already reported as different frames
        misordered += 1
        if misordered <= limit:
            first = next(i for i, (x, y) in enumerate(zip(sa, sb)) if x != y)
            problems.append(f"flow {describe_key(key)}: {len(sa)} frames in a different order "
                            f"(first difference at its frame {first + 1})")
    if misordered > limit:
        problems.append(f"... {misordered} flows in a different order in all")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--no-order", action="store_true", help="compare the multisets only")
    ap.add_argument("--unkeyed-order", action="store_true",
                    help="frames without a flow key form one flow whose order must match too")
    args = ap.parse_args()
    try:
        a, b = read_pcap(args.a), read_pcap(args.b)
    except (OSError, ValueError) as e:
        print(f"pcap_compare: {e}")
        return 2
    problems = compare(a, b, order=not args.no_order, unkeyed_order=args.unkeyed_order)
    if problems:
        print(f"pcap_compare: {args.a} and {args.b} differ")
        for p in problems:
            print(p)
        return 1
    keyed = len({flow_key(f) for f in a} - {None})
    print(f"pcap_compare: equal: {len(a)} frames, {keyed} flows"
          f"{'' if args.no_order else ', same order within each flow'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

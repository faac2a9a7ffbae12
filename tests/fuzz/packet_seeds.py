#!/usr/bin/env python3
"""Seed corpus for nb_fuzz_packets from real frames.

    packet_seeds.py OUTDIR GRAPHS PCAP...

Writes, for every graph selector 0..GRAPHS-1 and every source selector 0..1, inputs in the
fuzzer's format (fuzz_packets.cpp): byte 0 the graph, byte 1 the source, then frames as a
16-bit big-endian length and the bytes. Each input holds a burst of consecutive records of one
pcap (1 to 8 frames); the pcaps' records are dealt out in turn so that every graph sees frames
of every file (ARP, IPv4 UDP/TCP/ICMP, malformed headers, short and long frames).
"""
import pathlib
import struct
import sys

MAX_FRAME = 2048


def records(path):
    data = path.read_bytes()
    if len(data) < 24:
        return []
    magic = struct.unpack_from("<I", data)[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack_from(end + "IIII", data, off)
        out.append(data[off + 16:off + 16 + caplen][:MAX_FRAME])
        off += 16 + caplen
    return out


def main():
    outdir, graphs, pcaps = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    outdir.mkdir(parents=True, exist_ok=True)
    streams = [r for r in (records(pathlib.Path(p)) for p in pcaps) if r]
    if not streams:
        sys.exit("packet_seeds.py: no frames in " + " ".join(pcaps))
    pos = [0] * len(streams)
    n = 0
    for g in range(graphs):
        for src in range(2):
            for burst in (1, 3, 8):
                s = n % len(streams)
                recs = streams[s]
                frames = [recs[(pos[s] + k) % len(recs)] for k in range(burst)]
                pos[s] = (pos[s] + burst) % len(recs)
                body = bytes([g, src]) + b"".join(struct.pack(">H", len(f)) + f for f in frames)
                (outdir / f"seed-{g:03d}-{src}-{burst}-{n:04d}").write_bytes(body)
                n += 1
    print(f"packet_seeds.py: {n} seeds in {outdir}")


if __name__ == "__main__":
    main()

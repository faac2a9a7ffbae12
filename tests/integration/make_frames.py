#!/usr/bin/env python3
"""Writes a pcap of IPv4/UDP frames of the given lengths, for the pcap I/O tests.

    make_frames.py OUT LINKTYPE LENGTH...

LINKTYPE 1 is Ethernet, 101 raw IPv4 (no link-layer header). Each frame's bytes depend on its
index, the IPv4 header has a correct checksum (its total length saturates at 65535), and record
i is stamped 1000000+i seconds and i*1000 microseconds, so a copy that keeps timestamps is
recognisable. Written with the struct module only: not by nb's code.
"""
import struct
import sys


def checksum(header):
    total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def frame(index, length, link):
    eth = bytes.fromhex("020000000002" "020000000001" "0800") if link == 1 else b""
    ip_len = min(length - len(eth), 0xFFFF)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, index & 0xFFFF, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", 1000, 2000, min(ip_len - 20, 0xFFFF), 0)
    head = eth + ip + udp
    body = bytes((j * 7 + index) & 0xFF for j in range(max(0, length - len(head))))
    return (head + body)[:length]


def main():
    out, link, lengths = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3:]]
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, link))
        for i, n in enumerate(lengths):
            data = frame(i, n, link)
            f.write(struct.pack("<IIII", 1000000 + i, i * 1000, len(data), len(data)))
            f.write(data)


if __name__ == "__main__":
    main()

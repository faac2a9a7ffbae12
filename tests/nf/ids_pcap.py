#!/usr/bin/env python3
"""Writes the SignatureMatcher test traffic (tests/nf/test_ids.sh) and its rules file.

Usage: ids_pcap.py OUT.pcap RULES_FILE. Every packet is Ethernet/IPv4 with a distinct IP id; the
test checks which ids land in the alerts pcap (tshark) in each scan mode. Expected results are
in EXPECT below, keyed by IP id: (alert in payload mode, alert in whole mode, dropped malformed).
"""
import struct
import sys

RULES = """# test rules: literals and regexes
1001 etc-passwd literal "/etc/passwd"
1002 cmd-exe    regex /cmd\\.exe/i
1003 union      regex /union\\s+select/i
# straddles the TCP header (urgent pointer "ST") and the payload ("RADDLE")
2001 tcp-straddle literal "STRADDLE"
# straddles the UDP header (checksum "UD") and the payload ("PSPAN")
2002 udp-straddle literal "UDPSPAN"
# only ever in Ethernet padding (beyond the IP total length): must never match
3001 in-padding literal "PADSIG"
"""


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(ident, proto, l4, total=None):
    total = total if total is not None else 20 + len(l4)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, 0, 64, proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + l4


def tcp(payload, urg=0, flags=0x18):
    return struct.pack("!HHIIBBHHH", 40000, 80, 1, 1, 5 << 4, flags, 8192, 0, urg) + payload


def udp(payload, check=0):
    return struct.pack("!HHHH", 5000, 53, 8 + len(payload), check) + payload


def eth(ip):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip


packets = []  # (ident, frame)
EXPECT = {}   # ident: (alert_payload, alert_whole, malformed)


def add(ident, frame, payload_alert, whole_alert, malformed=False):
    packets.append(frame)
    EXPECT[ident] = (payload_alert, whole_alert, malformed)


# Literal and regex matches in TCP and UDP payloads; a clean packet; two signatures at once.
add(1, eth(ipv4(1, 6, tcp(b"GET /etc/passwd HTTP/1.0\r\n\r\n"))), True, True)
add(2, eth(ipv4(2, 17, udp(b"run C:\\WINDOWS\\CMD.EXE now"))), True, True)
add(3, eth(ipv4(3, 6, tcp(b"harmless text with no signature"))), False, False)
add(4, eth(ipv4(4, 6, tcp(b"id=1 UNION   select * from /etc/passwd"))), True, True)
# Straddling the TCP header/payload boundary: only whole-packet mode sees "ST" + "RADDLE".
add(5, eth(ipv4(5, 6, tcp(b"RADDLE and more", urg=0x5354))), False, True)
# The same signature wholly inside the payload matches in both modes.
add(6, eth(ipv4(6, 6, tcp(b"xxSTRADDLExx"))), True, True)
# Straddling the UDP header/payload boundary (checksum field "UD").
add(7, eth(ipv4(7, 17, udp(b"PSPAN", check=0x5544))), False, True)
# Zero-length payloads: a bare TCP ACK and an empty UDP datagram (padded to 60 bytes by
# Ethernet with a signature in the padding, which is beyond the IP datagram: never scanned).
add(8, eth(ipv4(8, 6, tcp(b"", flags=0x10))) + b"PADSIG", False, False)
add(9, eth(ipv4(9, 17, udp(b""))) + b"PADSIG" + b"\0" * 12, False, False)
# Padding after a non-empty payload is not scanned either.
add(10, eth(ipv4(10, 17, udp(b"ok"))) + b"PADSIG" + b"\0" * 8, False, False)
# Truncated: IPv4 header cut short; TCP header cut short (IP total length claims more).
add(11, eth(ipv4(11, 6, tcp(b"/etc/passwd"))[:14]), False, False, True)
add(12, eth(ipv4(12, 6, tcp(b"/etc/passwd"))[:30]), False, False, True)
# IP total length smaller than IP + TCP headers: malformed.
add(13, eth(ipv4(13, 6, tcp(b"/etc/passwd"), total=30)), False, False, True)
# A capture cut inside the payload: scanned as far as the packet's data goes.
add(14, eth(ipv4(14, 6, tcp(b"/etc/passwd and then a lot more bytes"))[:20 + 20 + 15]), True, True)
add(15, eth(ipv4(15, 6, tcp(b"abc /etc/passwd"))[:20 + 20 + 8]), False, False)
# Other protocols (ICMP here): the payload is everything after the IP header.
add(16, eth(ipv4(16, 1, b"\x08\x00\x00\x00\x00\x01\x00\x01cmd.exe")), True, True)

with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, frame in enumerate(packets):
        f.write(struct.pack("<IIII", 1000 + i, 0, len(frame), len(frame)) + frame)
with open(sys.argv[2], "w") as f:
    f.write(RULES)
if len(sys.argv) > 3:
    # The expectations, one line per packet: IDENT PAYLOAD_ALERT WHOLE_ALERT MALFORMED (0/1).
    with open(sys.argv[3], "w") as f:
        for ident, (a, b, m) in sorted(EXPECT.items()):
            f.write(f"{ident} {int(a)} {int(b)} {int(m)}\n")

"""Reading pcap frames and naming their flow, for the multicore tests."""
import struct


def frames(path):
    """The frames of a pcap file, without timestamps."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return []
    magic = struct.unpack_from("<I", data)[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack_from(end + "IIII", data, off)
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out


def flow_key(f):
    """Both directions of an IPv4 TCP/UDP flow share a key (what the runtime pins to one worker);
    every other frame is its own flow's member only by ethertype, so its order is not checked
    across workers: ('other', ethertype, frame)."""
    if len(f) >= 34 and f[12:14] == b"\x08\x00" and f[14] >> 4 == 4:
        ihl = (f[14] & 15) * 4
        proto, a, b = f[23], f[26:30], f[30:34]
        pa = pb = b""
        fragment = (int.from_bytes(f[20:22], "big") & 0x3FFF) != 0
        if proto in (6, 17) and not fragment and len(f) >= 14 + ihl + 4:
            pa, pb = f[14 + ihl:16 + ihl], f[16 + ihl:18 + ihl]
        return (proto,) + tuple(sorted([(a, pa), (b, pb)]))
    return ("other", f[12:14], f)

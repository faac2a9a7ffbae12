#!/usr/bin/env python3
"""Writes a copy of a shared library that ld.so's own consistency checks reject by asserting
(the process exits 127 with "Inconsistency detected by ld.so: ... Assertion ... failed!"): the
first version dependency (DT_VERNEED) is made to name a library the object does not need
(an arbitrary string of .dynstr), which dl-version.c asserts cannot happen.

usage: corrupt_elf.py IN OUT"""
import struct
import sys

DT_NULL, DT_STRTAB, DT_STRSZ, DT_VERNEED = 0, 5, 10, 0x6FFFFFFE
PT_LOAD, PT_DYNAMIC = 1, 2


def main(src, dst):
    data = bytearray(open(src, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("corrupt_elf.py: not a little-endian ELF64 file")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads, dynamic = [], None
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)

    def offset(vaddr):
        for v, o, n in loads:
            if v <= vaddr < v + n:
                return vaddr - v + o
        sys.exit("corrupt_elf.py: address 0x%x is in no segment" % vaddr)

    tags = {}
    off, end = dynamic[0], dynamic[0] + dynamic[1]
    while off < end:
        tag, val = struct.unpack_from("<qQ", data, off)
        if tag == DT_NULL:
            break
        tags.setdefault(tag, val)
        off += 16
    if DT_VERNEED not in tags:
        sys.exit("corrupt_elf.py: the library has no DT_VERNEED")
    strtab = offset(tags[DT_STRTAB])
    strings = bytes(data[strtab:strtab + tags[DT_STRSZ]])
    # The longest name that is not a library's: a symbol's.
    names = [(s, strings.find(s)) for s in strings.split(b"\0") if s and b".so" not in s]
    name, at = max(names, key=lambda x: len(x[0]))
    verneed = offset(tags[DT_VERNEED])
    struct.pack_into("<I", data, verneed + 4, at)  # vn_file
    open(dst, "wb").write(data)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

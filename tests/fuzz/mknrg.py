#!/usr/bin/env python3
"""mknrg.py - writes small Nero images in the three layouts libcdio's nrg
driver reads (v1 ETNF, v2 ETN2, v2 CUEX+DAOX), as fuzz seeds.
Usage: mknrg.py DIR"""
import struct
import sys

def sectors(n, size, seed):
    return bytes(((i * 131 + seed) & 0xFF) for i in range(n * size))

def chunk(cid, data):
    return cid + struct.pack('>I', len(data)) + data

def v1_etnf():
    data = sectors(8, 2336, 1)
    etnf = struct.pack('>IIIII', 0, len(data), 3, 0, 0)
    foot = chunk(b'ETNF', etnf) + chunk(b'SINF', struct.pack('>I', 1)) + \
        chunk(b'END!', b'')
    return data + foot + b'NERO' + struct.pack('>I', len(data))

def v2_etn2():
    data = sectors(12, 2352, 2)
    e = b''
    for i in range(2):
        e += struct.pack('>QQIIQ', i * 6 * 2352, 6 * 2352, 7, i * 6, 0)
    foot = chunk(b'ETN2', e) + chunk(b'SINF', struct.pack('>I', 2)) + \
        chunk(b'MTYP', struct.pack('>I', 1)) + chunk(b'END!', b'')
    return data + foot + b'NER5' + struct.pack('>Q', len(data))

def v2_daox(mode=7, size=2352):
    # Two tracks: track 1 with a 2-sector stored pregap and 2 sectors,
    # track 2 with 2 sectors; CUEX positions are LBAs (MSF - 150).
    data = sectors(6, size, 3)
    ctl = 0x01 if mode == 7 else 0x41
    cuex = [(ctl, 0x00, 0x00, -150), (ctl | 0x20, 1, 0, -150),
            (ctl | 0x20, 1, 1, 2), (ctl | 0x20, 2, 0, 4),
            (ctl | 0x20, 2, 1, 4), (ctl, 0xAA, 1, 6)]
    c = b''.join(struct.pack('>BBBBi', t, k, i, 0, l) for t, k, i, l in cuex)
    d = struct.pack('>I', 0) + b'0123456789012' + bytes([0, 0, 0]) + \
        bytes([1, 2])
    for idx0, idx1, end in ((0, 2, 4), (4, 4, 6)):
        d += b'\0' * 12 + struct.pack('>HBBBB', size, mode, 0, 0, 1) + \
            struct.pack('>QQQ', idx0 * size, idx1 * size, end * size)
    d = struct.pack('>I', len(d) + 8) + d[4:]
    foot = chunk(b'CUEX', c) + chunk(b'DAOX', d) + \
        chunk(b'SINF', struct.pack('>I', 2)) + \
        chunk(b'MTYP', struct.pack('>I', 1)) + chunk(b'END!', b'')
    return data + foot + b'NER5' + struct.pack('>Q', len(data))

out = sys.argv[1]
for name, blob in (('v1-etnf', v1_etnf()), ('v2-etn2', v2_etn2()),
                   ('v2-daox-audio', v2_daox()),
                   ('v2-daox-mode1', v2_daox(0, 2048))):
    with open(f'{out}/{name}', 'wb') as f:
        f.write(blob)

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Hand-made edge files for the corpus: edge.py OUTDIR

Files libpcap reads go into OUTDIR; files libpcap refuses (wholly or
part-way) into OUTDIR/invalid/. The packets are valid Ethernet/IPv4/UDP
frames; only the file structure is unusual. Needs neither root nor a
network.
"""
import os
import socket
import struct
import sys

from traffic import checksum, ipv4_packet

MAGIC_US, MAGIC_NS = 0xA1B2C3D4, 0xA1B23C4D
LINKTYPE_ETHERNET = 1
SECONDS = 1700000000


def udp_frame(n, seq):
    """Ethernet + IPv4 + UDP, 10.0.0.1:40000 -> 10.0.0.2:5002, n bytes."""
    body = bytes((seq + i) & 0xFF for i in range(n))
    src, dst = "10.0.0.1", "10.0.0.2"
    udp = struct.pack("!HHHH", 40000, 5002, 8 + n, 0) + body
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!xBH", 17, len(udp))
    udp = udp[:6] + struct.pack("!H", checksum(pseudo + udp) or 0xFFFF) + \
        udp[8:]
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    return eth + ipv4_packet(src, dst, 17, udp, seq)


def file_header(magic=MAGIC_US, snaplen=262144):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen,
                       LINKTYPE_ETHERNET)


def record(sec, frac, frame, caplen=None):
    caplen = len(frame) if caplen is None else caplen
    return struct.pack("<IIII", sec, frac, caplen, len(frame)) + frame


def frac_high(magic, unit):
    """The fraction field is unsigned 32-bit in the file, signed in
    libpcap's API: values from the top of the range up to 2^32 - 1,
    and the boundaries around one second."""
    fracs = [0, unit - 1, unit, 2**31 - 1, 2**31, 2**31 + 1, 2**32 - 1]
    out = file_header(magic)
    for i, frac in enumerate(fracs):
        out += record(SECONDS + i, frac, udp_frame(18 + i, i))
    return out


def main(outdir):
    invalid = os.path.join(outdir, "invalid")
    os.makedirs(invalid, exist_ok=True)
    frames = [udp_frame(n, i) for i, n in enumerate((18, 100, 1472))]
    files = {
        "edge-frac-high-us.pcap": frac_high(MAGIC_US, 10**6),
        "edge-frac-high-ns.pcap": frac_high(MAGIC_NS, 10**9),
        # real writers put "unlimited" into the header; libpcap's bound per
        # packet stays 262144
        "edge-huge-snaplen.pcap": file_header(snaplen=0x66666666) +
        b"".join(record(SECONDS + i, 500000, f) for i, f in enumerate(frames)),
        "edge-empty.pcap": file_header(),
        # three packets, then a record whose data ends after 100 bytes
        "invalid/edge-truncated.pcap": file_header() +
        b"".join(record(SECONDS + i, 0, f) for i, f in enumerate(frames)) +
        record(SECONDS + 3, 0, udp_frame(1000, 3))[:16 + 100],
        "invalid/edge-not-a-capture.pcap":
        b"This is a text file, not a packet capture.\n" * 4,
    }
    for name, data in files.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])

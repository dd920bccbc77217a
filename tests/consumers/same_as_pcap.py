#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""same_as_pcap.py PCAP JSONL: the packets a consumer printed (one JSON object a line with
seq, ts_ns, caplen, origlen and data in hex, as tests/consumers/*/consume.* print them) are
the packets of PCAP (a nanosecond pcap, as pktring-dump writes the ring), in seq order, byte
for byte. Prints the first difference; exit status 1 if any."""
import json
import struct
import sys


def pcap_packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    order = {0xA1B23C4D: ("<", 1), 0x4D3CB2A1: (">", 1), 0xA1B2C3D4: ("<", 1000), 0xD4C3B2A1: (">", 1000)}
    if magic not in order:
        sys.exit(f"{path}: not a classic pcap (magic {magic:#x})")
    endian, scale = order[magic]
    at, out = 24, []
    while at + 16 <= len(data):
        sec, frac, caplen, origlen = struct.unpack_from(endian + "IIII", data, at)
        at += 16
        out.append((sec * 1_000_000_000 + frac * scale, caplen, origlen, data[at:at + caplen].hex()))
        at += caplen
    return out


def main():
    want = pcap_packets(sys.argv[1])
    got = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
    got.sort(key=lambda p: (int(p["epoch"] or 0), int(p["seq"])))
    got = [(int(p["ts_ns"]), p["caplen"], p["origlen"], p["data"]) for p in got]
    if len(got) != len(want):
        sys.exit(f"{len(got)} packets from the consumer, {len(want)} in {sys.argv[1]}")
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            sys.exit(f"packet {i} differs: consumer {g[:3]} {g[3][:32]}..., pcap {w[:3]} {w[3][:32]}...")
    print(f"{len(got)} packets, the same as {sys.argv[1]}")


main()

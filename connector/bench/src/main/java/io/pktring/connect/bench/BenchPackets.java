package io.pktring.connect.bench;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import io.pktring.connect.ring.TestRingWriter;

/**
 * The benchmark's packets: Ethernet/IPv4/UDP frames of one size, 10.0.0.1 to 10.0.0.2 port 5001,
 * the source port varying (many flows), written into a ring or into a pcap file (for
 * pktring-replay at a rate, and for tshark).
 */
final class BenchPackets {

    private BenchPackets() {
    }

    /** Frame i of the given size (at least 42 bytes: Ethernet, IPv4 and UDP headers). */
    static byte[] udpFrame(int size, int i) {
        byte[] f = new byte[size];
        f[12] = 0x08; // IPv4
        f[14] = 0x45;
        int ipLen = size - 14;
        f[16] = (byte) (ipLen >> 8);
        f[17] = (byte) ipLen;
        f[22] = 64;
        f[23] = 17; // UDP
        f[26] = 10; f[27] = 0; f[28] = 0; f[29] = 1;
        f[30] = 10; f[31] = 0; f[32] = 0; f[33] = 2;
        f[34] = (byte) (i >> 8); // source port: many flows
        f[35] = (byte) i;
        f[36] = 0x13; f[37] = (byte) 0x89;
        int udpLen = ipLen - 20;
        f[38] = (byte) (udpLen >> 8);
        f[39] = (byte) udpLen;
        return f;
    }

    /** A ring holding n frames of the given size, large enough that none is overwritten; ended. */
    static void fillRing(Path ring, int size, int n) throws IOException {
        long need = (long) n * ((40 + size + 7) & ~7);
        long dataSize = Math.max(1 << 20, Long.highestOneBit(need) << 1);
        try (TestRingWriter r = TestRingWriter.create(ring, dataSize, 1, 65535, "bench" + size)) {
            long t = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < n; i++) {
                byte[] frame = udpFrame(size, i);
                r.write(frame, size, size, t + i);
            }
            r.end();
        }
    }

    /** A nanosecond pcap file (LINKTYPE_ETHERNET) of n frames of the given size, 1 µs apart. */
    static void writePcap(Path file, int size, int n) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
            out.writeInt(0xa1b23c4d); // nanosecond pcap, big-endian
            out.writeShort(2);
            out.writeShort(4);
            out.writeInt(0);
            out.writeInt(0);
            out.writeInt(65535);
            out.writeInt(1);
            long t = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < n; i++) {
                long ts = t + i * 1000L;
                out.writeInt((int) (ts / 1_000_000_000L));
                out.writeInt((int) (ts % 1_000_000_000L));
                out.writeInt(size);
                out.writeInt(size);
                out.write(udpFrame(size, i));
            }
        }
    }
}

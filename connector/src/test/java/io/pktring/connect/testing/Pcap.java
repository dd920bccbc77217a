package io.pktring.connect.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * Reads a pcap file with libpcap (through JNA): the independent source of truth the tests compare
 * the connector's records with. Stops at the first error, as tcpdump does for a damaged file.
 */
public final class Pcap {

    /** One packet as libpcap reports it. */
    public record Packet(long tsNanos, int caplen, int origlen, byte[] data, long sec, long nsec) {
        /** The ring's u64 nanosecond timestamp can hold sec * 10^9 + nsec (1970 to 2554). */
        public boolean representable() {
            java.math.BigInteger t = java.math.BigInteger.valueOf(sec).multiply(java.math.BigInteger.valueOf(1_000_000_000L))
                    .add(java.math.BigInteger.valueOf(nsec));
            return t.signum() >= 0 && t.bitLength() <= 64;
        }
    }

    /** A whole capture file. */
    public record Capture(Path path, int linktype, int snaplen, List<Packet> packets) {
    }

    interface LibPcap extends Library {
        LibPcap PCAP = Native.load("pcap", LibPcap.class);

        Pointer pcap_open_offline_with_tstamp_precision(String fname, int precision, byte[] errbuf);

        int pcap_next_ex(Pointer p, PointerByReference header, PointerByReference data);

        int pcap_datalink(Pointer p);

        int pcap_snapshot(Pointer p);

        void pcap_close(Pointer p);
    }

    private static final int PCAP_TSTAMP_PRECISION_NANO = 1;

    private Pcap() {
    }

    public static Capture read(Path file) {
        byte[] err = new byte[256];
        Pointer p = LibPcap.PCAP.pcap_open_offline_with_tstamp_precision(file.toString(), PCAP_TSTAMP_PRECISION_NANO, err);
        if (p == null) {
            throw new IllegalArgumentException(file + ": " + Native.toString(err));
        }
        try {
            List<Packet> packets = new ArrayList<>();
            PointerByReference hdr = new PointerByReference();
            PointerByReference data = new PointerByReference();
            while (LibPcap.PCAP.pcap_next_ex(p, hdr, data) == 1) {
                Pointer h = hdr.getValue();
                // pcap stores seconds as an unsigned 32-bit field (good to 2106); libpcap hands
                // them over sign-extended, so undo that for a classic pcap file.
                long sec = h.getLong(0);
                if (sec < 0 && sec >= Integer.MIN_VALUE) {
                    sec &= 0xffffffffL;
                }
                long nsec = h.getLong(8);    // struct timeval; nanoseconds with NANO precision
                int caplen = h.getInt(16);
                int len = h.getInt(20);
                packets.add(new Packet(sec * 1_000_000_000L + nsec, caplen, len, data.getValue().getByteArray(0, caplen), sec, nsec));
            }
            return new Capture(file, LibPcap.PCAP.pcap_datalink(p), LibPcap.PCAP.pcap_snapshot(p), packets);
        } finally {
            LibPcap.PCAP.pcap_close(p);
        }
    }
}

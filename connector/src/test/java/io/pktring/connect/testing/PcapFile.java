package io.pktring.connect.testing;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.pktring.connect.filter.FilterException;
import io.pktring.connect.filter.LibPcap;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests' one pcap reader (and writer): capture files as libpcap itself reads them, and
 * libpcap's own verdict of a filter on their packets, so tests compare against the reference
 * implementation. Reading stops at the first error, as tcpdump does for a damaged file.
 */
public final class PcapFile {

    /**
     * One packet as libpcap reports it, its time as the file stores it (see {@link #read}): sec
     * seconds and nsec nanoseconds (at least 10^9 when the file's fraction carries into the
     * seconds); tsNanos = sec * 10^9 + nsec, as the ring's u64 holds it.
     */
    public record Packet(long tsNanos, int caplen, int origlen, byte[] data, long sec, long nsec) {
        /** The ring's u64 nanosecond timestamp can hold sec * 10^9 + nsec (1970 to 2554). */
        public boolean representable() {
            BigInteger t = BigInteger.valueOf(sec).multiply(BigInteger.valueOf(1_000_000_000L)).add(BigInteger.valueOf(nsec));
            return t.signum() >= 0 && t.bitLength() <= 64;
        }
    }

    /** A file's packets as libpcap reads them; error is set when libpcap stopped early. */
    public record Contents(Path path, int linktype, int snaplen, List<Packet> packets, String error) {
    }

    private static final int HDR_TS_NSEC = NativeLong.SIZE;
    private static final int HDR_CAPLEN = 2 * NativeLong.SIZE;
    private static final int HDR_LEN = 2 * NativeLong.SIZE + 4;
    private static final int HDR_SIZE = 2 * NativeLong.SIZE + 8;

    private PcapFile() {
    }

    private static LibPcap.Pcap pcap() {
        try {
            return LibPcap.get();
        } catch (FilterException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Reads a whole file. A classic pcap stores the seconds and the fraction (µs or ns, by its
     * magic) as unsigned 32-bit fields; libpcap hands both over sign-extended (and scales a µs
     * fraction after that), which is undone here as the ring's writers undo it
     * (kmod/lib/pcap_input.c).
     *
     * @throws IllegalArgumentException when libpcap cannot open the file
     */
    public static Contents read(Path path) {
        Contents c = tryRead(path);
        if (c == null) {
            throw new IllegalArgumentException(path + ": libpcap cannot open it");
        }
        return c;
    }

    /** Reads a whole file, or returns null when libpcap cannot open it. */
    public static Contents tryRead(Path path) {
        LibPcap.Pcap pcap = pcap();
        long fracNs = classicFractionNs(path);
        byte[] errbuf = new byte[512];
        Pointer p = pcap.pcap_open_offline_with_tstamp_precision(path.toString(), LibPcap.TSTAMP_PRECISION_NANO, errbuf);
        if (p == null) {
            return null;
        }
        try {
            List<Packet> packets = new ArrayList<>();
            PointerByReference hdr = new PointerByReference();
            PointerByReference data = new PointerByReference();
            String error = null;
            while (true) {
                int rc = pcap.pcap_next_ex(p, hdr, data);
                if (rc == -2) {
                    break;
                }
                if (rc != 1) {
                    error = pcap.pcap_geterr(p);
                    break;
                }
                Pointer h = hdr.getValue();
                long sec = h.getNativeLong(0).longValue();
                long nsec = h.getNativeLong(HDR_TS_NSEC).longValue(); // nanoseconds with NANO precision
                if (fracNs > 0 && sec < 0) {
                    sec += 1L << 32;
                }
                if (fracNs > 0 && nsec < 0) {
                    nsec += fracNs << 32;
                }
                int caplen = h.getInt(HDR_CAPLEN);
                packets.add(new Packet(sec * 1_000_000_000L + nsec, caplen, h.getInt(HDR_LEN),
                        data.getValue().getByteArray(0, caplen), sec, nsec));
            }
            return new Contents(path, pcap.pcap_datalink(p), pcap.pcap_snapshot(p), packets, error);
        } finally {
            pcap.pcap_close(p);
        }
    }

    /** Nanoseconds per unit of a classic pcap's fraction, by its magic; 0 for any other file. */
    private static long classicFractionNs(Path path) {
        byte[] m = new byte[4];
        try (InputStream in = Files.newInputStream(path)) {
            if (in.readNBytes(m, 0, 4) < 4) {
                return 0;
            }
        } catch (IOException e) {
            return 0; // libpcap says why it cannot read the file
        }
        int le = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int be = ByteBuffer.wrap(m).order(ByteOrder.BIG_ENDIAN).getInt();
        for (int magic : new int[] {le, be}) {
            switch (magic) {
                case 0xa1b2c3d4, 0xa1b2cd34, 0xa12b3c4d: // microseconds (plain, Kuznetzov's, Navtel)
                    return 1000;
                case 0xa1b23c4d: // nanoseconds
                    return 1;
                default:
                    break;
            }
        }
        return 0;
    }

    /** Writes packets to a pcap file with libpcap (no timestamps: the tests that use it need bytes only). */
    public static void write(Path path, int linktype, List<Packet> packets) {
        LibPcap.Pcap pcap = pcap();
        Pointer dead = pcap.pcap_open_dead(linktype, 262144);
        try {
            Pointer dumper = pcap.pcap_dump_open(dead, path.toString());
            if (dumper == null) {
                throw new IllegalStateException("pcap_dump_open " + path + ": " + pcap.pcap_geterr(dead));
            }
            Memory hdr = new Memory(HDR_SIZE);
            hdr.clear();
            for (Packet pk : packets) {
                hdr.setInt(HDR_CAPLEN, pk.caplen());
                hdr.setInt(HDR_LEN, pk.origlen());
                pcap.pcap_dump(dumper, hdr, bytes(pk));
            }
            pcap.pcap_dump_close(dumper);
        } finally {
            pcap.pcap_close(dead);
        }
    }

    /** libpcap's verdict for each packet, or null when libpcap does not compile expr for this link type. */
    public static boolean[] offlineFilter(String expr, Contents c) {
        LibPcap.Pcap pcap = pcap();
        Pointer dead = pcap.pcap_open_dead(c.linktype(), c.snaplen() > 0 ? c.snaplen() : 262144);
        try {
            LibPcap.BpfProgramStruct fp = new LibPcap.BpfProgramStruct();
            if (pcap.pcap_compile(dead, fp, expr, 1, LibPcap.NETMASK_UNKNOWN) != 0) {
                return null;
            }
            try {
                boolean[] out = new boolean[c.packets().size()];
                Memory hdr = new Memory(HDR_SIZE);
                hdr.clear();
                for (int i = 0; i < out.length; i++) {
                    Packet pk = c.packets().get(i);
                    hdr.setInt(HDR_CAPLEN, pk.caplen());
                    hdr.setInt(HDR_LEN, pk.origlen());
                    out[i] = pcap.pcap_offline_filter(fp, hdr, bytes(pk)) != 0;
                }
                return out;
            } finally {
                pcap.pcap_freecode(fp);
            }
        } finally {
            pcap.pcap_close(dead);
        }
    }

    private static Memory bytes(Packet pk) {
        Memory data = new Memory(Math.max(1, pk.caplen()));
        data.write(0, pk.data(), 0, pk.caplen());
        return data;
    }
}

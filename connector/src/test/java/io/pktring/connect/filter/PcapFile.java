package io.pktring.connect.filter;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test oracle: reads pcap/pcapng files with libpcap itself (through JNA) and evaluates filters
 * with libpcap's own pcap_offline_filter, so tests compare against the reference implementation.
 */
public final class PcapFile {
    /** The shared test captures, relative to the connector module (Maven's working directory). */
    public static final Path TESTDATA = Path.of("..", "..", "shared", "testdata", "pcap");

    public record Packet(long tsNanos, int caplen, int origlen, byte[] data) {
    }

    /** A file's packets as libpcap reads them; error is set when libpcap stopped early. */
    public record Contents(Path path, int linktype, int snaplen, List<Packet> packets, String error) {
    }

    interface Pcap extends Library {
        Pointer pcap_open_offline_with_tstamp_precision(String fname, int precision, byte[] errbuf);

        int pcap_next_ex(Pointer p, PointerByReference header, PointerByReference data);

        int pcap_datalink(Pointer p);

        int pcap_snapshot(Pointer p);

        String pcap_geterr(Pointer p);

        void pcap_close(Pointer p);

        Pointer pcap_open_dead(int linktype, int snaplen);

        int pcap_compile(Pointer p, LibPcap.BpfProgram fp, String str, int optimize, int netmask);

        int pcap_offline_filter(LibPcap.BpfProgram fp, Pointer header, Pointer data);

        void pcap_freecode(LibPcap.BpfProgram fp);

        Pointer pcap_dump_open(Pointer p, String fname);

        void pcap_dump(Pointer dumper, Pointer header, Pointer data);

        void pcap_dump_close(Pointer dumper);
    }

    private static final Pcap PCAP = load();

    private static Pcap load() {
        try {
            return Native.load("pcap", Pcap.class);
        } catch (UnsatisfiedLinkError e) {
            return Native.load("libpcap.so.0.8", Pcap.class);
        }
    }

    private PcapFile() {
    }

    /** Every capture in the shared test data, sorted by name. */
    public static List<Path> all() throws Exception {
        try (Stream<Path> s = Files.list(TESTDATA)) {
            return s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        }
    }

    public static Path named(String name) {
        return TESTDATA.resolve(name);
    }

    /** Reads a whole file, or returns null when libpcap cannot open it. */
    public static Contents read(Path path) {
        byte[] errbuf = new byte[512];
        Pointer p = PCAP.pcap_open_offline_with_tstamp_precision(path.toString(), 1 /* nano */, errbuf);
        if (p == null) {
            return null;
        }
        try {
            List<Packet> packets = new ArrayList<>();
            PointerByReference hdr = new PointerByReference();
            PointerByReference data = new PointerByReference();
            String error = null;
            while (true) {
                int rc = PCAP.pcap_next_ex(p, hdr, data);
                if (rc == -2) {
                    break;
                }
                if (rc != 1) {
                    error = PCAP.pcap_geterr(p);
                    break;
                }
                Pointer h = hdr.getValue(); // struct pcap_pkthdr { struct timeval ts; u32 caplen, len; }
                long ts = h.getLong(0) * 1_000_000_000L + h.getLong(8);
                int caplen = h.getInt(16);
                packets.add(new Packet(ts, caplen, h.getInt(20), data.getValue().getByteArray(0, caplen)));
            }
            return new Contents(path, PCAP.pcap_datalink(p), PCAP.pcap_snapshot(p), packets, error);
        } finally {
            PCAP.pcap_close(p);
        }
    }

    /** Writes packets to a pcap file with libpcap (timestamps are not kept: the tests that use it need bytes only). */
    public static void write(Path path, int linktype, List<Packet> packets) {
        Pointer dead = PCAP.pcap_open_dead(linktype, 262144);
        try {
            Pointer dumper = PCAP.pcap_dump_open(dead, path.toString());
            if (dumper == null) {
                throw new IllegalStateException("pcap_dump_open " + path + ": " + PCAP.pcap_geterr(dead));
            }
            Memory hdr = new Memory(24);
            hdr.clear();
            for (Packet pk : packets) {
                Memory data = new Memory(Math.max(1, pk.caplen()));
                data.write(0, pk.data(), 0, pk.caplen());
                hdr.setInt(16, pk.caplen());
                hdr.setInt(20, pk.origlen());
                PCAP.pcap_dump(dumper, hdr, data);
            }
            PCAP.pcap_dump_close(dumper);
        } finally {
            PCAP.pcap_close(dead);
        }
    }

    /** libpcap's verdict for each packet, or null when libpcap does not compile expr for this link type. */
    public static boolean[] offlineFilter(String expr, Contents c) {
        Pointer dead = PCAP.pcap_open_dead(c.linktype(), c.snaplen() > 0 ? c.snaplen() : 262144);
        try {
            LibPcap.BpfProgram fp = new LibPcap.BpfProgram();
            if (PCAP.pcap_compile(dead, fp, expr, 1, LibPcap.NETMASK_UNKNOWN) != 0) {
                return null;
            }
            try {
                boolean[] out = new boolean[c.packets().size()];
                Memory hdr = new Memory(24);
                hdr.clear();
                for (int i = 0; i < out.length; i++) {
                    Packet pk = c.packets().get(i);
                    Memory data = new Memory(Math.max(1, pk.caplen()));
                    data.write(0, pk.data(), 0, pk.caplen());
                    hdr.setInt(16, pk.caplen());
                    hdr.setInt(20, pk.origlen());
                    out[i] = PCAP.pcap_offline_filter(fp, hdr, data) != 0;
                }
                return out;
            } finally {
                PCAP.pcap_freecode(fp);
            }
        } finally {
            PCAP.pcap_close(dead);
        }
    }
}

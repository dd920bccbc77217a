package io.pktring.connect.filter;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;

/**
 * libpcap through JNA, the module's one binding: the functions the filter compiles tcpdump syntax
 * with (no capture needed), and those the tests read, write and filter capture files with.
 */
public final class LibPcap {
    private LibPcap() {
    }

    /** PCAP_NETMASK_UNKNOWN: "ip broadcast" then fails to compile, as in tcpdump on an unknown net. */
    public static final int NETMASK_UNKNOWN = 0xffffffff;
    /** PCAP_TSTAMP_PRECISION_NANO: timestamps in nanoseconds. */
    public static final int TSTAMP_PRECISION_NANO = 1;

    /** struct bpf_program. */
    @Structure.FieldOrder({"bf_len", "bf_insns"})
    public static class BpfProgramStruct extends Structure {
        public int bf_len;
        public Pointer bf_insns;
    }

    /** The functions; a header is a struct pcap_pkthdr { struct timeval ts; u32 caplen, len; }. */
    public interface Pcap extends Library {
        Pointer pcap_open_dead(int linktype, int snaplen);

        int pcap_compile(Pointer p, BpfProgramStruct fp, String str, int optimize, int netmask);

        String pcap_geterr(Pointer p);

        void pcap_freecode(BpfProgramStruct fp);

        void pcap_close(Pointer p);

        String pcap_lib_version();

        // capture files: the tests read them, topic2pcap writes them

        Pointer pcap_open_dead_with_tstamp_precision(int linktype, int snaplen, int precision);

        Pointer pcap_open_offline_with_tstamp_precision(String fname, int precision, byte[] errbuf);

        int pcap_next_ex(Pointer p, PointerByReference header, PointerByReference data);

        int pcap_datalink(Pointer p);

        int pcap_snapshot(Pointer p);

        int pcap_offline_filter(BpfProgramStruct fp, Pointer header, Pointer data);

        Pointer pcap_dump_open(Pointer p, String fname);

        void pcap_dump(Pointer dumper, Pointer header, Pointer data);

        void pcap_dump(Pointer dumper, Pointer header, byte[] data);

        int pcap_dump_flush(Pointer dumper);

        void pcap_dump_close(Pointer dumper);
    }

    private static final Pcap PCAP;
    private static final Throwable LOAD_ERROR;

    static {
        Pcap lib = null;
        Throwable error = null;
        // libpcap.so exists only with the -dev package; the runtime package ships the versioned name
        for (String name : new String[] {"pcap", "libpcap.so.1", "libpcap.so.0.8"}) {
            try {
                lib = Native.load(name, Pcap.class);
                break;
            } catch (UnsatisfiedLinkError e) {
                error = e;
            }
        }
        PCAP = lib;
        LOAD_ERROR = lib == null ? error : null;
    }

    /**
     * The DLT_ value libpcap takes for a LINKTYPE_ value as files and rings store it. They differ
     * only for these few (libpcap's linktype_to_dlt, on Linux).
     */
    public static int dlt(int linktype) {
        return switch (linktype) {
            case 100 -> 11; // ATM_RFC1483
            case 101 -> 12; // RAW
            case 102 -> 15; // SLIP_BSDOS
            case 103 -> 16; // PPP_BSDOS
            default -> linktype;
        };
    }

    /** True when libpcap can be loaded. */
    public static boolean available() {
        return PCAP != null;
    }

    /** libpcap, or a FilterException saying what to install. */
    public static Pcap get() throws FilterException {
        if (PCAP == null) {
            throw new FilterException("libpcap cannot be loaded (install libpcap, Debian: libpcap0.8): "
                    + LOAD_ERROR.getMessage(), LOAD_ERROR);
        }
        return PCAP;
    }
}

package io.pktring.topic2pcap;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The few libpcap functions topic2pcap writes pcap files with, through JNA. */
public interface Libpcap extends Library {

    /** Timestamps in the file are in nanoseconds (the pcap "nanosecond" magic). */
    int PCAP_TSTAMP_PRECISION_NANO = 1;

    Pointer pcap_open_dead_with_tstamp_precision(int linktype, int snaplen, int precision);

    /** A file name of "-" writes to standard output. */
    Pointer pcap_dump_open(Pointer pcap, String fname);

    /** header: struct pcap_pkthdr (see {@link PcapWriter}). */
    void pcap_dump(Pointer dumper, Pointer header, byte[] data);

    int pcap_dump_flush(Pointer dumper);

    void pcap_dump_close(Pointer dumper);

    String pcap_geterr(Pointer pcap);

    void pcap_close(Pointer pcap);

    String pcap_lib_version();

    /**
     * The DLT_ value pcap_open_dead takes for a LINKTYPE_ value as records (and files and rings)
     * carry it; libpcap refuses to write a LINKTYPE_ value where they differ (linktype_to_dlt in
     * libpcap, on Linux; the connector's LibPcap.dlt is the same table).
     */
    static int dlt(int linktype) {
        return switch (linktype) {
            case 100 -> 11; // ATM_RFC1483
            case 101 -> 12; // RAW
            case 102 -> 15; // SLIP_BSDOS
            case 103 -> 16; // PPP_BSDOS
            default -> linktype;
        };
    }

    /** libpcap, loaded once; fails with a message that says what to install. */
    static Libpcap get() {
        return Holder.INSTANCE;
    }

    /** Lazy holder so a missing libpcap surfaces where it is first needed. */
    final class Holder {
        static final Libpcap INSTANCE;

        static {
            try {
                INSTANCE = Native.load("pcap", Libpcap.class);
            } catch (UnsatisfiedLinkError e) {
                throw new IllegalStateException(
                        "libpcap not found (install libpcap0.8 / libpcap-dev): " + e.getMessage(), e);
            }
        }

        private Holder() {
        }
    }
}

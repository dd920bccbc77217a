package io.pktring.connect.filter;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** The part of libpcap the filter needs: compile tcpdump syntax to classic BPF without a capture. */
final class LibPcap {
    private LibPcap() {
    }

    /** PCAP_NETMASK_UNKNOWN: "ip broadcast" then fails to compile, as in tcpdump on an unknown net. */
    static final int NETMASK_UNKNOWN = 0xffffffff;

    /** struct bpf_program. */
    @Structure.FieldOrder({"bf_len", "bf_insns"})
    public static class BpfProgram extends Structure {
        public int bf_len;
        public Pointer bf_insns;
    }

    interface Pcap extends Library {
        Pointer pcap_open_dead(int linktype, int snaplen);

        int pcap_compile(Pointer p, BpfProgram fp, String str, int optimize, int netmask);

        String pcap_geterr(Pointer p);

        void pcap_freecode(BpfProgram fp);

        void pcap_close(Pointer p);

        String pcap_lib_version();
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

    static boolean available() {
        return PCAP != null;
    }

    static Pcap get() throws FilterException {
        if (PCAP == null) {
            throw new FilterException("libpcap cannot be loaded (install libpcap, Debian: libpcap0.8): "
                    + LOAD_ERROR.getMessage(), LOAD_ERROR);
        }
        return PCAP;
    }
}

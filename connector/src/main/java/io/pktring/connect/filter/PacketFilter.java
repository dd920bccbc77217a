package io.pktring.connect.filter;

import com.sun.jna.Pointer;

/**
 * A packet filter in tcpdump syntax. libpcap compiles the expression (pcap_open_dead +
 * pcap_compile, as tcpdump does for a saved file) into classic BPF, which is then evaluated in
 * Java, so matching a packet costs no native call. Immutable and safe to share between threads.
 */
public final class PacketFilter {
    /** pcap_compile is not thread-safe before libpcap 1.8; one compile at a time costs nothing here. */
    private static final Object COMPILE_LOCK = new Object();

    private final String expression;
    private final BpfProgram program;

    private PacketFilter(String expression, BpfProgram program) {
        this.expression = expression;
        this.program = program;
    }

    /**
     * Compiles a tcpdump-syntax expression for packets of the given pcap link type (a LINKTYPE_ or
     * DLT_ value) and snap length.
     *
     * @throws FilterException with libpcap's message for a bad expression, or when libpcap cannot be loaded
     */
    public static PacketFilter compile(String expression, int linktype, int snaplen) throws FilterException {
        LibPcap.Pcap pcap = LibPcap.get();
        synchronized (COMPILE_LOCK) {
            Pointer handle = pcap.pcap_open_dead(LibPcap.dlt(linktype), snaplen);
            if (handle == null) {
                throw new FilterException("libpcap cannot open a handle for link type " + linktype);
            }
            try {
                LibPcap.BpfProgramStruct fp = new LibPcap.BpfProgramStruct();
                if (pcap.pcap_compile(handle, fp, expression, 1, LibPcap.NETMASK_UNKNOWN) != 0) {
                    throw new FilterException(pcap.pcap_geterr(handle));
                }
                try {
                    fp.read();
                    return new PacketFilter(expression, copy(fp));
                } finally {
                    pcap.pcap_freecode(fp);
                }
            } finally {
                pcap.pcap_close(handle);
            }
        }
    }

    /** True when libpcap can be loaded, so filters can be compiled. */
    public static boolean libpcapAvailable() {
        return LibPcap.available();
    }

    /** Copies the struct bpf_insn array {u16 code; u8 jt; u8 jf; u32 k} out of libpcap's memory. */
    private static BpfProgram copy(LibPcap.BpfProgramStruct fp) throws FilterException {
        int n = fp.bf_len;
        if (n <= 0 || n > BpfProgram.MAXINSNS || fp.bf_insns == null) {
            throw new FilterException("libpcap returned a program of " + n + " instructions");
        }
        short[] code = new short[n];
        byte[] jt = new byte[n];
        byte[] jf = new byte[n];
        int[] k = new int[n];
        for (int i = 0; i < n; i++) {
            long off = 8L * i;
            code[i] = fp.bf_insns.getShort(off);
            jt[i] = fp.bf_insns.getByte(off + 2);
            jf[i] = fp.bf_insns.getByte(off + 3);
            k[i] = fp.bf_insns.getInt(off + 4);
        }
        return new BpfProgram(code, jt, jf, k);
    }

    /** True when the packet (bytes [0, caplen) of data, origlen on the wire) passes the filter. */
    public boolean matches(byte[] data, int caplen, int origlen) {
        return program.run(data, caplen, origlen);
    }

    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return "PacketFilter[" + expression + ", " + program.length() + " BPF instructions]";
    }
}

package io.pktring.topic2pcap;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.pktring.connect.filter.FilterException;
import io.pktring.connect.filter.LibPcap;
import java.io.IOException;

/**
 * Writes a pcap file with nanosecond timestamps through libpcap (pcap_open_dead +
 * pcap_dump), so tcpdump, tshark and Wireshark read it exactly as they read their own.
 */
public final class PcapWriter implements AutoCloseable {

    private final LibPcap.Pcap pcap;
    private final String target;
    private final int linktype;
    private final Pointer handle;
    private final Pointer dumper;
    /** struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len; } */
    private final Memory header = new Memory(2L * NativeLong.SIZE + 8);
    private boolean closed;

    /** Opens FILE for writing, or standard output for "-"; linktype is a LINKTYPE_ value, as records carry it. */
    public PcapWriter(String target, int linktype, int snaplen) throws IOException {
        this.target = target;
        this.linktype = linktype;
        try {
            this.pcap = LibPcap.get();
        } catch (FilterException e) {
            throw new IOException(e.getMessage(), e);
        }
        this.handle = pcap.pcap_open_dead_with_tstamp_precision(
                LibPcap.dlt(linktype), snaplen, LibPcap.TSTAMP_PRECISION_NANO);
        if (handle == null) {
            throw new IOException("libpcap cannot make a pcap of link type " + linktype);
        }
        this.dumper = pcap.pcap_dump_open(handle, target);
        if (dumper == null) {
            String err = pcap.pcap_geterr(handle);
            pcap.pcap_close(handle);
            throw new IOException("cannot write pcap to " + target + ": " + err);
        }
    }

    public int linktype() {
        return linktype;
    }

    /**
     * True when a pcap file can hold this time (nanoseconds since 1970, a u64 as the ring's): its
     * seconds field is 32 bits, so up to 2^32 - 1 s, 2106-02-07 06:28:15 UTC. A pcapng capture
     * may hold later times, which the ring and the records keep.
     */
    public static boolean holds(long tsNanos) {
        return Long.compareUnsigned(Long.divideUnsigned(tsNanos, 1_000_000_000L), 0xffff_ffffL) <= 0;
    }

    /** Writes the packet; its time must be one a pcap file {@link #holds}. */
    public void write(CapturedPacket p) {
        if (!holds(p.tsNanos())) {
            throw new IllegalArgumentException("a pcap file cannot hold the time " + Long.toUnsignedString(p.tsNanos())
                    + " ns since 1970 (after 2106-02-07 06:28:15 UTC)");
        }
        long sec = Math.floorDiv(p.tsNanos(), 1_000_000_000L);
        long nsec = Math.floorMod(p.tsNanos(), 1_000_000_000L);
        // With nanosecond precision the timeval's second field carries nanoseconds.
        header.setNativeLong(0, new NativeLong(sec));
        header.setNativeLong(NativeLong.SIZE, new NativeLong(nsec));
        header.setInt(2L * NativeLong.SIZE, p.caplen());
        header.setInt(2L * NativeLong.SIZE + 4, p.origlen());
        pcap.pcap_dump(dumper, header, p.data());
    }

    /** Pushes buffered packets out (a follower piping into tcpdump sees them at once). */
    public void flush() throws IOException {
        if (pcap.pcap_dump_flush(dumper) != 0) {
            throw new IOException("writing pcap to " + target + " failed (disk full or pipe closed?)");
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        int flushed = pcap.pcap_dump_flush(dumper);
        pcap.pcap_dump_close(dumper);
        pcap.pcap_close(handle);
        if (flushed != 0) {
            throw new IOException("writing pcap to " + target + " failed (disk full or pipe closed?)");
        }
    }

}

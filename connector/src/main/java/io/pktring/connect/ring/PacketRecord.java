package io.pktring.connect.ring;

/** One packet copied out of the ring. Mutable and reused by the caller to avoid garbage. */
public final class PacketRecord {
    /** Position of this record and of the one after it (the offset to commit once delivered). */
    public long position, nextPosition;
    /** Per-epoch packet sequence number, CLOCK_REALTIME nanoseconds. */
    public long seq, tsNanos;
    /** Packets lost (lapped) just before this one, exact when the expected sequence was known. */
    public long lostBefore;
    public int caplen, origlen, ifindex, direction, pkttype, flags;
    /** Ethertype in host order (the ring stores it in network byte order). */
    public int protocol;
    /** Packet bytes; grown as needed, valid bytes are [0, caplen). */
    public byte[] data = new byte[2048];

    /** True when the writer cut the packet to the snap length. */
    public boolean truncated() {
        return (flags & RingLayout.RF_TRUNCATED) != 0;
    }
}

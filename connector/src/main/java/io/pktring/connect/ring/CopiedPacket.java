package io.pktring.connect.ring;

/**
 * One packet copied out of a ring record: its header fields and its bytes. A reader allocates one,
 * with room for the ring's largest packet (max_record), and fills it again on each read; it is
 * valid until the reader's next read.
 */
public final class CopiedPacket {
    /** Position of this packet's record and of the record after it (the offset to commit once delivered). */
    public long position, nextPosition;
    /** Per-epoch packet sequence number; CLOCK_REALTIME nanoseconds (a u64). */
    public long seq, tsNanos;
    /**
     * Packets lost just before this one: since the previous packet its reader delivered, exact
     * (R5). A follower that skips packets of its own (a filter, a re-created ring) adds those.
     */
    public long lostBefore;
    public int caplen, origlen, ifindex, direction, pkttype, flags;
    /** Ethertype in host order (the ring stores it in network byte order). */
    public int protocol;
    /** The packet's bytes, [0, caplen) valid. */
    public final byte[] data;

    CopiedPacket(int maxCaplen) {
        this.data = new byte[maxCaplen];
    }

    /** True when the writer cut the packet to the snap length. */
    public boolean truncated() {
        return (flags & RingLayout.RF_TRUNCATED) != 0;
    }

    /** The direction as a word: "in", "out" or "unknown". */
    public String directionName() {
        return switch (direction) {
            case RingLayout.DIR_IN -> "in";
            case RingLayout.DIR_OUT -> "out";
            default -> "unknown";
        };
    }
}

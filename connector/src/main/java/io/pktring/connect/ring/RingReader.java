package io.pktring.connect.ring;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One reader's position in a ring, following the header's reader protocol R1-R5: copy a record
 * out, then re-check reclaim to learn whether the writer overwrote it meanwhile. The writer never
 * waits for readers; a reader that falls behind is lapped, jumps forward and counts the loss
 * exactly from the gap in sequence numbers.
 *
 * <p>Not thread-safe: one thread calls {@link #next}; any thread may call {@link #wakeup()}.
 */
public final class RingReader {
    /** Longest single wait, so wakeup(), interrupts and close() are noticed within 100 ms. */
    static final int WAIT_SLICE_MILLIS = 50;

    private final Ring ring;
    private final long mask;
    private final byte[] hdr = new byte[RingLayout.REC_HDR_SIZE];
    private final ByteBuffer hdrView = ByteBuffer.wrap(hdr).order(ByteOrder.nativeOrder());
    private long position;
    private long expectedSeq;
    private long lostTotal;
    private volatile boolean wakeupRequested;

    RingReader(Ring ring, long position, long expectedSeq) {
        this.ring = ring;
        this.mask = ring.identity().dataSize() - 1;
        this.position = position;
        this.expectedSeq = expectedSeq;
    }

    /**
     * Fills out with the next packet; false if none arrived within timeoutMillis, wakeup() was
     * called, or the ring ended and is drained. Padding is skipped. out.lostBefore = exact
     * packets lost just before this one.
     *
     * @throws RingFormatException the ring holds a record that cannot be valid (corrupt ring)
     */
    public boolean next(PacketRecord out, long timeoutMillis) throws RingException, InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while reading " + ring.identity().path());
            }
            if (wakeupRequested) {
                wakeupRequested = false;
                return false;
            }
            ring.lockMapping();
            try {
                // R1
                long h = ring.loadHead();
                if (h == position) {
                    if (ring.loadState() == RingLayout.STATE_ENDED && ring.loadHead() == position) {
                        return false; // drained an ended ring
                    }
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        return false;
                    }
                    ring.awaitData(h, (int) Math.min(left, WAIT_SLICE_MILLIS));
                    continue;
                }
                if (readOne(h, out)) {
                    return true;
                }
            } catch (InternalError e) {
                // the JVM turns SIGBUS on a mapped page into this: the file behind the mapping shrank
                throw new RingException(ring.identity().path() + ": the ring's memory can no longer be read"
                        + " (was the ring file truncated or removed by its writer?): " + e.getMessage(), e);
            } finally {
                ring.unlockMapping();
            }
        }
    }

    /** R2-R5 for the record at position; true when out holds a packet, false to go round again. */
    private boolean readOne(long h, PacketRecord out) throws RingFormatException {
        long pos = position;
        long r = ring.loadReclaim(); // R2
        ring.checkPositions(h, r);
        if (Long.compareUnsigned(pos, h) > 0) {
            throw new RingFormatException(ring.identity().path() + ": reader position " + Long.toUnsignedString(pos)
                    + " is beyond head " + Long.toUnsignedString(h) + ": the head moved backwards, corrupt ring");
        }
        if (Long.compareUnsigned(pos, r) < 0) {
            position = r; // lapped: the loss shows as a sequence gap at the next packet
            return false;
        }
        // R3: copy, then validate the copy before trusting any length in it.
        String problem = copyRecord(pos, h, out);
        // R4: order the copy's loads before the reclaim re-check that tells whether it was torn.
        VarHandle.acquireFence();
        long r2 = ring.loadReclaim();
        if (Long.compareUnsigned(pos, r2) < 0) {
            position = r2;
            return false;
        }
        if (problem != null) {
            throw new RingFormatException(ring.identity().path() + ": corrupt record at position "
                    + Long.toUnsignedString(pos) + ": " + problem);
        }
        int len = hdrView.getInt(RingLayout.ROFF_LEN);
        position = pos + len;
        if ((hdrView.getShort(RingLayout.ROFF_TYPE) & 0xffff) == RingLayout.REC_PADDING) {
            return false; // R5, padding
        }
        long seq = out.seq;
        if (expectedSeq >= 0 && Long.compareUnsigned(seq, expectedSeq) < 0) {
            throw new RingFormatException(ring.identity().path() + ": packet sequence went backwards at position "
                    + Long.toUnsignedString(pos) + " (seq " + seq + ", expected " + expectedSeq + "): corrupt ring");
        }
        out.lostBefore = expectedSeq >= 0 ? seq - expectedSeq : 0;
        lostTotal += out.lostBefore;
        expectedSeq = seq + 1;
        out.position = pos;
        out.nextPosition = position;
        return true;
    }

    /** Copies the record at pos into hdr (and out for a packet); returns what is invalid, or null. */
    private String copyRecord(long pos, long h, PacketRecord out) {
        DataArea data = ring.data();
        long off = pos & mask;
        long room = Math.min(data.size() - off, h - pos); // the record must end before both
        if (room < RingLayout.REC_MIN) {
            return "only " + room + " bytes left before the end of the data area or the head";
        }
        data.copy(off, hdr, 0, RingLayout.REC_MIN);
        long len = hdrView.getInt(RingLayout.ROFF_LEN) & 0xffffffffL;
        int type = hdrView.getShort(RingLayout.ROFF_TYPE) & 0xffff;
        if (len < RingLayout.REC_MIN || len % RingLayout.ALIGN != 0) {
            return "length " + len + " is not a multiple of " + RingLayout.ALIGN + " of at least " + RingLayout.REC_MIN;
        }
        if (len > room) {
            return "length " + len + " points outside the ring (" + room + " bytes to the end of the data area or the head)";
        }
        if (type == RingLayout.REC_PADDING) {
            return null;
        }
        if (type != RingLayout.REC_PACKET) {
            return "unknown record type " + type;
        }
        if (len < RingLayout.REC_HDR_SIZE) {
            return "packet record length " + len + " is shorter than the " + RingLayout.REC_HDR_SIZE + "-byte header";
        }
        data.copy(off + RingLayout.REC_MIN, hdr, RingLayout.REC_MIN, RingLayout.REC_HDR_SIZE - RingLayout.REC_MIN);
        long caplen = hdrView.getInt(RingLayout.ROFF_CAPLEN) & 0xffffffffL;
        if (caplen > len - RingLayout.REC_HDR_SIZE) {
            return "caplen " + caplen + " does not fit in the record length " + len;
        }
        if (out.data == null || out.data.length < caplen) {
            out.data = new byte[(int) Math.max(caplen, out.data == null ? 0 : Math.min(2L * out.data.length, Integer.MAX_VALUE - 8))];
        }
        data.copy(off + RingLayout.REC_HDR_SIZE, out.data, 0, (int) caplen);
        out.caplen = (int) caplen;
        out.origlen = hdrView.getInt(RingLayout.ROFF_ORIGLEN);
        out.seq = hdrView.getLong(RingLayout.ROFF_SEQ);
        out.tsNanos = hdrView.getLong(RingLayout.ROFF_TS_NS);
        out.flags = hdrView.getShort(RingLayout.ROFF_FLAGS) & 0xffff;
        out.ifindex = hdrView.getInt(RingLayout.ROFF_IFINDEX);
        out.direction = hdr[RingLayout.ROFF_DIRECTION] & 0xff;
        out.pkttype = hdr[RingLayout.ROFF_PKTTYPE] & 0xff;
        // stored in network byte order, as in the skb
        out.protocol = ((hdr[RingLayout.ROFF_PROTOCOL] & 0xff) << 8) | (hdr[RingLayout.ROFF_PROTOCOL + 1] & 0xff);
        return null;
    }

    /** Position of the next record to read (the offset to commit after the last delivered one). */
    public long position() {
        return position;
    }

    /** Sequence number expected next, or -1 when not known yet. */
    public long expectedSeq() {
        return expectedSeq;
    }

    /** Packets this reader lost by being lapped, since it was created. */
    public long lostTotal() {
        return lostTotal;
    }

    /** Bytes published but not read yet (head - position). */
    public long lag() {
        return Math.max(0, ring.head() - position);
    }

    /** Makes a next() that is waiting (or the next call) return false within 100 ms. */
    public void wakeup() {
        wakeupRequested = true;
    }
}

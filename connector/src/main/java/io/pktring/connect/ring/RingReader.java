// Over 300 lines: the whole reader protocol R1-R5 in one class, as the ABI describes it.
package io.pktring.connect.ring;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * One reader's position in a ring and the whole reader protocol of the header, R1-R5: load head,
 * load reclaim, copy a record out, then re-check reclaim to learn whether the writer overwrote it
 * meanwhile. The writer never waits for readers; a reader that falls behind is lapped, jumps
 * forward and counts the loss exactly from the gap in sequence numbers. {@link RingMapping} does
 * the loads; each is labelled below with the writer step it pairs with and what that gives.
 *
 * <p>Copies go into one {@link CopiedPacket}, allocated once with room for the ring's largest
 * record (max_record), which the header's checks bound every record by.
 *
 * <p>Not thread-safe: one thread reads ({@link #read}, {@link #await}, {@link #next}); any thread may call
 * {@link #wakeup()}.
 */
public final class RingReader {
    private final RingMapping ring;
    private final RingWait wait;
    private final long size;
    private final long maxRecord;
    private final byte[] hdr = new byte[RingLayout.REC_HDR_SIZE];
    private final ByteBuffer hdrView = ByteBuffer.wrap(hdr).order(ByteOrder.nativeOrder());
    private final CopiedPacket packet;
    private long position;
    private long expectedSeq;
    private long lostTotal;
    private volatile boolean wakeupRequested;

    private RingReader(RingMapping ring, long position, long expectedSeq) {
        this.ring = ring;
        this.wait = new RingWait(ring);
        this.size = ring.identity().dataSize();
        this.maxRecord = ring.identity().maxRecord();
        this.packet = new CopiedPacket(ring.identity().maxCaplen());
        this.position = position;
        this.expectedSeq = expectedSeq;
    }

    /** A reader at the oldest record still in the ring; its first packet reports no loss. */
    public static RingReader atEarliest(RingMapping ring) {
        return new RingReader(ring, ring.reclaim(), -1);
    }

    /** A reader that sees only packets published from now on. */
    public static RingReader atLatest(RingMapping ring) {
        return new RingReader(ring, ring.head(), -1);
    }

    /**
     * A reader at a position of this ring's epoch (a saved offset, or reclaim or head). expectedSeq
     * is the sequence of the packet at position: the first packet then reports as lost every
     * packet from expectedSeq on that the writer overwrote; -1 when unknown (no loss reported).
     */
    public static RingReader at(RingMapping ring, long position, long expectedSeq) throws RingException {
        Path p = ring.identity().path();
        if ((position & (RingLayout.ALIGN - 1)) != 0) {
            throw new RingException(p + ": position " + Long.toUnsignedString(position)
                    + " is not a record boundary (not " + RingLayout.ALIGN + "-byte aligned)");
        }
        long h = ring.head();
        if (Long.compareUnsigned(position, h) > 0) {
            throw new RingException(p + ": position " + Long.toUnsignedString(position)
                    + " is beyond the ring's head " + Long.toUnsignedString(h)
                    + "; it belongs to another ring or epoch, start from earliest or latest instead");
        }
        return new RingReader(ring, position, expectedSeq);
    }

    private static final PacketSink ONE_PACKET = p -> false;

    /**
     * Reads the packets published so far, handing each to sink, until the sink returns false or
     * this reader reaches the head; never waits. The whole batch is read under one hold of the
     * mapping, and the head is loaded again only when the reader reaches the head it last saw,
     * not once per packet (the head's cache line is the one the writer keeps writing). Padding is
     * skipped; each packet's lostBefore = packets lost just before it (R5).
     *
     * @return true when the reader is at the head (nothing more to read now), false when the sink stopped it
     * @throws RingFormatException the ring holds a record that cannot be valid (corrupt ring)
     */
    public boolean read(PacketSink sink) throws RingException {
        ring.enter();
        try {
            // R1: head, acquire. Pairs with W5's release store of head: the records below h,
            // header and bytes, are complete and visible to the copies of R3.
            long h = ring.headAcquire();
            while (true) {
                if (Long.compareUnsigned(position, h) >= 0) {
                    // at the head seen, or past it after a jump to reclaim (R2, R4), which the
                    // writer stored before the head that needed it: load the head again
                    h = ring.headAcquire();
                    if (position == h) {
                        return true;
                    }
                }
                if (readRecord(h) && !sink.accept(packet)) {
                    return false;
                }
            }
        } catch (InternalError e) {
            throw unreadable(e);
        } finally {
            ring.exit();
        }
    }

    /**
     * Waits without spinning until a record past this reader's position is published, at most
     * timeoutMillis. True when there is one; false at the timeout, after {@link #wakeup()}, or
     * when the ring has ended and this reader is at its head (nothing more will come).
     */
    public boolean await(long timeoutMillis) throws RingException, InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while reading " + ring.identity().path());
            }
            if (wakeupRequested) {
                wakeupRequested = false;
                return false;
            }
            ring.enter();
            try {
                long h = ring.headAcquire();
                if (h != position) {
                    return true;
                }
                // state, acquire: ENDED is stored after the last publish, so head loaded after it is final
                if (ring.stateAcquire() == RingLayout.STATE_ENDED && ring.headAcquire() == position) {
                    return false;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                wait.await(h, (int) Math.min(left, wait.sliceMillis()));
            } catch (InternalError e) {
                throw unreadable(e);
            } finally {
                ring.exit();
            }
        }
    }

    /**
     * The next packet, or null if none arrived within timeoutMillis, wakeup() was called, or the
     * ring ended and is drained: {@link #read} of one packet, then {@link #await} while there is
     * none. The packet is this reader's one copy, valid until the next call.
     *
     * @throws RingFormatException the ring holds a record that cannot be valid (corrupt ring)
     */
    public CopiedPacket next(long timeoutMillis) throws RingException, InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
        while (read(ONE_PACKET)) {
            if (!await((deadline - System.nanoTime()) / 1_000_000L)) {
                return null;
            }
        }
        return packet;
    }

    /** The JVM turns SIGBUS on a mapped page into an InternalError: the file behind the mapping shrank. */
    private RingException unreadable(InternalError e) {
        return new RingException(ring.identity().path() + ": the ring's memory can no longer be read"
                + " (was the ring file truncated or removed by its writer?): " + e.getMessage(), e);
    }

    /** R2-R5 for the record at position; true when the packet holds one, false to go round again. */
    private boolean readRecord(long h) throws RingException {
        long pos = position;
        // R2: reclaim, acquire, after R1's head. W3 stores reclaim before W5 publishes the head that
        // needed it, so h - r <= size holds unless the control page is corrupt.
        long r = ring.reclaimAcquire();
        ring.checkPositions(h, r);
        if (Long.compareUnsigned(pos, h) > 0) {
            throw new RingFormatException(ring.identity().path() + ": reader position " + Long.toUnsignedString(pos)
                    + " is beyond head " + Long.toUnsignedString(h) + ": the head moved backwards, corrupt ring");
        }
        if (Long.compareUnsigned(pos, r) < 0) {
            position = r; // lapped: R5 counts the loss as a sequence gap
            return false;
        }
        String problem = copyRecord(pos, h); // R3
        // R4: acquire fence, then reclaim once. Pairs with W3 (reclaim stored, then a release
        // fence, before the writer overwrites a byte below it): the fence keeps every load of R3's
        // copy before this load, so a copy the writer overwrote shows here as reclaim past pos.
        VarHandle.acquireFence();
        long r2 = ring.reclaimOnce();
        if (Long.compareUnsigned(pos, r2) < 0) {
            position = r2; // the copy may be torn: drop it; R5 counts the loss
            return false;
        }
        if (problem != null) {
            ring.checkNotTruncated(); // the copy read nothing if the pages are gone
            throw new RingFormatException(ring.identity().path() + ": corrupt record at position "
                    + Long.toUnsignedString(pos) + ": " + problem);
        }
        // R5: an intact copy
        long len = Integer.toUnsignedLong(hdrView.getInt(RingLayout.ROFF_LEN));
        if ((hdrView.getShort(RingLayout.ROFF_TYPE) & 0xffff) == RingLayout.REC_PADDING) {
            position = pos + len;
            return false;
        }
        long seq = packet.seq;
        if (expectedSeq >= 0 && Long.compareUnsigned(seq, expectedSeq) < 0) {
            ring.checkNotTruncated();
            throw new RingFormatException(ring.identity().path() + ": packet sequence went backwards at position "
                    + Long.toUnsignedString(pos) + " (seq " + seq + ", expected " + expectedSeq + "): corrupt ring");
        }
        packet.lostBefore = expectedSeq >= 0 ? seq - expectedSeq : 0;
        lostTotal += packet.lostBefore;
        expectedSeq = seq + 1;
        position = pos + len;
        packet.position = pos;
        packet.nextPosition = position;
        return true;
    }

    /**
     * R3: copies the record at pos into hdr, and a packet's fields and bytes into the packet;
     * returns what makes the copy invalid, or null. Nothing in the copy is trusted before R4.
     */
    private String copyRecord(long pos, long h) {
        long off = pos & (size - 1);
        long room = Math.min(size - off, h - pos); // the record must end before both
        if (room < RingLayout.REC_MIN) {
            return "only " + room + " bytes left before the end of the data area or the head";
        }
        ring.copy(off, hdr, 0, RingLayout.REC_MIN);
        long len = Integer.toUnsignedLong(hdrView.getInt(RingLayout.ROFF_LEN));
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
        if (len < RingLayout.REC_HDR_SIZE || len > maxRecord) {
            return "packet record length " + len + " is outside [" + RingLayout.REC_HDR_SIZE + ", max record "
                    + maxRecord + "]";
        }
        ring.copy(off + RingLayout.REC_MIN, hdr, RingLayout.REC_MIN, RingLayout.REC_HDR_SIZE - RingLayout.REC_MIN);
        long caplen = Integer.toUnsignedLong(hdrView.getInt(RingLayout.ROFF_CAPLEN));
        if (caplen > len - RingLayout.REC_HDR_SIZE) {
            return "caplen " + caplen + " does not fit in the record length " + len;
        }
        ring.copy(off + RingLayout.REC_HDR_SIZE, packet.data, 0, (int) caplen); // len <= max record: it fits
        packet.caplen = (int) caplen;
        packet.origlen = hdrView.getInt(RingLayout.ROFF_ORIGLEN);
        packet.seq = hdrView.getLong(RingLayout.ROFF_SEQ);
        packet.tsNanos = hdrView.getLong(RingLayout.ROFF_TS_NS);
        packet.flags = hdrView.getShort(RingLayout.ROFF_FLAGS) & 0xffff;
        packet.ifindex = hdrView.getInt(RingLayout.ROFF_IFINDEX);
        packet.direction = hdr[RingLayout.ROFF_DIRECTION] & 0xff;
        packet.pkttype = hdr[RingLayout.ROFF_PKTTYPE] & 0xff;
        // stored in network byte order, as in the skb
        packet.protocol = ((hdr[RingLayout.ROFF_PROTOCOL] & 0xff) << 8) | (hdr[RingLayout.ROFF_PROTOCOL + 1] & 0xff);
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

    /**
     * Makes a waiting {@link #await} or {@link #next} (or the next call) return: at once on a
     * futex ring (within 100 ms if it comes just as the wait starts), within 50 ms on a poll
     * ring. Any thread.
     */
    public void wakeup() {
        wakeupRequested = true;
        wait.wake();
    }
}

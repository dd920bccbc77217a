package io.pktring.connect.ring;

import java.nio.ByteBuffer;

/**
 * The data area of a mapped ring as read-only buffers. A ByteBuffer holds at most 2 GiB and a ring
 * may be up to 1 TiB, so the area is split into equal power-of-two chunks; a copy may span two.
 * Only absolute bulk gets are used, so one instance is safe for many reader threads.
 */
final class DataArea {
    private static final int CHUNK_SHIFT = 30; // 1 GiB

    private final ByteBuffer[] chunks;
    private final long size;
    private final int chunkShift;
    private final long chunkMask;

    DataArea(ByteBuffer[] chunks, long size) {
        this.chunks = chunks;
        this.size = size;
        this.chunkShift = Long.numberOfTrailingZeros(chunkSize(size));
        this.chunkMask = chunkSize(size) - 1;
    }

    /** The size of each chunk for a data area of this size (itself a power of two). */
    static long chunkSize(long dataSize) {
        return Math.min(dataSize, 1L << CHUNK_SHIFT);
    }

    long size() {
        return size;
    }

    /** Copies len bytes at data-area offset off (already bound-checked by the caller) into dst. */
    void copy(long off, byte[] dst, int dstOff, int len) {
        if (off < 0 || len < 0 || off + len > size) {
            throw new IndexOutOfBoundsException("copy of " + len + " bytes at " + off + " outside a " + size + "-byte ring");
        }
        while (len > 0) {
            ByteBuffer chunk = chunks[(int) (off >>> chunkShift)];
            int inChunk = (int) (off & chunkMask);
            int n = (int) Math.min(len, chunkMask + 1 - inChunk);
            chunk.get(inChunk, dst, dstOff, n);
            off += n;
            dstOff += n;
            len -= n;
        }
    }
}

package io.pktring.connect.ring;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A small ring writer for the reader's unit tests, following the header's writer steps W1-W6 on
 * a shared-memory-style file. It also pokes bad values into the ring to test the reader's checks.
 * The real writers (C, kmod/) are tested against the reader in RingReplayTest and the VM test.
 */
final class TestRingWriter implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int FUTEX_WAKE = 1;

    final Path path;
    final long dataSize;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final Pointer wakeWord;
    private long head, reclaim, seqNext;
    long paddings;

    TestRingWriter(Path path, long dataSize, int waitMethod) throws IOException {
        this.path = path;
        this.dataSize = dataSize;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.map = channel.map(FileChannel.MapMode.READ_WRITE, 0, RingLayout.CTL_SIZE + dataSize);
        map.order(ByteOrder.nativeOrder());
        this.wakeWord = Native.getDirectBufferPointer(map).share(RingLayout.OFF_WAKE_SEQ);
        map.putLong(RingLayout.OFF_MAGIC, RingLayout.MAGIC);
        map.putInt(RingLayout.OFF_ABI_VERSION, RingLayout.ABI_VERSION);
        map.putInt(RingLayout.OFF_REC_HDR_SIZE, RingLayout.REC_HDR_SIZE);
        map.putLong(RingLayout.OFF_DATA_OFFSET, RingLayout.CTL_SIZE);
        map.putLong(RingLayout.OFF_DATA_SIZE, dataSize);
        map.putLong(RingLayout.OFF_EPOCH, 0x1234_5678_9abc_def1L);
        map.putLong(RingLayout.OFF_CREATED_NS, System.currentTimeMillis() * 1_000_000L);
        map.putInt(RingLayout.OFF_LINKTYPE, 1);
        map.putInt(RingLayout.OFF_SNAPLEN, 65535);
        map.putInt(RingLayout.OFF_IFINDEX, 7);
        map.putInt(RingLayout.OFF_FLAGS, waitMethod);
        map.put(RingLayout.OFF_IFNAME, "test0".getBytes(StandardCharsets.US_ASCII));
        map.putInt(RingLayout.OFF_RING_INDEX, 0);
        map.putInt(RingLayout.OFF_RING_COUNT, 1);
        map.putInt(RingLayout.OFF_MAX_RECORD, (int) Math.min(dataSize, 1 << 20));
        map.putInt(RingLayout.OFF_CTR_COUNT, RingCounter.values().length);
        INTS.setRelease(map, RingLayout.OFF_STATE, RingLayout.STATE_LIVE);
    }

    /** W1-W6 for one packet; payload[0, caplen) is copied. Returns the packet's sequence number. */
    long write(byte[] payload, int caplen, int origlen, long tsNanos) {
        long len = RingLayout.align(RingLayout.REC_HDR_SIZE + caplen);
        long mask = dataSize - 1;
        long pad = (head & mask) + len > dataSize ? dataSize - (head & mask) : 0; // W1
        long end = head + pad + len;
        boolean moved = false;
        while (end - reclaim > dataSize) { // W2
            long off = reclaim & mask;
            if (map.getShort(RingLayout.CTL_SIZE + (int) off + RingLayout.ROFF_TYPE) == RingLayout.REC_PACKET) {
                addCounter(RingCounter.RECLAIMED, 1);
            }
            reclaim += map.getInt(RingLayout.CTL_SIZE + (int) off + RingLayout.ROFF_LEN);
            moved = true;
        }
        if (moved) { // W3: reclaim visible before the bytes below it change
            LONGS.setRelease(map, RingLayout.OFF_RECLAIM, reclaim);
            VarHandle.fullFence();
        }
        int at = RingLayout.CTL_SIZE + (int) (head & mask); // W4
        if (pad > 0) {
            map.putInt(at + RingLayout.ROFF_LEN, (int) pad);
            map.putShort(at + RingLayout.ROFF_TYPE, (short) RingLayout.REC_PADDING);
            map.putShort(at + RingLayout.ROFF_FLAGS, (short) 0);
            at = RingLayout.CTL_SIZE;
            paddings++;
        }
        long seq = seqNext++;
        map.putInt(at + RingLayout.ROFF_LEN, (int) len);
        map.putShort(at + RingLayout.ROFF_TYPE, (short) RingLayout.REC_PACKET);
        map.putShort(at + RingLayout.ROFF_FLAGS, (short) (caplen < origlen ? RingLayout.RF_TRUNCATED : 0));
        map.putLong(at + RingLayout.ROFF_SEQ, seq);
        map.putLong(at + RingLayout.ROFF_TS_NS, tsNanos);
        map.putInt(at + RingLayout.ROFF_CAPLEN, caplen);
        map.putInt(at + RingLayout.ROFF_ORIGLEN, origlen);
        map.putInt(at + RingLayout.ROFF_IFINDEX, 7);
        map.put(at + RingLayout.ROFF_DIRECTION, (byte) RingLayout.DIR_IN);
        map.put(at + RingLayout.ROFF_PKTTYPE, (byte) 0);
        map.put(at + RingLayout.ROFF_PROTOCOL, (byte) 0x08); // 0x0800, network byte order
        map.put(at + RingLayout.ROFF_PROTOCOL + 1, (byte) 0x00);
        map.put(at + RingLayout.REC_HDR_SIZE, payload, 0, caplen);
        addCounter(RingCounter.CAPTURED, 1);
        addCounter(RingCounter.BYTES, caplen);
        LONGS.setRelease(map, RingLayout.OFF_SEQ_NEXT, seqNext); // W5
        head = end;
        LONGS.setRelease(map, RingLayout.OFF_HEAD, head);
        return seq;
    }

    /** W6: bump the wake word and wake every waiter (shared futex). */
    void wake() {
        INTS.getAndAddRelease(map, RingLayout.OFF_WAKE_SEQ, 1);
        Libc.C.syscall(Libc.SYS_FUTEX, wakeWord, (long) FUTEX_WAKE, (long) Integer.MAX_VALUE, Pointer.NULL, Pointer.NULL, 0L);
    }

    void end() {
        INTS.setRelease(map, RingLayout.OFF_STATE, RingLayout.STATE_ENDED);
        wake();
    }

    long head() {
        return head;
    }

    long reclaim() {
        return reclaim;
    }

    private void addCounter(RingCounter c, long n) {
        int off = RingLayout.OFF_COUNTERS + 8 * c.index();
        LONGS.setOpaque(map, off, (long) LONGS.getOpaque(map, off) + n);
    }

    // ---- corruption, for the reader's checks ----

    void putCtlLong(int off, long v) {
        map.putLong(off, v);
    }

    void putCtlInt(int off, int v) {
        map.putInt(off, v);
    }

    /** Overwrites a 32-bit field of the record at ring position pos. */
    void putRecordInt(long pos, int fieldOffset, int v) {
        map.putInt(RingLayout.CTL_SIZE + (int) (pos & (dataSize - 1)) + fieldOffset, v);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

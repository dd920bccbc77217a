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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * The tests' ring writer: a shared-memory ring file written with the header's writer steps W1-W6,
 * laid out by {@link RingLayout} in the machine's byte order, waking readers with a shared futex
 * through {@link Libc}. It can also poke bad values into the ring to test the readers' checks. The
 * real writers (C, kmod/) are tested against the reader in RingReplayTest and the VM test.
 */
public final class TestRingWriter implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int FUTEX_WAKE = 1;
    public static final int IFINDEX = 7;

    private final Path path;
    private final long dataSize;
    private final long epoch;
    private final long maxRecord;
    private final MappedByteBuffer map;
    private final Pointer wakeWord;
    private long head, reclaim, seqNext;
    private long paddings;

    /** A live, empty ring of Ethernet packets named "test0", snap length 65535, futex wake-ups. */
    public static TestRingWriter create(Path path, long dataSize) throws IOException {
        return create(path, dataSize, 1, 65535, "test0", RingLayout.WAIT_FUTEX);
    }

    /** As {@link #create(Path, long)}, waking readers the given way (PKTRING_WAIT_*). */
    public static TestRingWriter create(Path path, long dataSize, int waitMethod) throws IOException {
        return create(path, dataSize, 1, 65535, "test0", waitMethod);
    }

    /** As {@link #create(Path, long)}, with this link type, snap length and interface name. */
    public static TestRingWriter create(Path path, long dataSize, int linktype, int snaplen, String ifname)
            throws IOException {
        return create(path, dataSize, linktype, snaplen, ifname, RingLayout.WAIT_FUTEX);
    }

    /**
     * Creates (or replaces) the ring at path: live, empty, with a new random epoch. It is built
     * under a temporary name and renamed into place, as a writer that re-creates a ring does.
     * max_record follows from the snap length, as for the C writers, capped at half the ring.
     */
    public static TestRingWriter create(Path path, long dataSize, int linktype, int snaplen, String ifname,
            int waitMethod) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp" + System.nanoTime());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            TestRingWriter w = new TestRingWriter(path, ch, dataSize, linktype, snaplen, ifname, waitMethod);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return w;
        }
    }

    private TestRingWriter(Path path, FileChannel ch, long dataSize, int linktype, int snaplen, String ifname,
            int waitMethod) throws IOException {
        this.path = path;
        this.dataSize = dataSize;
        this.epoch = new SecureRandom().nextLong() | 1;
        this.maxRecord = Math.min(RingLayout.align(RingLayout.REC_HDR_SIZE + (long) snaplen), dataSize / 2);
        this.map = ch.map(FileChannel.MapMode.READ_WRITE, 0, RingLayout.CTL_SIZE + dataSize);
        map.order(ByteOrder.nativeOrder());
        this.wakeWord = Native.getDirectBufferPointer(map).share(RingLayout.OFF_WAKE_SEQ);
        map.putLong(RingLayout.OFF_MAGIC, RingLayout.MAGIC);
        map.putInt(RingLayout.OFF_ABI_VERSION, RingLayout.ABI_VERSION);
        map.putInt(RingLayout.OFF_REC_HDR_SIZE, RingLayout.REC_HDR_SIZE);
        map.putLong(RingLayout.OFF_DATA_OFFSET, RingLayout.CTL_SIZE);
        map.putLong(RingLayout.OFF_DATA_SIZE, dataSize);
        map.putLong(RingLayout.OFF_EPOCH, epoch);
        map.putLong(RingLayout.OFF_CREATED_NS, System.currentTimeMillis() * 1_000_000L);
        map.putInt(RingLayout.OFF_LINKTYPE, linktype);
        map.putInt(RingLayout.OFF_SNAPLEN, snaplen);
        map.putInt(RingLayout.OFF_IFINDEX, IFINDEX);
        map.putInt(RingLayout.OFF_FLAGS, waitMethod);
        byte[] name = ifname.getBytes(StandardCharsets.UTF_8);
        map.put(RingLayout.OFF_IFNAME, name, 0, Math.min(RingLayout.IFNAMSIZ - 1, name.length));
        map.putInt(RingLayout.OFF_RING_INDEX, 0);
        map.putInt(RingLayout.OFF_RING_COUNT, 1);
        map.putInt(RingLayout.OFF_MAX_RECORD, (int) maxRecord);
        map.putInt(RingLayout.OFF_CTR_COUNT, RingCounter.values().length);
        INTS.setRelease(map, RingLayout.OFF_STATE, RingLayout.STATE_LIVE);
    }

    /** Publishes one packet record (W1-W5) and wakes readers (W6); returns its sequence number. */
    public long write(byte[] data, int caplen, int origlen, long tsNanos) {
        long seq = append(data, caplen, origlen, tsNanos);
        wake();
        return seq;
    }

    /** W1-W5 for one packet, bytes data[0, caplen): readers see it but are not woken. Returns its seq. */
    public long append(byte[] data, int caplen, int origlen, long tsNanos) {
        long len = RingLayout.align(RingLayout.REC_HDR_SIZE + caplen);
        if (len > maxRecord) {
            throw new IllegalArgumentException("a " + caplen + "-byte packet exceeds max_record " + maxRecord);
        }
        long mask = dataSize - 1;
        long pad = (head & mask) + len > dataSize ? dataSize - (head & mask) : 0; // W1
        long end = head + pad + len;
        boolean moved = false;
        while (end - reclaim > dataSize) { // W2
            int at = RingLayout.CTL_SIZE + (int) (reclaim & mask);
            if (map.getShort(at + RingLayout.ROFF_TYPE) == RingLayout.REC_PACKET) {
                addCounter(RingCounter.RECLAIMED, 1);
            }
            reclaim += map.getInt(at + RingLayout.ROFF_LEN);
            moved = true;
        }
        if (moved) { // W3: reclaim visible before the bytes below it change (pairs with R4)
            LONGS.setOpaque(map, RingLayout.OFF_RECLAIM, reclaim);
            VarHandle.releaseFence();
        }
        int at = RingLayout.CTL_SIZE + (int) (head & mask); // W4
        if (pad > 0) {
            for (int i = 0; i < Math.min(pad, RingLayout.REC_HDR_SIZE); i += 8) {
                map.putLong(at + i, 0);
            }
            map.putInt(at + RingLayout.ROFF_LEN, (int) pad);
            map.putShort(at + RingLayout.ROFF_TYPE, (short) RingLayout.REC_PADDING);
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
        map.putInt(at + RingLayout.ROFF_IFINDEX, IFINDEX);
        map.put(at + RingLayout.ROFF_DIRECTION, (byte) RingLayout.DIR_IN);
        map.put(at + RingLayout.ROFF_PKTTYPE, (byte) 0);
        map.put(at + RingLayout.ROFF_PROTOCOL, (byte) 0x08); // 0x0800, network byte order
        map.put(at + RingLayout.ROFF_PROTOCOL + 1, (byte) 0x00);
        map.put(at + RingLayout.REC_HDR_SIZE, data, 0, caplen);
        addCounter(RingCounter.CAPTURED, 1);
        addCounter(RingCounter.BYTES, caplen);
        addCounter(RingCounter.WIRE_BYTES, origlen);
        LONGS.setOpaque(map, RingLayout.OFF_SEQ_NEXT, seqNext); // W5 (pairs with R1)
        head = end;
        LONGS.setRelease(map, RingLayout.OFF_HEAD, head);
        return seq;
    }

    /** W6: bump the wake word and wake every waiter (a shared futex: other processes map the file). */
    public void wake() {
        INTS.getAndAddRelease(map, RingLayout.OFF_WAKE_SEQ, 1);
        Libc.C.syscall(Libc.SYS_FUTEX, wakeWord, (long) FUTEX_WAKE, (long) Integer.MAX_VALUE, Pointer.NULL,
                Pointer.NULL, 0L);
    }

    /** Marks the ring ended (the writer is gone) and wakes readers. */
    public void end() {
        INTS.setRelease(map, RingLayout.OFF_STATE, RingLayout.STATE_ENDED);
        wake();
    }

    public Path path() {
        return path;
    }

    public long dataSize() {
        return dataSize;
    }

    public long epoch() {
        return epoch;
    }

    public long seqNext() {
        return seqNext;
    }

    public long head() {
        return head;
    }

    public long reclaim() {
        return reclaim;
    }

    /** Padding records written so far (each marks a wrap of the data area). */
    public long paddings() {
        return paddings;
    }

    private void addCounter(RingCounter c, long n) {
        int off = RingLayout.OFF_COUNTERS + 8 * c.index();
        LONGS.setOpaque(map, off, (long) LONGS.getOpaque(map, off) + n);
    }

    // ---- corruption, for the readers' checks ----

    public void putCtlLong(int off, long v) {
        map.putLong(off, v);
    }

    public void putCtlInt(int off, int v) {
        map.putInt(off, v);
    }

    /** Overwrites a 32-bit field of the record at ring position pos. */
    public void putRecordInt(long pos, int fieldOffset, int v) {
        map.putInt(RingLayout.CTL_SIZE + (int) (pos & (dataSize - 1)) + fieldOffset, v);
    }

    /** Overwrites a 32-bit control-page field of the ring file at path (one no writer holds open). */
    public static void corrupt(Path path, int offset, int value) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, RingLayout.CTL_SIZE);
            b.order(ByteOrder.nativeOrder()).putInt(offset, value);
            b.force();
        }
    }

    /** Nothing to release: the file stays, and its mapping lives until it is garbage collected. */
    @Override
    public void close() {
    }
}

package io.pktring.connect.testing;

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

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * A shared-memory ring writer for tests, following the writer steps W1-W6 of pktring.h with the
 * offsets written out here on purpose (not RingLayout's), so a mistake in one is not hidden by the
 * other. Creates the ring under a temporary name and renames it into place, as a writer that
 * re-creates a ring would.
 */
public final class TestRing implements AutoCloseable {

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int CTL = 4096;
    private static final int HDR = 40;

    interface Libc extends Library {
        Libc C = Native.load("c", Libc.class);

        long syscall(long number, Object... args);
    }

    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer buf;
    private final long dataSize;
    private final long epoch;
    private long head;
    private long reclaim;
    private long seq;
    private long captured;
    private long bytes;
    private long reclaimed;

    private TestRing(Path path, FileChannel channel, MappedByteBuffer buf, long dataSize, long epoch) {
        this.path = path;
        this.channel = channel;
        this.buf = buf;
        this.dataSize = dataSize;
        this.epoch = epoch;
    }

    /** Creates (or replaces) the ring at path: live, empty, with a new random epoch. */
    public static TestRing create(Path path, long dataSize, int linktype, int snaplen, String ifname) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp" + System.nanoTime());
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, CTL + dataSize);
        b.order(ByteOrder.LITTLE_ENDIAN);
        long epoch = new SecureRandom().nextLong() | 1;
        b.putLong(0, 0x31474e4952544b50L); // "PKTRING1"
        b.putInt(8, 1);                   // ABI version
        b.putInt(12, HDR);
        b.putLong(16, CTL);
        b.putLong(24, dataSize);
        b.putLong(32, epoch);
        b.putLong(40, System.currentTimeMillis() * 1_000_000L);
        b.putInt(48, linktype);
        b.putInt(52, snaplen);
        b.putInt(56, 0);
        b.putInt(60, 0x2); // PKTRING_WAIT_FUTEX
        byte[] name = ifname.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < Math.min(15, name.length); i++) {
            b.put(64 + i, name[i]);
        }
        b.putInt(80, 0);
        b.putInt(84, 1);
        b.putInt(88, (int) Math.min(dataSize, Integer.MAX_VALUE));
        b.putInt(92, 11);
        INTS.setRelease(b, 148, 1); // LIVE
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new TestRing(path, ch, b, dataSize, epoch);
    }

    /** Writes a ring file with arbitrary bytes in one control-page field (for bad-config tests). */
    public static void corrupt(Path path, int offset, int value) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, CTL);
            b.order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
            b.force();
        }
    }

    public long epoch() {
        return epoch;
    }

    public long seqNext() {
        return seq;
    }

    public long head() {
        return head;
    }

    /** Publishes one packet record (W1-W5) and wakes readers (W6). */
    public void write(long tsNanos, byte[] data, int caplen, int origlen) {
        append(tsNanos, data, caplen, origlen);
        wake();
    }

    /** Publishes many packets, waking readers once at the end. */
    public void writeAll(Iterable<Pcap.Packet> packets) {
        for (Pcap.Packet p : packets) {
            append(p.tsNanos(), p.data(), p.caplen(), p.origlen());
        }
        wake();
    }

    private void append(long tsNanos, byte[] data, int caplen, int origlen) {
        long mask = dataSize - 1;
        long len = (HDR + caplen + 7) & ~7L;
        long off = head & mask;
        long pad = off + len > dataSize ? dataSize - off : 0; // W1
        long end = head + pad + len;
        boolean moved = false;
        while (end - reclaim > dataSize) { // W2
            long at = reclaim & mask;
            int rlen = buf.getInt((int) (CTL + at));
            if (buf.getShort((int) (CTL + at + 4)) == 1) {
                reclaimed++;
            }
            reclaim += rlen;
            moved = true;
        }
        if (moved) { // W3
            LONGS.setRelease(buf, 136, reclaim);
            VarHandle.fullFence();
        }
        long pos = head;
        if (pad > 0) { // W4
            int at = (int) (CTL + (pos & mask));
            for (int i = 0; i < pad; i += 8) {
                buf.putLong(at + i, 0);
            }
            buf.putInt(at, (int) pad);
            buf.putShort(at + 4, (short) 2);
            pos += pad;
        }
        int at = (int) (CTL + (pos & mask));
        buf.putInt(at, (int) len);
        buf.putShort(at + 4, (short) 1);
        buf.putShort(at + 6, (short) (caplen < origlen ? 1 : 0));
        buf.putLong(at + 8, seq);
        buf.putLong(at + 16, tsNanos);
        buf.putInt(at + 24, caplen);
        buf.putInt(at + 28, origlen);
        buf.putInt(at + 32, 0);
        buf.put(at + 36, (byte) 0);
        buf.put(at + 37, (byte) 0);
        buf.putShort(at + 38, (short) 0);
        buf.put(at + HDR, data, 0, caplen);
        seq++;
        captured++;
        bytes += caplen;
        buf.putLong(192 + 8, captured);
        buf.putLong(192 + 16, bytes);
        buf.putLong(192 + 48, reclaimed);
        LONGS.setRelease(buf, 152, seq); // W5
        head = end;
        LONGS.setRelease(buf, 128, head);
    }

    /** W6: bump wake_seq and FUTEX_WAKE every waiter (shared futex: the file is mapped by others). */
    private void wake() {
        INTS.getAndAdd(buf, 144, 1);
        Pointer word = Native.getDirectBufferPointer(buf).share(144);
        Libc.C.syscall(202L, word, 1, Integer.MAX_VALUE, Pointer.NULL, Pointer.NULL, 0);
    }

    /** Marks the ring ended (the writer is gone) and wakes readers. */
    public void end() {
        INTS.setRelease(buf, 148, 2);
        wake();
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package io.pktring.connect.ring;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;

/**
 * One pktring ring's memory (ABI v1, {@code kmod/include/uapi/pktring.h}), mapped read-only, and
 * the loads a reader makes of it. {@link RingReader} holds the protocol (R1-R5) that orders them.
 *
 * <p>The ring is mapped with mmap(2) through JNA rather than FileChannel.map, because the kernel
 * device's size reads as 0; sizes come from the control page instead. Shared words are loaded
 * through a VarHandle view with the ordering each method names; packet bytes are copied with bulk
 * gets. Readers never write to the ring: the mapping is PROT_READ and the buffers are read-only.
 * A ByteBuffer holds at most 2 GiB and a ring up to 1 TiB, so the data area is seen as equal
 * power-of-two chunks; a copy may span two.
 *
 * <p>Any number of readers may share one mapping; each waits for the writer with its own
 * {@link RingWait}. {@link #close()} waits for a reader between
 * {@link #enter()} and {@link #exit()} to leave before it unmaps.
 */
public final class RingMapping implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int CHUNK_SHIFT = 30; // 1 GiB

    private final RingIdentity identity;
    private final int fd;
    private final Pointer base;
    private final long mapLength;
    private final ByteBuffer ctl;
    private final ByteBuffer[] chunks;
    private final int chunkShift;
    private final long chunkMask;
    private final ReentrantReadWriteLock mapLock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private RingMapping(RingIdentity identity, int fd, Pointer base, long mapLength) {
        this.identity = identity;
        this.fd = fd;
        this.base = base;
        this.mapLength = mapLength;
        this.ctl = readOnly(base, 0, RingLayout.CTL_SIZE);
        long chunkSize = Math.min(identity.dataSize(), 1L << CHUNK_SHIFT);
        this.chunks = new ByteBuffer[(int) (identity.dataSize() / chunkSize)];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = readOnly(base, identity.dataOffset() + i * chunkSize, chunkSize);
        }
        this.chunkShift = Long.numberOfTrailingZeros(chunkSize);
        this.chunkMask = chunkSize - 1;
    }

    /** Maps the ring file or device read-only (JNA mmap PROT_READ) and checks its identity. */
    public static RingMapping open(Path path) throws RingException {
        int fd;
        try {
            fd = Libc.C.open(path.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NONBLOCK | Libc.O_NOFOLLOW);
        } catch (LastErrorException e) {
            throw new RingException("cannot open ring " + path + ": " + Libc.describe(e) + openHint(e.getErrorCode()), e);
        }
        try {
            return mapAndCheck(path, fd);
        } catch (RingException | RuntimeException e) {
            Libc.closeQuietly(fd);
            throw e;
        }
    }

    /** What to look at for an open that failed: a missing ring and a forbidden one need different fixes. */
    static String openHint(int errno) {
        if (errno == Libc.EACCES || errno == Libc.EPERM) {
            return " (the ring exists but this process (uid " + Libc.uid() + ") may not read it: rings are 0640 by default;"
                    + " run the worker as the ring's owner or in its group, e.g. pktring-capd --group GROUP, or"
                    + " pktring-ctl --group for a kernel ring)";
        }
        if (errno == Libc.ENOENT) {
            return " (is the capture running and the path right?)";
        }
        if (errno == Libc.ELOOP) {
            return " (a symbolic link: a ring is read only at its own path, as the C tools do, so that no one"
                    + " can point a reader elsewhere; give the path it points to)";
        }
        return "";
    }

    private static RingMapping mapAndCheck(Path path, int fd) throws RingException {
        checkType(path);
        // A device reports size 0; a regular (shared-memory) file must hold what its header claims,
        // or touching the missing pages would kill the JVM with SIGBUS.
        long fileSize = regularFileSize(path);
        if (fileSize >= 0 && fileSize < RingLayout.CTL_SIZE) {
            throw new RingFormatException(path + " is " + fileSize + " bytes, shorter than a pktring control page ("
                    + RingLayout.CTL_SIZE + " bytes): not a pktring ring");
        }
        Pointer ctlMap = Libc.mapReadOnly(path, fd, RingLayout.CTL_SIZE);
        RingIdentity id;
        try {
            id = RingIdentity.check(path, readOnly(ctlMap, 0, RingLayout.CTL_SIZE), fileSize);
        } finally {
            Libc.unmap(ctlMap, RingLayout.CTL_SIZE);
        }
        long mapLength = id.dataOffset() + id.dataSize();
        RingMapping ring = new RingMapping(id, fd, Libc.mapReadOnly(path, fd, mapLength), mapLength);
        try {
            ring.checkPositions(ring.headAcquire(), ring.reclaimAcquire()); // the last of the C open checks
        } catch (RingFormatException e) {
            Libc.unmap(ring.base, mapLength);
            throw e;
        }
        return ring;
    }

    public RingIdentity identity() {
        return identity;
    }

    // ---- snapshots for tools and tests: each takes the mapping for one load ----

    /** End of the newest complete record. */
    public long head() {
        return locked(this::headAcquire);
    }

    /** Oldest valid record; bytes below it may be overwritten at any moment. */
    public long reclaim() {
        return locked(this::reclaimAcquire);
    }

    /** Sequence number the writer gives its next packet record. */
    public long seqNext() {
        return locked(() -> (long) LONGS.getAcquire(ctl, RingLayout.OFF_SEQ_NEXT));
    }

    /** The writer's heartbeat (see {@link RingIdentity#beats()}): acquire, as the writer stores it with release. */
    public long heartbeat() {
        return locked(() -> (long) LONGS.getAcquire(ctl, RingLayout.OFF_HEARTBEAT));
    }

    /** PKTRING_STATE_*. */
    public int state() {
        return (int) locked(this::stateAcquire);
    }

    /** True once the writer has gone: readers drain up to head, then stop. */
    public boolean ended() {
        return state() == RingLayout.STATE_ENDED;
    }

    /** One of the writer's counters; 0 for a counter this writer does not keep. */
    public long counter(RingCounter c) {
        if (c.index() >= identity.counterCount()) {
            return 0;
        }
        // statistics: one untorn load, no ordering needed
        return locked(() -> (long) LONGS.getOpaque(ctl, RingLayout.OFF_COUNTERS + 8 * c.index()));
    }

    private long locked(LongSupplier load) {
        mapLock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException(identity.path() + ": ring is closed");
            }
            return load.getAsLong();
        } finally {
            mapLock.readLock().unlock();
        }
    }

    // ---- the loads of the reader protocol; callers hold the mapping (enter/exit) ----

    /** Keeps the mapping while a reader uses it; close() waits for exit(). */
    void enter() throws RingException {
        mapLock.readLock().lock();
        if (closed) {
            mapLock.readLock().unlock();
            throw new RingException(identity.path() + ": ring is closed");
        }
    }

    void exit() {
        mapLock.readLock().unlock();
    }

    /** head with acquire ordering (PKTRING_LOAD_ACQUIRE): later loads cannot move before it. */
    long headAcquire() {
        return (long) LONGS.getAcquire(ctl, RingLayout.OFF_HEAD);
    }

    /** reclaim with acquire ordering (PKTRING_LOAD_ACQUIRE). */
    long reclaimAcquire() {
        return (long) LONGS.getAcquire(ctl, RingLayout.OFF_RECLAIM);
    }

    /** reclaim as one untorn load with no ordering of its own (PKTRING_READ_ONCE): a fence orders it. */
    long reclaimOnce() {
        return (long) LONGS.getOpaque(ctl, RingLayout.OFF_RECLAIM);
    }

    /** state with acquire ordering: ENDED is stored with release after the last publish. */
    int stateAcquire() {
        return (int) INTS.getAcquire(ctl, RingLayout.OFF_STATE);
    }

    /**
     * The header's invariants on head and reclaim; a breach means the control page is corrupt.
     * h must be loaded before r: then h - r <= size holds (W3 comes before W5). A writer racing
     * ahead may push r past that h, so reclaim <= head is checked against a head loaded after r.
     */
    void checkPositions(long h, long r) throws RingFormatException {
        long later = Long.compareUnsigned(r, h) > 0 ? headAcquire() : h;
        if (((h | r) & (RingLayout.ALIGN - 1)) != 0 || Long.compareUnsigned(r, later) > 0
                || (Long.compareUnsigned(r, h) <= 0 && Long.compareUnsigned(h - r, identity.dataSize()) > 0)) {
            throw new RingFormatException(identity.path() + ": head " + Long.toUnsignedString(h) + " and reclaim "
                    + Long.toUnsignedString(r) + " break the ring's invariants (reclaim <= head, head - reclaim <= "
                    + identity.dataSize() + ", 8-byte aligned): head beyond the ring, corrupt control page");
        }
    }

    /** Copies len bytes at data-area offset off (bound-checked by the reader) into dst: plain loads. */
    void copy(long off, byte[] dst, int dstOff, int len) {
        if (off < 0 || len < 0 || off + len > identity.dataSize()) {
            throw new IndexOutOfBoundsException("copy of " + len + " bytes at " + off + " outside a "
                    + identity.dataSize() + "-byte ring");
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

    /**
     * Throws when the file behind the mapping has become shorter than the mapping (a writer
     * truncated its shared-memory ring): reading there faults, and the JVM reports that fault
     * only "at some later time", so a reader asks here before it calls a record corrupt.
     */
    void checkNotTruncated() throws RingException {
        long size;
        try {
            size = regularFileSize(Path.of("/proc/self/fd/" + fd)); // our file, even if renamed or removed
        } catch (RingException e) {
            return; // cannot tell: the caller reports what it found
        }
        if (size >= 0 && size < mapLength) {
            throw new RingException(identity.path() + ": the ring's memory can no longer be read: its file was"
                    + " truncated to " + size + " bytes under a " + mapLength + "-byte mapping (by its writer?)");
        }
    }

    /** The ring's file descriptor, for poll(2). */
    int fd() {
        return fd;
    }

    /** The address of the wake word in the mapping, for FUTEX_WAIT. */
    Pointer wakeWord() {
        return base.share(RingLayout.OFF_WAKE_SEQ);
    }

    /** wake_seq with acquire ordering: the futex word W6 increments. */
    int wakeSeqAcquire() {
        return (int) INTS.getAcquire(ctl, RingLayout.OFF_WAKE_SEQ);
    }

    /** Unmaps the ring and closes its file; idempotent. */
    @Override
    public void close() {
        mapLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                Libc.unmap(base, mapLength);
            } finally {
                Libc.closeQuietly(fd);
            }
        } finally {
            mapLock.writeLock().unlock();
        }
    }

    /** S_IFMT, S_IFREG and S_IFCHR of stat(2). */
    private static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFCHR = 0020000;

    /** A ring is a regular (shared-memory) file or the module's character device, nothing else. */
    private static void checkType(Path path) throws RingException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            throw new RingException("cannot read the type of " + path + ": " + e.getMessage(), e);
        }
        int type = mode & S_IFMT;
        if (type != S_IFREG && type != S_IFCHR) {
            throw new RingFormatException(path + " is neither a regular file nor a character device (mode "
                    + Integer.toOctalString(mode) + "): not a pktring ring");
        }
    }

    private static long regularFileSize(Path path) throws RingException {
        try {
            return Files.isRegularFile(path) ? Files.size(path) : -1;
        } catch (IOException e) {
            throw new RingException("cannot read the size of " + path + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer readOnly(Pointer base, long offset, long length) {
        return base.getByteBuffer(offset, length).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }
}

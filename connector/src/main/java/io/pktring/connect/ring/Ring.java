package io.pktring.connect.ring;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One pktring ring (ABI v1, {@code kmod/include/uapi/pktring.h}), mapped read-only.
 *
 * <p>The ring is mapped with mmap(2) through JNA rather than FileChannel.map, because the kernel
 * device's size reads as 0; sizes come from the control page instead. Shared words are read with
 * acquire loads through a VarHandle view; packet bytes are copied with bulk gets. Readers never
 * write to the ring: the mapping is PROT_READ and the buffers are read-only.
 *
 * <p>Any number of {@link RingReader}s may read one Ring, each with its own position.
 * {@link #close()} waits for a reader inside {@code next()} to leave the mapping before unmapping it.
 */
public final class Ring implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final long MAX_DATA_OFFSET = 1 << 20;

    private final RingIdentity identity;
    private final int fd;
    private final Pointer base;
    private final long mapLength;
    private final ByteBuffer ctl;
    private final DataArea data;
    private final ReentrantReadWriteLock mapLock = new ReentrantReadWriteLock();
    private final Memory pollFd = new Memory(8);
    private final Memory timespec = new Memory(16);
    private volatile boolean closed;

    private Ring(RingIdentity identity, int fd, Pointer base, long mapLength, ByteBuffer ctl, DataArea data) {
        this.identity = identity;
        this.fd = fd;
        this.base = base;
        this.mapLength = mapLength;
        this.ctl = ctl;
        this.data = data;
    }

    /** Maps the ring file or device read-only (JNA mmap PROT_READ) and checks its identity. */
    public static Ring open(Path path) throws RingException {
        int fd;
        try {
            fd = Libc.C.open(path.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new RingException("cannot open ring " + path + ": " + Libc.describe(e)
                    + " (is the capture running and the path right?)", e);
        }
        try {
            return mapAndCheck(path, fd);
        } catch (RingException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    private static Ring mapAndCheck(Path path, int fd) throws RingException {
        // A device reports size 0; a regular (shared-memory) file must hold what its header claims,
        // or touching the missing pages would kill the JVM with SIGBUS.
        long fileSize = regularFileSize(path);
        if (fileSize >= 0 && fileSize < RingLayout.CTL_SIZE) {
            throw new RingFormatException(path + " is " + fileSize + " bytes, shorter than a pktring control page ("
                    + RingLayout.CTL_SIZE + " bytes): not a pktring ring");
        }
        Pointer ctlMap = map(path, fd, RingLayout.CTL_SIZE);
        RingIdentity id;
        try {
            id = readIdentity(path, readOnly(ctlMap, 0, RingLayout.CTL_SIZE));
        } finally {
            unmap(ctlMap, RingLayout.CTL_SIZE);
        }
        long mapLength = id.dataOffset() + id.dataSize();
        if (fileSize >= 0 && fileSize < mapLength) {
            throw new RingFormatException(path + " is " + fileSize + " bytes but its control page describes a ring of "
                    + mapLength + " bytes (data offset " + id.dataOffset() + " + data size " + id.dataSize()
                    + "): the file is truncated or not a pktring ring");
        }
        Pointer base = map(path, fd, mapLength);
        ByteBuffer ctl = readOnly(base, 0, RingLayout.CTL_SIZE);
        long chunkSize = DataArea.chunkSize(id.dataSize());
        ByteBuffer[] chunks = new ByteBuffer[(int) (id.dataSize() / chunkSize)];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = readOnly(base, id.dataOffset() + i * chunkSize, chunkSize);
        }
        Ring ring = new Ring(id, fd, base, mapLength, ctl, new DataArea(chunks, id.dataSize()));
        try {
            ring.checkPositions(ring.loadHead(), ring.loadReclaim());
        } catch (RingFormatException e) {
            unmap(base, mapLength);
            throw e;
        }
        return ring;
    }

    private static RingIdentity readIdentity(Path path, ByteBuffer c) throws RingException {
        long magic = (long) LONGS.get(c, RingLayout.OFF_MAGIC);
        if (magic != RingLayout.MAGIC) {
            throw new RingFormatException(path + " is not a pktring ring (magic 0x" + Long.toHexString(magic)
                    + ", expected 0x" + Long.toHexString(RingLayout.MAGIC) + " \"PKTRING1\")");
        }
        int abi = (int) INTS.get(c, RingLayout.OFF_ABI_VERSION);
        if (abi != RingLayout.ABI_VERSION) {
            throw new RingFormatException(path + ": ring ABI v" + Integer.toUnsignedString(abi) + ", this connector reads v"
                    + RingLayout.ABI_VERSION + ": upgrade " + (abi > RingLayout.ABI_VERSION ? "the connector" : "the ring writer")
                    + " so both speak the same ring ABI");
        }
        int recHdrSize = (int) INTS.get(c, RingLayout.OFF_REC_HDR_SIZE);
        if (recHdrSize != RingLayout.REC_HDR_SIZE) {
            throw new RingFormatException(path + ": record header size " + Integer.toUnsignedString(recHdrSize)
                    + ", ABI v1 defines " + RingLayout.REC_HDR_SIZE + ": corrupt control page");
        }
        long dataOffset = (long) LONGS.get(c, RingLayout.OFF_DATA_OFFSET);
        long dataSize = (long) LONGS.get(c, RingLayout.OFF_DATA_SIZE);
        if (Long.bitCount(dataSize) != 1 || dataSize < RingLayout.MIN_DATA_SIZE || dataSize > RingLayout.MAX_DATA_SIZE) {
            throw new RingFormatException(path + ": data size " + Long.toUnsignedString(dataSize)
                    + " is not a power of two between " + RingLayout.MIN_DATA_SIZE + " and " + RingLayout.MAX_DATA_SIZE
                    + ": corrupt control page");
        }
        if (dataOffset < RingLayout.CTL_SIZE || dataOffset > MAX_DATA_OFFSET || dataOffset % RingLayout.CTL_SIZE != 0) {
            throw new RingFormatException(path + ": data offset " + Long.toUnsignedString(dataOffset)
                    + " out of range (a multiple of " + RingLayout.CTL_SIZE + " up to " + MAX_DATA_OFFSET
                    + " expected): corrupt control page");
        }
        int state = (int) INTS.getAcquire(c, RingLayout.OFF_STATE);
        if (state == RingLayout.STATE_INIT) {
            throw new RingException(path + ": the ring is still being set up by its writer (state INIT); retry shortly");
        }
        if (state != RingLayout.STATE_LIVE && state != RingLayout.STATE_ENDED) {
            throw new RingFormatException(path + ": unknown ring state " + Integer.toUnsignedString(state) + ": corrupt control page");
        }
        int flags = (int) INTS.get(c, RingLayout.OFF_FLAGS);
        int wait = flags & RingLayout.WAIT_MASK;
        if (wait != RingLayout.WAIT_POLL && wait != RingLayout.WAIT_FUTEX) {
            throw new RingFormatException(path + ": flags 0x" + Integer.toHexString(flags)
                    + " name no wait method (PKTRING_WAIT_POLL or PKTRING_WAIT_FUTEX): corrupt control page");
        }
        int ringIndex = (int) INTS.get(c, RingLayout.OFF_RING_INDEX);
        int ringCount = (int) INTS.get(c, RingLayout.OFF_RING_COUNT);
        if (ringCount < 1 || ringIndex < 0 || ringIndex >= ringCount) {
            throw new RingFormatException(path + ": ring index " + ringIndex + " of " + ringCount + " is out of range: corrupt control page");
        }
        int ctrCount = (int) INTS.get(c, RingLayout.OFF_CTR_COUNT);
        if (ctrCount < 0 || ctrCount > RingLayout.CTR_MAX) {
            throw new RingFormatException(path + ": counter count " + ctrCount + " exceeds " + RingLayout.CTR_MAX + ": corrupt control page");
        }
        byte[] name = new byte[RingLayout.IFNAMSIZ];
        c.get(RingLayout.OFF_IFNAME, name);
        int nameLen = 0;
        while (nameLen < name.length && name[nameLen] != 0) {
            nameLen++;
        }
        return new RingIdentity(path, (long) LONGS.get(c, RingLayout.OFF_EPOCH), abi, dataSize, dataOffset,
                (int) INTS.get(c, RingLayout.OFF_LINKTYPE), (int) INTS.get(c, RingLayout.OFF_SNAPLEN),
                new String(name, 0, nameLen, StandardCharsets.UTF_8), (int) INTS.get(c, RingLayout.OFF_IFINDEX), flags,
                ringIndex, ringCount, (long) LONGS.get(c, RingLayout.OFF_CREATED_NS),
                (int) INTS.get(c, RingLayout.OFF_MAX_RECORD), ctrCount);
    }

    public RingIdentity identity() {
        return identity;
    }

    /** End of the newest complete record (acquire load: the record's bytes are visible). */
    public long head() {
        mapLock.readLock().lock();
        try {
            ensureOpen();
            return loadHead();
        } finally {
            mapLock.readLock().unlock();
        }
    }

    /** Oldest valid record; bytes below it may be overwritten at any moment (acquire load). */
    public long reclaim() {
        mapLock.readLock().lock();
        try {
            ensureOpen();
            return loadReclaim();
        } finally {
            mapLock.readLock().unlock();
        }
    }

    /** PKTRING_STATE_*. */
    public int state() {
        mapLock.readLock().lock();
        try {
            ensureOpen();
            return loadState();
        } finally {
            mapLock.readLock().unlock();
        }
    }

    /** True once the writer has gone: readers drain up to head, then stop. */
    public boolean ended() {
        return state() == RingLayout.STATE_ENDED;
    }

    /** Sequence number the writer gives its next packet record. */
    public long seqNext() {
        mapLock.readLock().lock();
        try {
            ensureOpen();
            return (long) LONGS.getAcquire(ctl, RingLayout.OFF_SEQ_NEXT);
        } finally {
            mapLock.readLock().unlock();
        }
    }

    /** One of the writer's counters; 0 for a counter this writer does not keep. */
    public long counter(RingCounter c) {
        if (c.index() >= identity.counterCount()) {
            return 0;
        }
        mapLock.readLock().lock();
        try {
            ensureOpen();
            return (long) LONGS.getOpaque(ctl, RingLayout.OFF_COUNTERS + 8 * c.index());
        } finally {
            mapLock.readLock().unlock();
        }
    }

    /**
     * A reader at a position from a saved offset of this ring's epoch. expectedSeq is the sequence
     * of the packet at position, or -1 when unknown (then the first delivered packet reports no loss).
     */
    public RingReader reader(long position, long expectedSeq) throws RingException {
        if ((position & (RingLayout.ALIGN - 1)) != 0) {
            throw new RingException(identity.path() + ": position " + Long.toUnsignedString(position)
                    + " is not a record boundary (not " + RingLayout.ALIGN + "-byte aligned)");
        }
        long h = head();
        if (Long.compareUnsigned(position, h) > 0) {
            throw new RingException(identity.path() + ": position " + Long.toUnsignedString(position)
                    + " is beyond the ring's head " + Long.toUnsignedString(h)
                    + "; it belongs to another ring or epoch, start from earliest or latest instead");
        }
        return new RingReader(this, position, expectedSeq);
    }

    /** A reader at the oldest record still in the ring. */
    public RingReader readerAtEarliest() throws RingException {
        return new RingReader(this, reclaim(), -1);
    }

    /** A reader that sees only packets published from now on. */
    public RingReader readerAtLatest() throws RingException {
        return new RingReader(this, head(), -1);
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
                unmap(base, mapLength);
            } finally {
                closeQuietly(fd);
            }
        } finally {
            mapLock.writeLock().unlock();
        }
    }

    // ---- used by RingReader, under lockMapping() ----

    void lockMapping() throws RingException {
        mapLock.readLock().lock();
        if (closed) {
            mapLock.readLock().unlock();
            throw new RingException(identity.path() + ": ring is closed");
        }
    }

    void unlockMapping() {
        mapLock.readLock().unlock();
    }

    DataArea data() {
        return data;
    }

    long loadHead() {
        return (long) LONGS.getAcquire(ctl, RingLayout.OFF_HEAD);
    }

    long loadReclaim() {
        return (long) LONGS.getAcquire(ctl, RingLayout.OFF_RECLAIM);
    }

    int loadState() {
        return (int) INTS.getAcquire(ctl, RingLayout.OFF_STATE);
    }

    /**
     * The header's invariants on head and reclaim; a breach means the control page is corrupt.
     * h must be loaded before r: then h - r <= size holds (W3 comes before W5). A writer racing
     * ahead may push r past that h, so reclaim <= head is checked against a head loaded after r.
     */
    void checkPositions(long h, long r) throws RingFormatException {
        long later = Long.compareUnsigned(r, h) > 0 ? loadHead() : h;
        if (((h | r) & (RingLayout.ALIGN - 1)) != 0 || Long.compareUnsigned(r, later) > 0
                || (Long.compareUnsigned(r, h) <= 0 && Long.compareUnsigned(h - r, identity.dataSize()) > 0)) {
            throw new RingFormatException(identity.path() + ": head " + Long.toUnsignedString(h) + " and reclaim "
                    + Long.toUnsignedString(r) + " break the ring's invariants (reclaim <= head, head - reclaim <= "
                    + identity.dataSize() + ", 8-byte aligned): head beyond the ring, corrupt control page");
        }
    }

    /**
     * Waits at most millis for the head to move past seenHead (or the ring to end). May return
     * early; the caller re-checks. Must be called under lockMapping().
     */
    void awaitData(long seenHead, int millis) throws RingException {
        if (identity.waitMethod() == RingLayout.WAIT_POLL) {
            awaitPoll(millis);
            if (loadHead() == seenHead && loadState() != RingLayout.STATE_ENDED) {
                // poll(2) said ready but nothing moved (a regular file is always ready): do not spin
                LockSupport.parkNanos(1_000_000L);
            }
        } else {
            awaitFutex(seenHead, millis);
        }
    }

    private void awaitPoll(int millis) throws RingException {
        synchronized (pollFd) {
            pollFd.setInt(0, fd);
            pollFd.setShort(4, Libc.POLLIN);
            pollFd.setShort(6, (short) 0);
            try {
                Libc.C.poll(pollFd, 1, millis);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Libc.EINTR) {
                    throw new RingException(identity.path() + ": poll failed: " + Libc.describe(e), e);
                }
            }
        }
    }

    private void awaitFutex(long seenHead, int millis) throws RingException {
        if (Libc.SYS_FUTEX < 0) {
            throw new RingException("futex waits are not supported on this CPU architecture");
        }
        // Read the wake word, then re-check head: a publish after this read changes the word, so
        // FUTEX_WAIT returns at once instead of sleeping through it.
        int w = (int) INTS.getAcquire(ctl, RingLayout.OFF_WAKE_SEQ);
        if (loadHead() != seenHead || loadState() == RingLayout.STATE_ENDED) {
            return;
        }
        synchronized (timespec) {
            timespec.setLong(0, millis / 1000);
            timespec.setLong(8, (millis % 1000) * 1_000_000L);
            try {
                Libc.C.syscall(Libc.SYS_FUTEX, base.share(RingLayout.OFF_WAKE_SEQ), (long) Libc.FUTEX_WAIT,
                        (long) w, timespec, Pointer.NULL, 0L);
            } catch (LastErrorException e) {
                int err = e.getErrorCode();
                if (err != Libc.EAGAIN && err != Libc.ETIMEDOUT && err != Libc.EINTR) {
                    throw new RingException(identity.path() + ": futex wait failed: " + Libc.describe(e), e);
                }
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(identity.path() + ": ring is closed");
        }
    }

    private static long regularFileSize(Path path) throws RingException {
        try {
            return Files.isRegularFile(path) ? Files.size(path) : -1;
        } catch (IOException e) {
            throw new RingException("cannot read the size of " + path + ": " + e.getMessage(), e);
        }
    }

    private static Pointer map(Path path, int fd, long length) throws RingException {
        try {
            Pointer p = Libc.C.mmap(Pointer.NULL, length, Libc.PROT_READ, Libc.MAP_SHARED, fd, 0);
            if (p == null || Pointer.nativeValue(p) == -1) {
                throw new RingException("cannot map " + path + " (" + length + " bytes)");
            }
            return p;
        } catch (LastErrorException e) {
            throw new RingException("cannot map " + path + " (" + length + " bytes read-only): " + Libc.describe(e)
                    + " (is it a pktring ring file or device?)", e);
        }
    }

    private static void unmap(Pointer p, long length) {
        try {
            Libc.C.munmap(p, length);
        } catch (LastErrorException ignored) {
            // nothing useful to do: the address range came from our own mmap
        }
    }

    private static void closeQuietly(int fd) {
        try {
            Libc.C.close(fd);
        } catch (LastErrorException ignored) {
            // the descriptor is gone either way
        }
    }

    private static ByteBuffer readOnly(Pointer base, long offset, long length) {
        return base.getByteBuffer(offset, length).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }
}

package io.pktring.connect.ring;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.concurrent.locks.LockSupport;

/**
 * One reader's waiting for a ring's writer without spinning, the way the ring's flags name (the
 * header's "Waiting"): poll(2) on a kernel device, or FUTEX_WAIT on the control page's wake word
 * of a shared-memory ring. Callers hold the mapping; not thread-safe, as its reader, but for
 * {@link #wake()}.
 *
 * <p>A wait is cut into slices so a request to stop is seen. On a futex ring {@link #wake()}
 * ends a wait at once, so slices can be longer and an idle reader wakes fewer times a second;
 * poll(2) on a device cannot be woken that way, so its slices are shorter.
 */
final class RingWait {
    /**
     * Longest single wait on a futex ring: bounds how late an interrupt or close() is noticed,
     * and a wake() that comes just before the wait starts (the word it compares is unchanged).
     */
    static final int FUTEX_SLICE_MILLIS = 100;
    /** Longest single poll(2): bounds how late wakeup(), an interrupt or close() is noticed. */
    static final int POLL_SLICE_MILLIS = 50;

    private final RingMapping ring;
    private final int fd;
    private final Pointer wakeWord;
    private final Memory pollFd = new Memory(8);
    private final Memory timespec = new Memory(16);

    RingWait(RingMapping ring) {
        this.ring = ring;
        this.fd = ring.fd();
        this.wakeWord = ring.wakeWord();
    }

    /** The longest wait {@link #await} should be asked for at once. */
    int sliceMillis() {
        return ring.identity().waitMethod() == RingLayout.WAIT_POLL ? POLL_SLICE_MILLIS : FUTEX_SLICE_MILLIS;
    }

    /**
     * Ends a futex wait of this reader now (any thread). FUTEX_WAKE needs only read access to the
     * word; it wakes the ring's other waiting readers too, which look at the head and wait again.
     * On a poll ring the slice bounds the wait instead.
     */
    void wake() {
        if (ring.identity().waitMethod() != RingLayout.WAIT_POLL && Libc.SYS_FUTEX >= 0) {
            // -1 (EFAULT) once the ring is unmapped: nobody waits on it any more
            Libc.C.syscall(Libc.SYS_FUTEX, wakeWord, Libc.FUTEX_WAKE, Integer.MAX_VALUE, Pointer.NULL, Pointer.NULL, 0L);
        }
    }

    /** Waits at most millis for the head to move past seenHead (or the ring to end); may return early. */
    void await(long seenHead, int millis) throws RingException {
        if (ring.identity().waitMethod() == RingLayout.WAIT_POLL) {
            awaitPoll(millis);
            if (ring.headAcquire() == seenHead && ring.stateAcquire() != RingLayout.STATE_ENDED) {
                // poll(2) said ready but nothing moved (a regular file is always ready): do not spin
                LockSupport.parkNanos(1_000_000L);
            }
        } else {
            awaitFutex(seenHead, millis);
        }
    }

    private void awaitPoll(int millis) throws RingException {
        pollFd.setInt(0, fd);
        pollFd.setShort(4, Libc.POLLIN);
        pollFd.setShort(6, (short) 0);
        try {
            Libc.C.poll(pollFd, 1, millis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Libc.EINTR) {
                throw new RingException(ring.identity().path() + ": poll failed: " + Libc.describe(e), e);
            }
        }
    }

    private void awaitFutex(long seenHead, int millis) throws RingException {
        if (Libc.SYS_FUTEX < 0) {
            throw new RingException("futex waits are not supported on this CPU architecture");
        }
        // Read the wake word (W6 increments it after publishing), then re-check head: a publish
        // after this read changes the word, so FUTEX_WAIT returns at once instead of sleeping through it.
        int w = ring.wakeSeqAcquire();
        if (ring.headAcquire() != seenHead || ring.stateAcquire() == RingLayout.STATE_ENDED) {
            return;
        }
        timespec.setLong(0, millis / 1000);
        timespec.setLong(8, (millis % 1000) * 1_000_000L);
        if (Libc.C.syscall(Libc.SYS_FUTEX, wakeWord, Libc.FUTEX_WAIT, w, timespec, Pointer.NULL, 0L) == -1) {
            int err = Native.getLastError();
            if (err != Libc.EAGAIN && err != Libc.ETIMEDOUT && err != Libc.EINTR) {
                throw new RingException(ring.identity().path() + ": futex wait failed: " + Libc.describe(err));
            }
        }
    }
}

package io.pktring.connect.ring;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.concurrent.locks.LockSupport;

/**
 * One reader's waiting for a ring's writer without spinning, the way the ring's flags name (the
 * header's "Waiting"): poll(2) on a kernel device, or FUTEX_WAIT on the control page's wake word
 * of a shared-memory ring. Callers hold the mapping; not thread-safe, as its reader.
 */
final class RingWait {
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
        try {
            Libc.C.syscall(Libc.SYS_FUTEX, wakeWord, (long) Libc.FUTEX_WAIT, (long) w, timespec, Pointer.NULL, 0L);
        } catch (LastErrorException e) {
            int err = e.getErrorCode();
            if (err != Libc.EAGAIN && err != Libc.ETIMEDOUT && err != Libc.EINTR) {
                throw new RingException(ring.identity().path() + ": futex wait failed: " + Libc.describe(e), e);
            }
        }
    }
}

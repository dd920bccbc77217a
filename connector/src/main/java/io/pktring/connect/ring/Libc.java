package io.pktring.connect.ring;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.file.Path;

/** The few libc calls the ring needs, through JNA: open/close, mmap/munmap, poll and futex. */
final class Libc {
    private Libc() {
    }

    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int O_NONBLOCK = 0x800; // a FIFO put at a ring's path must not hang the open
    /** A symbolic link at a ring's path is refused, not followed (asm-generic vs arm64 values). */
    static final int O_NOFOLLOW = Platform.isARM() ? 0x8000 : 0x20000;
    static final int PROT_READ = 0x1;
    static final int MAP_SHARED = 0x1;
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final int FUTEX_WAIT = 0; // without FUTEX_PRIVATE_FLAG: the word is shared between processes
    static final int FUTEX_WAKE = 1;
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EACCES = 13;
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int ETIMEDOUT = 110;
    static final int ELOOP = 40;
    static final Pointer MAP_FAILED = new Pointer(-1);

    /** SYS_futex for the architectures Debian ships the JDK on. */
    static final long SYS_FUTEX = Platform.isIntel() ? 202 : Platform.isARM() ? 98 : -1;

    interface C extends Library {
        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset) throws LastErrorException;

        int munmap(Pointer addr, long length) throws LastErrorException;

        int poll(Pointer fds, long nfds, int timeoutMillis) throws LastErrorException;

        long syscall(long number, Object... args) throws LastErrorException;

        /**
         * syscall(2) with the futex arguments, returning -1 and leaving errno to
         * Native.getLastError() instead of throwing: a wait that times out is the idle case, and a
         * LastErrorException for each costs far more than the wait (its stack trace and message).
         */
        long syscall(long number, Pointer uaddr, long op, long val, Pointer timeout, Pointer uaddr2, long val3);

        String strerror(int errnum);

        int geteuid();
    }

    static final C C = Native.load("c", C.class);

    /** Maps length bytes of the file read-only and shared; says what went wrong. */
    static Pointer mapReadOnly(Path path, int fd, long length) throws RingException {
        try {
            Pointer p = C.mmap(Pointer.NULL, length, PROT_READ, MAP_SHARED, fd, 0);
            if (p == null || Pointer.nativeValue(p) == -1) {
                throw new RingException("cannot map " + path + " (" + length + " bytes)");
            }
            return p;
        } catch (LastErrorException e) {
            throw new RingException("cannot map " + path + " (" + length + " bytes read-only): " + describe(e)
                    + " (is it a pktring ring file or device?)", e);
        }
    }

    static void unmap(Pointer p, long length) {
        try {
            C.munmap(p, length);
        } catch (LastErrorException ignored) {
            // nothing useful to do: the address range came from our own mmap
        }
    }

    static void closeQuietly(int fd) {
        try {
            C.close(fd);
        } catch (LastErrorException ignored) {
            // the descriptor is gone either way
        }
    }

    /** This process's effective user id, for messages about permissions. */
    static int uid() {
        return C.geteuid();
    }

    /** "No such file or directory (errno 2)". */
    static String describe(LastErrorException e) {
        return describe(e.getErrorCode());
    }

    static String describe(int errno) {
        return C.strerror(errno) + " (errno " + errno + ")";
    }
}

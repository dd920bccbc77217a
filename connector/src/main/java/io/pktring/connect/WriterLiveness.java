package io.pktring.connect;

import java.nio.file.Path;

import org.apache.kafka.connect.errors.ConnectException;

import io.pktring.connect.ring.RingLayout;
import io.pktring.connect.ring.RingMapping;

/**
 * Tells a writer killed with -9 (which cannot end its ring) from a quiet link, by the ring's
 * heartbeat, as the header's Liveness says: while the ring is live and its writer beats, neither
 * the heartbeat nor the head moving for ring.writer.timeout.ms means the writer is gone. Asked
 * only when the reader is idle at the head, so everything published has been read by then.
 */
final class WriterLiveness {

    private final Path path;
    private final long timeoutMs;
    private RingMapping ring;
    private long beat;
    private long head;
    private long sinceNanos;

    /** timeoutMs 0: never gone. */
    WriterLiveness(Path path, long timeoutMs) {
        this.path = path;
        this.timeoutMs = timeoutMs;
    }

    /** Watches this ring from now on (a new or re-created one). */
    void follow(RingMapping ring) {
        this.ring = ring;
        beat = ring.heartbeat();
        head = ring.head();
        sinceNanos = System.nanoTime();
    }

    /**
     * Called while idle at the head.
     *
     * @throws ConnectException the writer has been silent for longer than the timeout
     */
    void check() {
        if (timeoutMs == 0 || !ring.identity().beats() || ring.state() != RingLayout.STATE_LIVE) {
            return; // no liveness to go by, or an ended ring, which the path watch handles
        }
        long now = System.nanoTime();
        long b = ring.heartbeat();
        long h = ring.head();
        if (b != beat || h != head) {
            beat = b;
            head = h;
            sinceNanos = now;
            return;
        }
        long silentMs = (now - sinceNanos) / 1_000_000L;
        if (silentMs >= timeoutMs) {
            throw new ConnectException(path + ": writer gone: no heartbeat and no new packet for " + silentMs
                    + " ms and the ring was never ended (its writer was killed?). Every packet up to head "
                    + Long.toUnsignedString(h) + " (seq " + Long.toUnsignedString(ring.seqNext())
                    + ") was read and handed to the worker, whose offsets are committed. Start the writer "
                    + "again, then restart the task; or raise '" + PktringSourceConnectorConfig.RING_WRITER_TIMEOUT_MS
                    + "' (" + timeoutMs + " ms) if the writer is only stalled.");
        }
    }
}

package io.pktring.connect;

import java.nio.file.Path;

import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pktring.connect.PktringSourceConnectorConfig.StartPosition;
import io.pktring.connect.filter.PacketFilter;
import io.pktring.connect.ring.CopiedPacket;
import io.pktring.connect.ring.RingException;
import io.pktring.connect.ring.RingMapping;
import io.pktring.connect.ring.RingReader;

/**
 * Follows the ring at one path for a task: opens it, positions a reader at the committed offset or
 * where start.position says, re-opens the ring when it is re-created, fails when it vanishes (its
 * {@link RingPathWatch} tells), and keeps the one account of loss.
 *
 * <p>Every packet lost is counted once, in {@code PacketsLost}, when it is found: overwritten
 * before it was read (a sequence gap), skipped when an offset of another epoch forced a fresh
 * start, or left unread in a ring that was re-created. The same packets are reported once more,
 * as the lostBefore of the next packet this follower delivers, whatever the filter dropped in
 * between.
 */
final class RingFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RingFollower.class);

    private final Path path;
    private final StartPosition startPosition;
    private final RingPathWatch watch;
    private final TaskMetrics metrics;

    private RingMapping ring;
    private volatile RingReader reader;
    /** Lost packets counted but not yet reported on a delivered packet. */
    private long unreported;
    private volatile boolean stopping;

    private RingFollower(Path path, StartPosition startPosition, long missingTimeoutMs, TaskMetrics metrics) {
        this.path = path;
        this.startPosition = startPosition;
        this.watch = new RingPathWatch(path, missingTimeoutMs);
        this.metrics = metrics;
        metrics.ringPath = path.toString();
        metrics.lag = this::lag;
    }

    /** Opens the ring at path; {@link #resume} then positions the reader. */
    static RingFollower open(Path path, StartPosition startPosition, long missingTimeoutMs, TaskMetrics metrics) {
        RingFollower f = new RingFollower(path, startPosition, missingTimeoutMs, metrics);
        try {
            f.use(RingMapping.open(path));
        } catch (RingException e) {
            throw new ConnectException("pktring task for " + path + " cannot start: " + e.getMessage()
                    + ". Fix '" + PktringSourceConnectorConfig.RING_PATHS + "' or start the ring's writer, "
                    + "then restart the task.", e);
        }
        return f;
    }

    /**
     * Reads from the committed offset when it is of this epoch and still at or below the head
     * (the first packet then reports what was overwritten meanwhile); otherwise from where
     * start.position says, counting the packets of this epoch an old offset skips as lost.
     */
    void resume(RingOffset committed) {
        long epoch = epoch();
        try {
            if (committed != null && committed.epoch() == epoch
                    && Long.compareUnsigned(committed.position(), ring.head()) <= 0) {
                reader = RingReader.at(ring, committed.position(), committed.nextSeq());
                log.info("{}: resuming epoch {} at position {} (next seq {})", path, Long.toUnsignedString(epoch),
                        committed.position(), committed.nextSeq());
                return;
            }
            if (committed != null) {
                log.warn("{}: the committed offset {} is not in the ring (epoch {}, reclaim {}, head {}): the ring "
                        + "was re-created or reset since; packets after that offset are lost. Starting at {} and "
                        + "counting the packets of this epoch skipped as lost.", path, committed,
                        Long.toUnsignedString(epoch), ring.reclaim(), ring.head(), startPosition);
            } else {
                log.info("{}: no committed offset; starting at {} of epoch {}", path, startPosition,
                        Long.toUnsignedString(epoch));
            }
            // expected seq 0 counts every packet of the epoch before the first one read as lost
            long expectedSeq = committed != null ? 0 : -1;
            long at = startPosition == StartPosition.EARLIEST ? ring.reclaim() : ring.head();
            reader = RingReader.at(ring, at, expectedSeq);
        } catch (RingException e) {
            throw new ConnectException(path + ": cannot position a reader: " + e.getMessage(), e);
        }
    }

    long epoch() {
        return ring.identity().epoch();
    }

    int ringIndex() {
        return ring.identity().ringIndex();
    }

    String ifname() {
        return ring.identity().ifname();
    }

    int linktype() {
        return ring.identity().linktype();
    }

    int snaplen() {
        return ring.identity().snaplen();
    }

    /**
     * The next packet the filter (null: none) wants, with lostBefore = every packet lost since the
     * previous one delivered; null at the deadline, or, when waitForData, once the ring stayed
     * quiet until it (then the ring is checked for re-creation).
     */
    CopiedPacket next(PacketFilter wanted, long deadlineNanos, boolean waitForData) throws InterruptedException {
        try {
            while (!stopping) {
                long left = deadlineNanos - System.nanoTime(); // bounded even while the filter rejects all
                if (left <= 0) {
                    return null;
                }
                CopiedPacket p = reader.next(waitForData ? left / 1_000_000L : 0);
                if (p == null) {
                    if (waitForData && !stopping) {
                        idleUntil(deadlineNanos);
                        checkRing();
                    }
                    return null;
                }
                metrics.packetsRead.incrementAndGet();
                metrics.bytesRead.addAndGet(p.caplen);
                if (p.lostBefore > 0) {
                    countLost(p.lostBefore);
                    log.warn("{}: {} packets lost before seq {} of epoch {} (reader lapped by the writer, or the ring "
                            + "was re-created); reported in the loss header of the next record", path, p.lostBefore,
                            p.seq, Long.toUnsignedString(epoch()));
                }
                if (wanted != null && !wanted.matches(p.data, p.caplen, p.origlen)) {
                    metrics.packetsFiltered.incrementAndGet();
                    continue; // its loss stays unreported until a packet is delivered
                }
                p.lostBefore = unreported;
                unreported = 0;
                return p;
            }
            return null;
        } catch (RingException e) {
            throw new ConnectException(path + ": " + e.getMessage()
                    + ". The ring's writer or memory is broken; recreate the ring, then restart the task.", e);
        }
    }

    /** The one place loss is counted: in the metric now, on the next delivered packet later. */
    private void countLost(long lost) {
        metrics.packetsLost.addAndGet(lost);
        unreported += lost;
    }

    /**
     * An ended, drained ring returns at once from next(): wait out the poll timeout here instead,
     * so the worker does not spin on empty polls. Sliced so stop() is noticed quickly.
     */
    private void idleUntil(long deadlineNanos) throws InterruptedException {
        long left;
        while (!stopping && (left = deadlineNanos - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, Math.min(20, left / 1_000_000L)));
        }
    }

    /** A ring re-created at the path is re-opened and read from its earliest packet. */
    private void checkRing() {
        RingMapping fresh = watch.replacement(ring.ended(), epoch());
        if (fresh != null) {
            reopen(fresh);
        }
    }

    /** The old ring is drained up to its head; the packets it published after that are lost. */
    private void reopen(RingMapping fresh) {
        long expected = reader.expectedSeq();
        long unread = expected < 0 ? 0 : Math.max(0, ring.seqNext() - expected);
        log.warn("{}: ring re-created (epoch {} -> {}); {} packets of the old epoch were not read; reading the "
                + "new ring from its earliest packet", path, Long.toUnsignedString(epoch()),
                Long.toUnsignedString(fresh.identity().epoch()), expected < 0 ? "an unknown number of" : unread);
        countLost(unread);
        RingMapping old = ring;
        use(fresh);
        old.close();
        try {
            reader = RingReader.at(ring, ring.reclaim(), 0); // packets before the earliest count as lost
        } catch (RingException e) {
            throw new ConnectException(path + ": cannot read the re-created ring: " + e.getMessage(), e);
        }
        metrics.ringReopens.incrementAndGet();
    }

    private void use(RingMapping opened) {
        ring = opened;
        metrics.ringEpoch = opened.identity().epoch();
        watch.following();
    }

    /** Bytes the writer published that this follower has not read yet (JMX RingLag, any thread). */
    private long lag() {
        RingReader r = reader;
        try {
            return r == null ? 0 : r.lag();
        } catch (RuntimeException e) {
            return 0; // the ring was closed under us: no lag to report
        }
    }

    /** Makes a waiting next() return promptly, and every later one at once. */
    void stop() {
        stopping = true;
        RingReader r = reader;
        if (r != null) {
            r.wakeup();
        }
    }

    /** Unmaps the ring. */
    @Override
    public void close() {
        ring.close();
    }
}

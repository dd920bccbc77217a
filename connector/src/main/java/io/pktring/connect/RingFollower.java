// Over 300 lines: ring life and all loss accounting are one concept, kept in one place.
package io.pktring.connect;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pktring.connect.PktringSourceConnectorConfig.StartPosition;
import io.pktring.connect.filter.PacketFilter;
import io.pktring.connect.ring.CopiedPacket;
import io.pktring.connect.ring.PacketSink;
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

    /** Shortest sleep between two reads while lingering. */
    static final long MIN_LINGER_PAUSE_NANOS = 1_000_000L;

    private final FillSink sink = new FillSink();
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
     * Reads the packets the filter (null: none) wants into target until it is full (returns false,
     * at batchPackets packets or sooner): waits until the deadline for the first packet, then reads
     * what arrives for up to lingerNanos after the first, so a trickle of packets makes one batch,
     * not a poll each. While lingering it sleeps between reads ({@link #lingerPause}), so a slow
     * stream wakes it once or twice per batch, not once per packet. Each packet's lostBefore =
     * every packet lost since the previous one delivered. When nothing came until the deadline, the
     * ring is checked for re-creation.
     */
    void fill(PacketSink target, PacketFilter wanted, long deadlineNanos, long lingerNanos,
            int batchPackets) throws InterruptedException {
        try {
            sink.start(target, wanted, deadlineNanos);
            while (!stopping) {
                boolean atHead = reader.read(sink);
                sink.count();
                if (!atHead) {
                    return; // full, or the deadline passed while the filter rejected packets
                }
                long now = System.nanoTime();
                if (sink.delivered == 0) {
                    long left = deadlineNanos - now;
                    if (left <= 0) {
                        return;
                    }
                    if (!reader.await((left + 999_999) / 1_000_000L)) {
                        if (!stopping) {
                            idleUntil(deadlineNanos);
                            checkRing();
                        }
                        return;
                    }
                } else {
                    long left = Math.min(deadlineNanos, sink.firstAt + lingerNanos) - now;
                    if (left <= 0) {
                        return;
                    }
                    LockSupport.parkNanos(Math.min(left, lingerPause(now, batchPackets)));
                }
            }
        } catch (RingException e) {
            throw new ConnectException(path + ": " + e.getMessage()
                    + ". The ring's writer or memory is broken; recreate the ring, then restart the task.", e);
        }
    }

    /**
     * How long to sleep before reading again while lingering: half the time the batch needs to
     * fill at the rate packets came in since its first, and at least {@link #MIN_LINGER_PAUSE_NANOS}.
     * A trickle then sleeps out the linger in one or two pauses; a fast stream is read every
     * millisecond and fills its batch long before the linger ends.
     */
    private long lingerPause(long now, int batchPackets) {
        long elapsed = Math.max(1, now - sink.firstAt);
        long room = Math.max(1, batchPackets - sink.delivered);
        return Math.max(MIN_LINGER_PAUSE_NANOS, elapsed * room / sink.delivered / 2);
    }

    /**
     * Between the reader and a fill's target: counts what is read, filtered and lost, applies the
     * filter, and stops the read at the deadline even while the filter rejects every packet. One
     * per follower, so a read allocates nothing; the metrics are updated once per read.
     */
    private final class FillSink implements PacketSink {
        private PacketSink target;
        private PacketFilter wanted;
        private long deadline;
        int delivered;
        long firstAt;
        private long read, bytes, filtered;

        void start(PacketSink target, PacketFilter wanted, long deadline) {
            this.target = target;
            this.wanted = wanted;
            this.deadline = deadline;
            delivered = 0;
        }

        @Override
        public boolean accept(CopiedPacket p) {
            read++;
            bytes += p.caplen;
            if (p.lostBefore > 0) {
                countLost(p.lostBefore);
                log.warn("{}: {} packets lost before seq {} of epoch {} (reader lapped by the writer, or the ring "
                        + "was re-created); reported in the loss header of the next record", path, p.lostBefore,
                        p.seq, Long.toUnsignedString(epoch()));
            }
            // the clock is read every 64 packets: bounded in time even while the filter rejects all
            boolean inTime = (read & 63) != 0 || System.nanoTime() < deadline;
            if (wanted != null && !wanted.matches(p.data, p.caplen, p.origlen)) {
                filtered++;
                return inTime; // its loss stays unreported until a packet is delivered
            }
            p.lostBefore = unreported;
            unreported = 0;
            if (delivered++ == 0) {
                firstAt = System.nanoTime();
            }
            return target.accept(p) && inTime;
        }

        /** Adds what was read since the last call to the task's metrics. */
        void count() {
            metrics.packetsRead.addAndGet(read);
            metrics.bytesRead.addAndGet(bytes);
            metrics.packetsFiltered.addAndGet(filtered);
            read = bytes = filtered = 0;
        }
    }

    /** The one place loss is counted: in the metric now, on the next delivered packet later. */
    private void countLost(long lost) {
        metrics.packetsLost.addAndGet(lost);
        unreported += lost;
    }

    /**
     * An ended, drained ring returns at once from await(): wait out the poll timeout here instead,
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
